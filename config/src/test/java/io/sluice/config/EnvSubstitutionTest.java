package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvSubstitutionTest {

    private final EnvSubstitution substitution =
            new EnvSubstitution(Map.of("HOST", "db", "PORT", "5432", "EMPTY", "")::get);

    @Test
    void replacesEveryReferenceAndRemembersTheNames() {
        EnvSubstitution.Result result = substitution.resolve("${HOST}:${PORT}/x");

        assertThat(result.resolved()).isTrue();
        assertThat(result.value()).isEqualTo("db:5432/x");
        assertThat(result.variables()).containsExactly("HOST", "PORT");
    }

    @Test
    void defaultAppliesWhenTheVariableIsUnsetOrEmpty() {
        assertThat(substitution.resolve("${MISSING:-a b}").value()).isEqualTo("a b");
        assertThat(substitution.resolve("${EMPTY:-x}").value()).isEqualTo("x");
        assertThat(substitution.resolve("${EMPTY}").value()).isEmpty();
        assertThat(substitution.resolve("${MISSING:-}").value()).isEmpty();
    }

    @Test
    void doubleDollarIsALiteralReference() {
        EnvSubstitution.Result result = substitution.resolve("$${HOST} costs $5 and ${HOST}");

        assertThat(result.value()).isEqualTo("${HOST} costs $5 and db");
        assertThat(result.variables()).containsExactly("HOST");
    }

    @Test
    void reportsEveryUndefinedVariable() {
        EnvSubstitution.Result result = substitution.resolve("${A}-${HOST}-${B}");

        assertThat(result.resolved()).isFalse();
        assertThat(result.undefined()).isEqualTo(List.of("A", "B"));
    }

    @Test
    void rejectsReferencesItCannotRead() {
        assertThat(substitution.resolve("${HOST").malformed()).contains("\"${\" is not closed by \"}\"");
        assertThat(substitution.resolve("${NOT A NAME}").malformed()).isPresent();
        assertThat(substitution.resolve("${A:-${B}}").malformed()).isPresent();
    }

    @Test
    void fileReferenceReadsAMountedSecretWithoutItsTrailingLineBreak(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("pg-password"), "s3cret \n");

        EnvSubstitution.Result result = substitution.resolve("${file:" + secret + "}");

        assertThat(result.resolved()).isTrue();
        assertThat(result.value()).isEqualTo("s3cret ");
        assertThat(result.variables()).containsExactly("file:" + secret);
    }

    @Test
    void missingFileIsReportedByPath(@TempDir Path dir) {
        EnvSubstitution.Result result = substitution.resolve("${file:" + dir.resolve("absent") + "}");

        assertThat(result.resolved()).isFalse();
        assertThat(result.unreadable()).contains("file " + dir.resolve("absent") + " does not exist");
    }
}
