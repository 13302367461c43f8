package org.sanku.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.config.Settings;

/** conf/sanku.yaml: the shipped file, refusals with file and key named, and where the person key comes from. */
class SettingsTest {

  private static final String KEY_A = "11".repeat(32);
  private static final String KEY_B = "22".repeat(32);
  private static final String KEY_C = "33".repeat(32);

  @Test
  void theShippedFileStatesTheDefaults() {
    Settings s = Settings.load(Paths.get("..", "conf"));
    assertNull(s.personKeyFile());
    assertEquals(Settings.Maintenance.DEFAULT, s.maintenance());
    assertEquals(new Settings.Maintenance(0.3, 30, 30, 10), s.maintenance());
  }

  @Test
  void noFileGivesTheDefaults(@TempDir Path conf) {
    assertEquals(Settings.defaults(), Settings.load(conf));
  }

  @Test
  void valuesAreReadAndBadOnesRefusedWithFileAndKey(@TempDir Path conf) throws Exception {
    Path f = conf.resolve("sanku.yaml");
    Files.writeString(f, "person_key_file: keys/person.key\nmaintenance:\n  compact_small_files: 0\n"
        + "  snapshot_retention_days: 7\n");
    Settings s = Settings.load(conf);
    assertEquals(conf.resolve("keys/person.key"), s.personKeyFile());
    assertEquals(new Settings.Maintenance(0.3, 0, 7, 10), s.maintenance());

    Files.writeString(f, "maintenance:\n  snapshot_retention: 7\n");
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Settings.load(conf));
    assertTrue(unknown.getMessage().startsWith(f + ": maintenance.snapshot_retention: unknown setting"),
        unknown.getMessage());

    Files.writeString(f, "maintenance:\n  snapshots_to_keep: 0\n");
    IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> Settings.load(conf));
    assertTrue(low.getMessage().contains("maintenance.snapshots_to_keep: expected a whole number ≥ 1, found 0"),
        low.getMessage());

    Files.writeString(f, "maintenance:\n  compact_deleted_share: 30%\n");
    IllegalArgumentException share = assertThrows(IllegalArgumentException.class, () -> Settings.load(conf));
    assertTrue(share.getMessage().contains("maintenance.compact_deleted_share: expected a share from 0 to 1"),
        share.getMessage());
  }

  @Test
  void theKeyComesFromTheOptionThenTheEnvironmentThenTheSettings(@TempDir Path conf) throws Exception {
    Path a = Files.writeString(conf.resolve("a.key"), KEY_A + "\n");
    Files.writeString(conf.resolve("c.key"), KEY_C);
    Files.writeString(conf.resolve("sanku.yaml"), "person_key_file: c.key\n");
    HexFormat hex = HexFormat.of();
    assertArrayEquals(hex.parseHex(KEY_A), RunOptions.personKey(a, KEY_B, conf));
    assertArrayEquals(hex.parseHex(KEY_B), RunOptions.personKey(null, KEY_B, conf));
    assertArrayEquals(hex.parseHex(KEY_C), RunOptions.personKey(null, "  ", conf));

    Files.delete(conf.resolve("sanku.yaml"));
    IllegalStateException none =
        assertThrows(IllegalStateException.class, () -> RunOptions.personKey(null, null, conf));
    assertTrue(none.getMessage().contains("--key-file") && none.getMessage().contains("SANKU_PERSON_KEY")
        && none.getMessage().contains("person_key_file"), none.getMessage());

    // A key file named in the settings that is not there: refused with its path.
    Files.writeString(conf.resolve("sanku.yaml"), "person_key_file: keys/missing.key\n");
    IllegalStateException missing =
        assertThrows(IllegalStateException.class, () -> RunOptions.personKey(null, null, conf));
    assertTrue(missing.getMessage().contains("cannot read the key file " + conf.resolve("keys/missing.key")),
        missing.getMessage());

    Path empty = Files.writeString(conf.resolve("empty.key"), "\n");
    IllegalStateException blank =
        assertThrows(IllegalStateException.class, () -> RunOptions.personKey(empty, null, conf));
    assertTrue(blank.getMessage().contains("empty"), blank.getMessage());

    // A key file that is not a key: the message never holds its text.
    Path bad = Files.writeString(conf.resolve("bad.key"), "not-a-key-but-secret!");
    Exception e = assertThrows(Exception.class, () -> RunOptions.personKey(bad, null, conf));
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }
}
