package org.sanku.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** schemas/integrated/*.yaml describe exactly the tables {@link IntegratedTables} defines (no Spark needed). */
class IntegratedSchemasTest {

  static final Path DIR = Path.of("..", "schemas", "integrated");

  @Test
  void everyTableHasItsYamlWithTheSameColumnsTypesAndDescriptions() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Set<String> files = new TreeSet<>();
    try (Stream<Path> s = Files.list(DIR)) {
      s.filter(p -> p.toString().endsWith(".yaml")).forEach(p -> files.add(p.getFileName().toString()));
    }
    Set<String> expected = new TreeSet<>();
    for (IntegratedTables.Spec spec : IntegratedTables.all()) {
      expected.add(spec.table() + ".yaml");
      JsonNode doc = yaml.readTree(DIR.resolve(spec.table() + ".yaml").toFile());
      assertEquals(spec.table(), doc.get("table").asText());
      assertEquals(spec.namespace(), doc.get("namespace").asText());
      assertEquals(spec.description(), doc.get("description").asText());
      List<IntegratedTables.Col> cols = new ArrayList<>();
      for (JsonNode c : doc.get("columns")) {
        cols.add(new IntegratedTables.Col(c.get("name").asText(), c.get("type").asText(),
            c.get("description").asText()));
      }
      assertEquals(spec.columns(), cols, spec.table());
      for (IntegratedTables.Col c : cols) {
        c.sparkType(); // a known type
        assertFalse(c.description().isBlank(), spec.table() + "." + c.name());
      }
    }
    assertEquals(expected, files);
    assertTrue(Files.exists(DIR.resolve("README.md")));
  }

  @Test
  void modelTablesAreKeyedByPersonKey() {
    for (IntegratedTables.Spec spec : IntegratedTables.all()) {
      if (spec.namespace().equals("model")) {
        assertTrue(spec.names().contains("person_key"), spec.table());
      }
    }
  }
}
