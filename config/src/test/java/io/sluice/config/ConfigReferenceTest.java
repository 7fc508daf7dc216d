package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {

    static final String FILE = "docs/configuration.md";

    @Test
    void checkedInReferenceIsTheGeneratedOne() throws IOException {
        GeneratedFile.check(FILE, ConfigReference.generate());
    }

    @Test
    void everyLinkWithinTheReferenceLeadsToAHeading() {
        String reference = ConfigReference.generate();
        Set<String> anchors = Pattern.compile("(?m)^#+ (.+)$").matcher(reference).results()
                .map(heading -> ConfigReference.slug(heading.group(1))).collect(Collectors.toSet());

        Matcher links = Pattern.compile("\\]\\(#([^)]+)\\)").matcher(reference);
        while (links.find()) {
            assertThat(anchors).as("anchor of a link in the reference").contains(links.group(1));
        }
    }

    @Test
    void everyKeyOfEveryMappingHasARow() {
        String reference = ConfigReference.generate();
        for (ConfigModel.Definition definition : ConfigModel.load().definitions()) {
            if (definition instanceof ConfigModel.RecordDef record) {
                String section = reference.substring(reference.indexOf("### " + record.title() + "\n"));
                for (ConfigModel.Property property : record.properties()) {
                    assertThat(section).as(record.name()).contains("\n| `" + property.key() + "` | ");
                }
            }
        }
    }

    @Test
    void theLoaderPointsAtTheRowFilterSection() {
        assertThat(ConfigReference.generate()).contains("\n## Row filters\n");
    }
}
