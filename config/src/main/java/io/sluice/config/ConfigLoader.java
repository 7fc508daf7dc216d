package io.sluice.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Loads a Sluice configuration file into immutable records, or reports everything wrong with it.
 *
 * <p>Loading runs in four steps, each adding to one list of problems: a scan of the YAML token stream
 * ({@link YamlDocument}: syntax, key positions, unknown and duplicate keys, {@code ${...}} resolution), merging
 * the {@code defaults:} block into each pipeline ({@link Defaults}), binding with Jackson (types, enum values,
 * durations), and validation of the bound records ({@link ConfigValidator}).
 * When any step found a problem, {@link ConfigException} reports them all, each with file, line, column and key
 * path.
 *
 * <p>String values may use {@code ${NAME}} and {@code ${NAME:-default}} for environment variables,
 * {@code ${file:/path}} for a file's content, and <code>$${</code> for a literal <code>${</code>. A value taken
 * from the environment or a file is never quoted in a message.
 *
 * <p>Instances are immutable and may be shared.
 */
public final class ConfigLoader {

    private final EnvSubstitution substitution;
    private final ObjectMapper mapper;
    private final KeySchema schema;
    private final JavaType fileType;

    /** A loader reading {@code ${NAME}} from the process environment. */
    public ConfigLoader() {
        this(System::getenv);
    }

    /** @param env looks up an environment variable; returns null when it is not set */
    public ConfigLoader(Function<String, String> env) {
        this.substitution = new EnvSubstitution(env);
        this.mapper = newMapper();
        this.schema = new KeySchema(mapper);
        this.fileType = mapper.constructType(DefaultsConfig.File.class);
    }

    /** Reads a UTF-8 file; messages name it as given. */
    public SluiceConfig load(Path file) throws ConfigException {
        String source = file.toString();
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw fileProblem(source, "file not found");
        } catch (AccessDeniedException e) {
            throw fileProblem(source, "permission denied");
        } catch (CharacterCodingException e) {
            throw fileProblem(source, "not UTF-8 text");
        } catch (IOException e) {
            throw fileProblem(source, "cannot be read: " + Objects.requireNonNullElse(e.getMessage(), "I/O error"));
        }
        return load(yaml, source);
    }

    /**
     * @param yaml       the configuration text
     * @param sourceName names the text in messages, usually its file name
     */
    public SluiceConfig load(String yaml, String sourceName) throws ConfigException {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        YamlDocument document = YamlDocument.scan(yaml, sourceName, mapper.getFactory(), schema, fileType,
                substitution);
        JsonNode tree = document.bindable() ? readTree(document) : null;
        Problems problems = new Problems(sourceName, document, tree == null ? Map.of() : Defaults.apply(tree));
        document.problems().forEach(problems::add);
        SluiceConfig config = tree != null ? bind(tree, document, problems) : null;
        if (config != null) {
            new ConfigValidator(problems).validate(config);
        }
        problems.throwIfAny();
        return config;
    }

    /** The file as a tree, with {@code ${...}} resolved, for {@link Defaults} to merge before binding. */
    private JsonNode readTree(YamlDocument document) {
        try (JsonParser parser = document.openParser(mapper.getFactory())) {
            return mapper.readTree(parser);
        } catch (IOException e) {
            // The scan read the same text without a syntax error.
            throw new UncheckedIOException("reading a document held in memory failed", e);
        }
    }

    /** The bound configuration, or null when binding stopped at a problem (which is then in {@code problems}). */
    private SluiceConfig bind(JsonNode tree, YamlDocument document, Problems problems) {
        try (JsonParser parser = mapper.treeAsTokens(tree)) {
            try {
                return mapper.readerFor(SluiceConfig.class)
                        .withHandler(new SkipReportedKeys(document.unknownKeys()))
                        .readValue(parser);
            } catch (DatabindException | StreamReadException e) {
                new BindingErrors(mapper, schema, problems).report(e, parser);
                return null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading a document held in memory failed", e);
        }
    }

    /** The mapper binding uses; {@link ConfigModel} reads the same introspection to describe the file. */
    static ObjectMapper newMapper() {
        YAMLFactory yaml = YAMLFactory.builder()
                // YAML 1.1 reads yes/no/on/off as booleans: "host: no" would become "false". Keep the words as text.
                .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
                .build();
        SimpleModule values = new SimpleModule("sluice-config-values")
                .addDeserializer(Duration.class, new TextValueDeserializer<>(Duration.class, Durations::parse))
                .addDeserializer(Secret.class, new TextValueDeserializer<>(Secret.class, Secret::of))
                .addDeserializer(ByteSize.class, new TextValueDeserializer<>(ByteSize.class, ByteSize::parse));
        return YAMLMapper.builder(yaml)
                .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
                .addModule(values)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        // Otherwise "snapshot: 1" silently means the second enum constant.
                        DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                // Jackson's other defaults would repair values: 5432.9 to 5432, 1 to true, "" to null (and so to
                // the default). Each of these fails instead. Strings still become numbers and booleans, as a
                // substituted ${PORT} must.
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .withCoercionConfig(LogicalType.Boolean,
                        config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .withCoercionConfigDefaults(
                        config -> config.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                // A "- " with nothing after it in a list, or a map entry without a value, is an error, not a null.
                .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
                .build();
    }

    private static ConfigException fileProblem(String source, String message) {
        return new ConfigException(List.of(new ConfigProblem(source, 0, 0, KeyPath.ROOT, message, "")));
    }

    /**
     * Lets binding continue past keys the scan already reported as unknown, so that type errors and validation
     * problems elsewhere are reported in the same run. Any other unknown key still fails binding.
     */
    private static final class SkipReportedKeys extends DeserializationProblemHandler {

        private final Set<String> reported;

        SkipReportedKeys(Set<String> reported) {
            this.reported = reported;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
                JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName) throws IOException {
            if (!reported.contains(propertyName)) {
                return false;
            }
            parser.skipChildren();
            return true;
        }
    }
}
