package org.sanku.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sanku.config.ConfigException;
import org.sanku.spark.TestConfig;

/** The users file, password hashes, scopes and conf/access.yaml: no server, no Spark. */
class UsersTest {

  private static final Set<String> ROLES = Set.of("analyst", "detail");

  @Test
  void aPasswordHashIsSaltedPbkdf2AndChecksOnlyItsPassword() throws Exception {
    String h = Passwords.hash("s3cret-pass".toCharArray(), 10_000);
    String[] p = h.split("\\$");
    assertEquals("pbkdf2-sha256", p[0]);
    assertEquals("10000", p[1]);
    // Recomputed with the JDK directly from the stored salt: the same 32 bytes.
    byte[] salt = Base64.getDecoder().decode(p[2]);
    byte[] want = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
        .generateSecret(new PBEKeySpec("s3cret-pass".toCharArray(), salt, 10_000, 256)).getEncoded();
    assertEquals(Base64.getEncoder().withoutPadding().encodeToString(want), p[3]);
    assertTrue(Passwords.matches("s3cret-pass".toCharArray(), h));
    assertFalse(Passwords.matches("s3cret-pasS".toCharArray(), h));
    // A new salt every time: the same password never gives the same hash.
    assertFalse(h.equals(Passwords.hash("s3cret-pass".toCharArray(), 10_000)));
    assertTrue(Passwords.hash("x".repeat(8).toCharArray()).startsWith("pbkdf2-sha256$600000$"));
    // Too few iterations, a plain text or a fast hash are not hashes Sanku accepts.
    assertThrows(IllegalArgumentException.class, () -> Passwords.hash("abcdefgh".toCharArray(), 1000));
    assertTrue(Passwords.problem("pbkdf2-sha256$1000$" + p[2] + "$" + p[3]).startsWith("too few iterations"));
    assertTrue(Passwords.problem("5f4dcc3b5aa765d61d8327deb882cf99").startsWith("expected pbkdf2-sha256$"));
    assertFalse(Passwords.matches("password".toCharArray(), "password"));
  }

  @Test
  void scopesAreCountiesCitiesProvincesOrAll() {
    assertEquals(List.of("511302"), Scope.parse(List.of("511302")).prefixes());
    assertEquals(List.of("5113"), Scope.parse(List.of("511300000000")).prefixes());
    assertEquals(List.of("51"), Scope.parse(List.of("510000")).prefixes());
    assertEquals(List.of("511302", "511303"), Scope.parse(List.of("511302", "511303", "511302")).prefixes());
    assertEquals(List.of(""), Scope.parse(List.of("ALL")).prefixes());
    assertTrue(Scope.parse(List.of("all")).wholeRegion());
    assertEquals("511302,511381", Scope.parse(List.of("511302000000", "511381")).toString());
    for (String bad : List.of("5113", "51130x", "511302001000", "")) {
      assertThrows(IllegalArgumentException.class, () -> Scope.parse(List.of(bad)), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> Scope.parse(List.of("all", "511302")));
    assertThrows(IllegalArgumentException.class, () -> Scope.parse(List.of()));
  }

  @Test
  void theUsersFileIsWrittenOwnerOnlyAndReadBack(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("users.yaml");
    Users u = Users.empty(f).with(new Users.User("alice", "analyst", Scope.parse(List.of("511302")),
        Passwords.hash("alicepass".toCharArray(), 10_000), false));
    u.with(new Users.User("bob", "detail", Scope.parse(List.of("all")), Passwords.hash("bobpass1".toCharArray(),
        10_000), true)).save();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    assertNull(Users.permissionProblem(f));
    Users back = Users.load(f, ROLES);
    assertEquals(List.of("alice", "bob"), back.all().stream().map(Users.User::name).toList());
    assertEquals(Scope.parse(List.of("511302")), back.get("alice").orElseThrow().scope());
    assertTrue(back.get("bob").orElseThrow().locked());
    assertTrue(Passwords.matches("alicepass".toCharArray(), back.get("alice").orElseThrow().passwordHash()));
    assertFalse(Files.readString(f).contains("alicepass"));
    back.without("alice").save();
    assertEquals(List.of("bob"), Users.load(f, ROLES).all().stream().map(Users.User::name).toList());
    // Readable by others: the server will not use it, and says how to fix it.
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertTrue(Users.permissionProblem(f).contains("chmod 600"), Users.permissionProblem(f));
  }

  @Test
  void aBrokenUsersFileNamesEveryProblemWithItsFileAndField(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("users.yaml");
    Files.writeString(f, """
        users:
          - {name: Alice, role: analyst, scope: ["511302"], password: "pbkdf2-sha256$600000$c2FsdHNhbHQ$eHh4"}
          - {name: bob, role: boss, scope: ["5113"], password: "plain", colour: blue}
        """);
    ConfigException e = assertThrows(ConfigException.class, () -> Users.load(f, ROLES));
    String m = e.getMessage();
    assertTrue(m.contains(f + ": users[0].name: \"Alice\" is not a login name"), m);
    assertTrue(m.contains(f + ": users[0].password: the salt or the hash has the wrong length"), m);
    assertTrue(m.contains(f + ": users[1].role: unknown role \"boss\" (known: analyst, detail)"), m);
    assertTrue(m.contains(f + ": users[1].scope: not a division code: \"5113\""), m);
    assertTrue(m.contains(f + ": users[1].password: expected pbkdf2-sha256$"), m);
    assertTrue(m.contains(f + ": users[1].colour: unknown field"), m);
  }

  @Test
  void theShippedAccessRulesPlaceTheTablesAndRefuseBrokenOnes(@TempDir Path dir) throws Exception {
    AccessRules rules = AccessRules.load(TestConfig.CONF);
    assertEquals("analyst", rules.defaultRole());
    assertEquals(ROLES, rules.roles());
    assertTrue(rules.reads("analyst", "ind", "indicator_value") && rules.reads("analyst", "link", "link_rate")
        && rules.reads("analyst", "ops", "quarantine"));
    assertFalse(rules.reads("analyst", "model", "person") || rules.reads("analyst", "link", "record_link"));
    assertTrue(rules.reads("detail", "std", "pop_person"));
    assertEquals(new AccessRules.Rule("county_code", null, false), rules.rule("model", "person"));
    assertEquals(new AccessRules.Rule(null, "person_key", false), rules.rule("model", "ehr_exam"));
    assertNull(rules.rule("ops", "quarantine"));
    Files.writeString(dir.resolve(AccessRules.FILE), """
        default_role: boss
        roles:
          analyst: {tables: [ind.*, "model person"]}
        tables:
          model.person: {division: "substr(county_code,"}
          ind.target: {shared: true, person: person_key}
          std.ref_org: {divison: x}
        """);
    ConfigException e = assertThrows(ConfigException.class, () -> AccessRules.load(dir));
    String m = e.getMessage();
    Path f = dir.resolve(AccessRules.FILE);
    assertTrue(m.contains(f + ": roles.analyst.tables: \"model person\" is not ns.table"), m);
    assertTrue(m.contains(f + ": default_role: \"boss\" is not one of the roles"), m);
    assertTrue(m.contains(f + ": tables.model.person.division: not a Spark SQL expression"), m);
    assertTrue(m.contains(f + ": tables.ind.target: give shared: true, or division and/or person"), m);
    assertTrue(m.contains(f + ": tables.std.ref_org.divison: unknown key"), m);
  }
}
