package io.sluice.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedClassResolver;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which keys each mapping in the file may hold, read from the config types through the mapper's own
 * introspection, so names (kebab-case, annotations) are exactly those binding accepts.
 *
 * <p>Jackson can report unknown keys itself, but for records it replays them from a buffer after the record is
 * built, where the parser no longer knows the key's path or line. Checking keys while scanning the file gives
 * every unknown key at once, each at its own line.
 */
final class KeySchema {

    private final DeserializationConfig config;

    KeySchema(ObjectMapper mapper) {
        this.config = mapper.getDeserializationConfig();
    }

    /**
     * The keys a mapping bound to {@code type} accepts: a record's properties, or the type names of a sealed
     * config type such as {@code SinkConfig}. Empty for maps, which take any key, and for anything else, whose
     * shape is left to binding.
     */
    Optional<List<String>> keys(JavaType type) {
        if (type == null) {
            return Optional.empty();
        }
        if (isTypeWrapper(type)) {
            return Optional.of(List.copyOf(subtypes(type).keySet()));
        }
        if (isKeyedRecord(type)) {
            return Optional.of(properties(type).keySet().stream().toList());
        }
        return Optional.empty();
    }

    /** The type of the value under {@code key}, or null when the key is unknown or the container is not checked. */
    JavaType valueType(JavaType container, String key) {
        if (container == null) {
            return null;
        }
        if (container.isMapLikeType()) {
            return container.getContentType();
        }
        if (isTypeWrapper(container)) {
            Class<?> subtype = subtypes(container).get(key);
            return subtype == null ? null : config.constructType(subtype);
        }
        if (isKeyedRecord(container)) {
            return properties(container).get(key);
        }
        return null;
    }

    /** The type of a list item, or null when the container is not a list. */
    JavaType elementType(JavaType container) {
        return container != null && container.isCollectionLikeType() ? container.getContentType() : null;
    }

    /** A sealed config type written as a single key naming the implementation: {@code - kafka: {...}}. */
    boolean isTypeWrapper(JavaType type) {
        JsonTypeInfo info = type.getRawClass().getAnnotation(JsonTypeInfo.class);
        return info != null && info.include() == JsonTypeInfo.As.WRAPPER_OBJECT;
    }

    private Map<String, Class<?>> subtypes(JavaType type) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        config.getSubtypeResolver()
                .collectAndResolveSubtypesByTypeId(config,
                        AnnotatedClassResolver.resolveWithoutSuperTypes(config, type.getRawClass()))
                .stream()
                .filter(NamedType::hasName)
                .forEach(named -> byName.put(named.getName(), named.getType()));
        return byName;
    }

    /**
     * Config objects are records bound through their components. A record with a static {@code @JsonCreator}
     * (such as {@code FileOffsetStoreConfig}, written as a plain path) is built from a scalar instead.
     */
    private static boolean isKeyedRecord(JavaType type) {
        Class<?> raw = type.getRawClass();
        return raw.isRecord() && Arrays.stream(raw.getDeclaredMethods()).noneMatch(KeySchema::isFactoryCreator);
    }

    private static boolean isFactoryCreator(Method method) {
        return Modifier.isStatic(method.getModifiers()) && method.isAnnotationPresent(JsonCreator.class);
    }

    /**
     * The Java name (record component) behind each key of a record, in declaration order; empty for anything that
     * is not a keyed record. For tools that read a bound record back, such as {@link ConfigModel}.
     */
    Map<String, String> componentNames(JavaType type) {
        Map<String, String> byKey = new LinkedHashMap<>();
        if (isKeyedRecord(type)) {
            for (BeanPropertyDefinition property : keyedProperties(type)) {
                byKey.put(property.getName(), property.getInternalName());
            }
        }
        return byKey;
    }

    private Map<String, JavaType> properties(JavaType type) {
        Map<String, JavaType> byName = new LinkedHashMap<>();
        for (BeanPropertyDefinition property : keyedProperties(type)) {
            byName.put(property.getName(), property.getPrimaryType());
        }
        return byName;
    }

    /**
     * The properties binding can set: a record's components. A getter such as {@code Auth.isBasic()} is a property
     * to Jackson too, but no key of the file.
     */
    private List<BeanPropertyDefinition> keyedProperties(JavaType type) {
        return config.introspect(type).findProperties().stream()
                .filter(BeanPropertyDefinition::hasConstructorParameter)
                .toList();
    }
}
