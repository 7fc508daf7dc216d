package io.sluice.config;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every key a configuration file may hold, type by type, as the loader sees it: keys and types come from
 * {@link KeySchema} (the mapper's own introspection, as binding uses it), defaults from the records' constructors,
 * and words and rules from {@link Descriptions}. The JSON Schema ({@link ConfigSchema}) and the configuration
 * reference are both rendered from this one model, so neither can name a key the loader does not know.
 */
final class ConfigModel {

    /** The shape of a value. */
    sealed interface Shape {
    }

    /** A value described by a {@link Definition} of that name: a record, a sealed wrapper, an enum or a text record. */
    record Ref(String name) implements Shape {
    }

    record ListOf(Shape item) implements Shape {
    }

    /** A mapping with keys of the user's choosing, passed through as written. */
    record MapOf(Scalar value) implements Shape {
    }

    record Scalar(Kind kind) implements Shape {
    }

    enum Kind {
        /** Any scalar, read as its text: {@code database: 2024} is the text "2024". */
        TEXT,
        INTEGER,
        BOOLEAN,
        DURATION,
        SIZE,
        /** Any scalar, never shown. */
        SECRET,
        PATH,
        /** Anything: nested mappings and lists, such as Elasticsearch settings. */
        ANY
    }

    sealed interface Definition {
        String name();

        String description();
    }

    /**
     * A mapping with fixed keys, bound to a record.
     *
     * @param inheritable whether its keys may come from the {@code defaults:} block (the block itself and every type
     *                    below it), so that a key the loader requires may still be absent where it is written
     * @param paths       where it appears in a file, e.g. {@code pipelines[].source.postgres}
     */
    record RecordDef(String name, String title, String description, List<Property> properties,
            List<String> exactlyOneOf, boolean inheritable, List<String> paths) implements Definition {
    }

    /** A sealed config type written as a mapping with one key naming the implementation: {@code - kafka: {...}}. */
    record WrapperDef(String name, String title, String description, Map<String, Shape> alternatives,
            List<String> paths) implements Definition {
    }

    /** @param values each value as written in YAML, with its meaning */
    record EnumDef(String name, String description, Map<String, String> values) implements Definition {
    }

    /** A record written as a plain string, through a static creator ({@code file: PATH}). */
    record TextDef(String name, String title, String description, JsonNode example, List<String> paths)
            implements Definition {
    }

    /**
     * One key of a record.
     *
     * @param defaultValue the value the record's constructor applies when the key is absent, as YAML would write it;
     *                     null when it applies none or one that has no short form (an empty list, a nested record)
     * @param defaultText  what an absent key means, in words, where the record applies no value of its own
     * @param inheritable  whether the key may come from the {@code defaults:} block instead
     */
    record Property(String key, Shape shape, String description, JsonNode defaultValue, String defaultText,
            JsonNode example, boolean required, List<String> requires, Long minimum, Long maximum,
            boolean inheritable) {
    }

    static final String DESCRIPTIONS = "/io/sluice/config/schema/descriptions.yaml";

    private final String root;
    private final Map<String, Definition> definitions;

    private ConfigModel(String root, Map<String, Definition> definitions) {
        this.root = root;
        this.definitions = definitions;
    }

    /** The model of the file {@link ConfigLoader} reads, described by the descriptions resource. */
    static ConfigModel load() {
        return build(Descriptions.fromResource(DESCRIPTIONS));
    }

    /** @throws IllegalStateException listing every key without a description and every description of no key */
    static ConfigModel build(Descriptions descriptions) {
        ObjectMapper mapper = ConfigLoader.newMapper();
        return new Walk(mapper, new KeySchema(mapper), descriptions).run(mapper.constructType(DefaultsConfig.File.class));
    }

    /** The whole file. */
    RecordDef root() {
        return (RecordDef) definitions.get(root);
    }

    /** Every definition, in the order a reader meets them walking the file from the top. */
    Collection<Definition> definitions() {
        return definitions.values();
    }

    Definition definition(String name) {
        Definition definition = definitions.get(name);
        if (definition == null) {
            throw new IllegalArgumentException("no definition " + name);
        }
        return definition;
    }

    /** The walk from the root type; each type is defined once, where first met. */
    private static final class Walk {
        private final ObjectMapper mapper;
        private final KeySchema schema;
        private final Descriptions descriptions;
        private final Map<String, Definition> definitions = new LinkedHashMap<>();
        private final Map<String, List<String>> paths = new LinkedHashMap<>();
        /** Definitions whose keys may come from the defaults block. */
        private final Set<String> inheritable = new LinkedHashSet<>();
        private JavaType defaultsType;

        Walk(ObjectMapper mapper, KeySchema schema, Descriptions descriptions) {
            this.mapper = mapper;
            this.schema = schema;
            this.descriptions = descriptions;
        }

        ConfigModel run(JavaType rootType) {
            defaultsType = mapper.constructType(DefaultsConfig.class);
            markInheritable(defaultsType);
            String root = ((Ref) shape(rootType, "")).name();
            descriptions.checkAllUsed(definitions.keySet());
            descriptions.throwIfProblems();
            collectPaths(new Ref(root), "");
            Map<String, Definition> withPaths = new LinkedHashMap<>();
            definitions.forEach((name, definition) -> withPaths.put(name, withPaths(definition)));
            return new ConfigModel(root, withPaths);
        }

        /** Collects the names of the defaults type and of every type below it. */
        private void markInheritable(JavaType type) {
            if (type == null) {
                return;
            }
            if (type.isContainerType()) {
                markInheritable(type.getContentType());
                return;
            }
            Optional<List<String>> keys = schema.keys(type);
            if (keys.isPresent() && inheritable.add(name(type.getRawClass()))) {
                keys.get().forEach(key -> markInheritable(schema.valueType(type, key)));
            }
        }

        private Shape shape(JavaType type, String path) {
            Class<?> raw = type.getRawClass();
            Optional<List<String>> keys = schema.keys(type);
            if (keys.isPresent()) {
                String name = name(raw);
                if (!definitions.containsKey(name)) {
                    definitions.put(name, null); // reserves the place: a reader meets the type here
                    definitions.put(name, schema.isTypeWrapper(type) ? wrapper(name, type, keys.get(), path)
                            : record(name, type, keys.get(), path));
                }
                return new Ref(name);
            }
            if (type.isCollectionLikeType()) {
                return new ListOf(shape(type.getContentType(), path + "[]"));
            }
            if (type.isMapLikeType()) {
                Class<?> value = type.getContentType().getRawClass();
                return new MapOf(new Scalar(value == String.class ? Kind.TEXT : Kind.ANY));
            }
            if (raw.isEnum()) {
                return define(name(raw), () -> enumeration(raw));
            }
            if (raw.isRecord()) {
                return define(name(raw), () -> {
                    Descriptions.Type words = descriptions.type(name(raw), Descriptions.Form.TEXT);
                    return new TextDef(name(raw), words.title(), words.description(), words.example(), List.of());
                });
            }
            return new Scalar(scalarKind(raw, path));
        }

        private Ref define(String name, java.util.function.Supplier<Definition> definition) {
            if (!definitions.containsKey(name)) {
                definitions.put(name, definition.get());
            }
            return new Ref(name);
        }

        private static Kind scalarKind(Class<?> raw, String path) {
            if (raw == String.class) {
                return Kind.TEXT;
            }
            if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
                return Kind.INTEGER;
            }
            if (raw == Boolean.class || raw == boolean.class) {
                return Kind.BOOLEAN;
            }
            if (raw == Duration.class) {
                return Kind.DURATION;
            }
            if (raw == ByteSize.class) {
                return Kind.SIZE;
            }
            if (raw == Secret.class) {
                return Kind.SECRET;
            }
            if (raw == Path.class) {
                return Kind.PATH;
            }
            if (raw == Object.class) {
                return Kind.ANY;
            }
            throw new IllegalStateException("the configuration model has no shape for " + raw.getName() + " at "
                    + path + "; add it to ConfigModel and ConfigSchema");
        }

        private WrapperDef wrapper(String name, JavaType type, List<String> kinds, String path) {
            Descriptions.Type words = descriptions.type(name, Descriptions.Form.WRAPPER);
            Map<String, Shape> alternatives = new LinkedHashMap<>();
            for (String kind : kinds) {
                alternatives.put(kind, shape(schema.valueType(type, kind), path + "." + kind));
            }
            return new WrapperDef(name, words.title(), words.description(), alternatives, List.of());
        }

        private RecordDef record(String name, JavaType type, List<String> keys, String path) {
            Descriptions.Type words = descriptions.type(name, Descriptions.Form.RECORD);
            Map<String, String> components = schema.componentNames(type);
            Object defaults = boundFromNothing(type);
            List<Property> properties = new ArrayList<>();
            for (String key : keys) {
                Descriptions.Key about = words.key(key);
                Shape shape = shape(schema.valueType(type, key), path.isEmpty() ? key : path + "." + key);
                JsonNode defaultValue = yamlValue(component(defaults, components.get(key)));
                // A pipeline inherits a key the defaults block has with the same type (source, offsets; not sinks).
                boolean keyInheritable = inheritable.contains(name) || (type.getRawClass() == PipelineConfig.class
                        && schema.valueType(type, key).equals(schema.valueType(defaultsType, key)));
                properties.add(new Property(key, shape, about.description(), defaultValue, about.defaultText(),
                        about.example(), about.required(), about.requires(), about.minimum(), about.maximum(),
                        keyInheritable));
                descriptions.checkKey(name, key, about, defaultValue != null, shape);
            }
            descriptions.checkNoOtherKeys(name, keys);
            return new RecordDef(name, words.title(), words.description(), List.copyOf(properties),
                    words.exactlyOneOf(), inheritable.contains(name), List.of());
        }

        private Definition enumeration(Class<?> raw) {
            Map<String, String> values = new LinkedHashMap<>();
            Descriptions.Type words = descriptions.type(name(raw), Descriptions.Form.ENUM);
            for (Object constant : raw.getEnumConstants()) {
                String value = mapper.valueToTree(constant).asText();
                values.put(value, words.value(value));
            }
            descriptions.checkNoOtherValues(name(raw), values.keySet());
            return new EnumDef(name(raw), words.description(), values);
        }

        /** Every place each definition is written, walking into shared types again from each place. */
        private void collectPaths(Shape shape, String path) {
            if (shape instanceof ListOf list) {
                collectPaths(list.item(), path + "[]");
            } else if (shape instanceof Ref ref) {
                paths.computeIfAbsent(ref.name(), n -> new ArrayList<>()).add(path);
                Definition definition = definitions.get(ref.name());
                if (definition instanceof RecordDef record) {
                    record.properties().forEach(p -> collectPaths(p.shape(), path.isEmpty() ? p.key()
                            : path + "." + p.key()));
                } else if (definition instanceof WrapperDef wrapper) {
                    wrapper.alternatives().forEach((kind, alternative) -> collectPaths(alternative, path + "." + kind));
                }
            }
        }

        private Definition withPaths(Definition definition) {
            List<String> at = List.copyOf(paths.getOrDefault(definition.name(), List.of()));
            if (definition instanceof RecordDef r) {
                return new RecordDef(r.name(), r.title(), r.description(), r.properties(), r.exactlyOneOf(),
                        r.inheritable(), at);
            }
            if (definition instanceof WrapperDef w) {
                return new WrapperDef(w.name(), w.title(), w.description(), w.alternatives(), at);
            }
            if (definition instanceof TextDef t) {
                return new TextDef(t.name(), t.title(), t.description(), t.example(), at);
            }
            return definition;
        }

        /**
         * The record as binding builds it from an empty mapping: its canonical constructor with every component
         * null, which applies the defaults. (Binding {@code {}} itself would need the wrapper key of sealed types.)
         */
        private static Object boundFromNothing(JavaType type) {
            Class<?> raw = type.getRawClass();
            RecordComponent[] components = raw.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                if (types[i].isPrimitive()) {
                    throw new IllegalStateException(raw.getName() + "." + components[i].getName() + " is primitive,"
                            + " so the key cannot be absent; use its boxed type");
                }
            }
            try {
                java.lang.reflect.Constructor<?> canonical = raw.getDeclaredConstructor(types);
                canonical.setAccessible(true);
                return canonical.newInstance(new Object[components.length]);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("an empty " + raw.getName() + " cannot be built, so its defaults"
                        + " cannot be read: " + e, e);
            }
        }

        private static Object component(Object record, String componentName) {
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                if (component.getName().equals(componentName)) {
                    Method accessor = component.getAccessor();
                    try {
                        accessor.setAccessible(true);
                        return accessor.invoke(record);
                    } catch (IllegalAccessException | InvocationTargetException e) {
                        throw new IllegalStateException("cannot read " + componentName + " of " + record.getClass(), e);
                    }
                }
            }
            throw new IllegalStateException(record.getClass() + " has no component " + componentName);
        }

        /** A default as the file would write it; null for none or for one without a short form. */
        private JsonNode yamlValue(Object value) {
            JsonNodeFactory nodes = JsonNodeFactory.instance;
            if (value == null || value instanceof Collection<?> c && c.isEmpty() || value instanceof Map<?, ?> m
                    && m.isEmpty() || value.getClass().isRecord()) {
                return null;
            }
            if (value instanceof Duration duration) {
                return nodes.textNode(Durations.format(duration));
            }
            if (value instanceof ByteSize || value instanceof Path) {
                return nodes.textNode(value.toString());
            }
            if (value instanceof Secret) {
                throw new IllegalStateException("a secret has a default; it would be shown in the reference");
            }
            // Strings, numbers, booleans, enums (through @JsonValue) and lists of them.
            return mapper.valueToTree(value);
        }
    }

    /** {@code ElasticsearchSinkConfig.Auth} for a nested class, the simple name otherwise. */
    static String name(Class<?> type) {
        Class<?> enclosing = type.getEnclosingClass();
        return enclosing == null ? type.getSimpleName() : name(enclosing) + "." + type.getSimpleName();
    }
}
