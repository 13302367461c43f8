package org.sanku.ids;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tests for {@link PersonKeys}. */
class PersonKeysTest {

    private static final HexFormat HEX = HexFormat.of();

    /** A 32-byte test key 00 01 02 … 1f; its hex text is easy to search for in messages. */
    private static final byte[] KEY_A = sequentialKey(0x00, 32);
    private static final byte[] KEY_B = sequentialKey(0x40, 32);

    private static final List<String> IDS = List.of(
            "11010519491231002X", "440524188001010014", "34052419800101001X", "511302199001011248", "");

    @Test
    void sm3StandardVector() {
        // GB/T 32905-2016 example 1: SM3("abc").
        SM3Digest sm3 = new SM3Digest();
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        sm3.update(abc, 0, abc.length);
        byte[] out = new byte[sm3.getDigestSize()];
        sm3.doFinal(out, 0);
        assertEquals("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", HEX.formatHex(out));
    }

    @Test
    void matchesJcaHmacSm3() throws Exception {
        // The JCA path goes through BC's provider classes (a separate code path from the
        // lightweight HMac we call), with a provider instance rather than global registration.
        Mac jca = Mac.getInstance("HMACSM3", new BouncyCastleProvider());
        for (byte[] key : List.of(KEY_A, KEY_B, sequentialKey(7, 16), sequentialKey(9, 100))) {
            PersonKeys keys = new PersonKeys(key);
            jca.init(new SecretKeySpec(key, "HMACSM3"));
            for (String id : IDS) {
                String expected = HEX.formatHex(jca.doFinal(id.getBytes(StandardCharsets.UTF_8)));
                assertEquals(expected, keys.personKey(id));
            }
        }
    }

    @Test
    void matchesHmacBuiltByHandFromSm3() {
        // RFC 2104 over SM3 (block size 64 bytes), built from the bare digest, as a check that
        // does not depend on any HMAC implementation: H((K ^ opad) || H((K ^ ipad) || m)).
        // The 100-byte key exercises the "hash keys longer than a block" rule.
        for (byte[] key : List.of(KEY_A, sequentialKey(3, 64), sequentialKey(5, 100))) {
            PersonKeys keys = new PersonKeys(key);
            for (String id : IDS) {
                assertEquals(HEX.formatHex(hmacByHand(key, id.getBytes(StandardCharsets.UTF_8))), keys.personKey(id));
            }
        }
    }

    @Test
    void outputIsStableLowerCaseHex() {
        PersonKeys keys = new PersonKeys(KEY_A);
        String k = keys.personKey("11010519491231002X");
        assertTrue(k.matches("[0-9a-f]{64}"), k);
        assertEquals(k, keys.personKey("11010519491231002X"));
        assertEquals(k, new PersonKeys(KEY_A.clone()).personKey("11010519491231002X"));
        // The input is hashed as given: normalisation is the caller's job.
        assertNotEquals(k, keys.personKey("11010519491231002x"));
    }

    @Test
    void differentKeysGiveDifferentPersonKeys() {
        String id = "11010519491231002X";
        assertNotEquals(new PersonKeys(KEY_A).personKey(id), new PersonKeys(KEY_B).personKey(id));
        // Different IDs under one key differ as well.
        PersonKeys keys = new PersonKeys(KEY_A);
        assertNotEquals(keys.personKey(id), keys.personKey("34052419800101001X"));
    }

    @Test
    void keyIsCopied() {
        byte[] key = KEY_A.clone();
        PersonKeys keys = new PersonKeys(key);
        String before = keys.personKey("11010519491231002X");
        Arrays.fill(key, (byte) 0);
        assertEquals(before, keys.personKey("11010519491231002X"));
    }

    @Test
    void shortKeysAreRejectedWithoutEchoingThem() {
        byte[] shortKey = "secret-fifteen!".getBytes(StandardCharsets.US_ASCII);
        assertEquals(15, shortKey.length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PersonKeys(shortKey));
        assertNoKeyMaterial(e.getMessage(), shortKey);
        assertThrows(IllegalArgumentException.class, () -> new PersonKeys(null));
        assertThrows(IllegalArgumentException.class, () -> new PersonKeys(new byte[0]));
        // Exactly 16 bytes is accepted.
        new PersonKeys(sequentialKey(1, 16));
    }

    @Test
    void toStringNeverShowsTheKey() {
        String text = new PersonKeys(KEY_A).toString();
        assertNoKeyMaterial(text, KEY_A);
        assertTrue(text.contains("redacted"), text);
    }

    @Test
    void parseKeyAcceptsHexAndBase64() {
        String hex = HEX.formatHex(KEY_A);
        assertEquals(64, hex.length());
        assertArrayEquals(KEY_A, PersonKeys.parseKey(hex));
        assertArrayEquals(KEY_A, PersonKeys.parseKey(hex.toUpperCase()));
        assertArrayEquals(KEY_A, PersonKeys.parseKey("  " + hex + "\n"));
        byte[] longKey = sequentialKey(0x10, 48);
        assertArrayEquals(longKey, PersonKeys.parseKey(HEX.formatHex(longKey)));

        String b64 = Base64.getEncoder().encodeToString(KEY_A);
        assertArrayEquals(KEY_A, PersonKeys.parseKey(b64));
        assertArrayEquals(KEY_A, PersonKeys.parseKey(b64.substring(0, 20) + "\n" + b64.substring(20) + "\n"));
        byte[] urlKey = sequentialKey(0xF0, 16); // bytes 0xFB–0xFF encode with '-' and '_'.
        assertArrayEquals(urlKey, PersonKeys.parseKey(Base64.getUrlEncoder().encodeToString(urlKey)));
        // Fewer than 64 hex digits are read as base64, as documented.
        assertEquals(24, PersonKeys.parseKey(HEX.formatHex(sequentialKey(0, 16))).length);
    }

    @Test
    void parseKeyErrorsDoNotEchoTheText() {
        // Note that "abc" or "zz" + 64 hex digits are valid base64 (padding is optional), so
        // only strings outside both alphabets fail here; length is the constructor's concern.
        for (String bad : List.of("this-is-not!a*key%secret", "zz" + HEX.formatHex(KEY_A) + "!", "秘密secret",
                "ab!?")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PersonKeys.parseKey(bad));
            assertFalse(e.getMessage().contains(bad), e.getMessage());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
            assertNull(e.getCause(), "the JDK decoder's message would quote a key character");
        }
        assertThrows(IllegalArgumentException.class, () -> PersonKeys.parseKey(null));
        assertThrows(IllegalArgumentException.class, () -> PersonKeys.parseKey(" \n"));
    }

    @Test
    void environmentTakesPrecedenceOverFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("person.key");
        Files.writeString(file, "\n" + HEX.formatHex(KEY_B) + "\n");
        String id = "11010519491231002X";
        String fromA = new PersonKeys(KEY_A).personKey(id);
        String fromB = new PersonKeys(KEY_B).personKey(id);

        Map<String, String> env = Map.of(PersonKeys.ENV_VAR, Base64.getEncoder().encodeToString(KEY_A));
        assertEquals(fromA, PersonKeys.fromEnvironmentOrFile(env, file).personKey(id));
        assertEquals(fromA, PersonKeys.fromEnvironmentOrFile(env, null).personKey(id));
        assertEquals(fromB, PersonKeys.fromEnvironmentOrFile(Map.of(), file).personKey(id));
        // A blank variable counts as unset, so the file is used.
        assertEquals(fromB, PersonKeys.fromEnvironmentOrFile(Map.of(PersonKeys.ENV_VAR, "  "), file).personKey(id));
    }

    @Test
    void missingKeyIsAnError(@TempDir Path dir) throws Exception {
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> PersonKeys.fromEnvironmentOrFile(Map.of("OTHER", "x"), null));
        assertEquals("no person key: set SANKU_PERSON_KEY or name a key file", none.getMessage());

        Path absent = dir.resolve("absent.key");
        assertThrows(IllegalStateException.class, () -> PersonKeys.fromEnvironmentOrFile(Map.of(), absent));

        Path empty = dir.resolve("empty.key");
        Files.writeString(empty, " \n");
        assertThrows(IllegalStateException.class, () -> PersonKeys.fromEnvironmentOrFile(Map.of(), empty));

        // A key that parses but is too short is rejected without echoing it.
        Path tooShort = dir.resolve("short.key");
        String shortB64 = Base64.getEncoder().encodeToString(sequentialKey(0x61, 8));
        Files.writeString(tooShort, shortB64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PersonKeys.fromEnvironmentOrFile(Map.of(), tooShort));
        assertFalse(e.getMessage().contains(shortB64));
    }

    @Test
    void randomKeysAreLongAndDistinct() {
        byte[] a = PersonKeys.randomKey();
        byte[] b = PersonKeys.randomKey();
        assertEquals(32, a.length);
        assertFalse(Arrays.equals(a, b));
        new PersonKeys(a); // long enough to be accepted
    }

    @Test
    void safeAcrossThreads() throws Exception {
        PersonKeys keys = new PersonKeys(KEY_A);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            ids.add(IdNumbers.make("110105", LocalDate.of(1950, 1, 1).plusDays(i), i % 1000));
        }
        List<String> expected = new ArrayList<>();
        for (String id : ids) {
            expected.add(hexOf(hmacByHand(KEY_A, id.getBytes(StandardCharsets.UTF_8))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    List<String> out = new ArrayList<>();
                    for (int round = 0; round < 5; round++) {
                        out.clear();
                        for (String id : ids) {
                            out.add(keys.personKey(id));
                        }
                    }
                    return out;
                }));
            }
            for (Future<List<String>> f : results) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static byte[] sequentialKey(int first, int length) {
        byte[] key = new byte[length];
        for (int i = 0; i < length; i++) {
            key[i] = (byte) (first + i);
        }
        return key;
    }

    private static byte[] sm3(byte[]... parts) {
        SM3Digest d = new SM3Digest();
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    private static byte[] hmacByHand(byte[] key, byte[] message) {
        int block = 64;
        byte[] k = key.length > block ? sm3(key) : key;
        byte[] ipad = new byte[block];
        byte[] opad = new byte[block];
        for (int i = 0; i < block; i++) {
            byte b = i < k.length ? k[i] : 0;
            ipad[i] = (byte) (b ^ 0x36);
            opad[i] = (byte) (b ^ 0x5c);
        }
        return sm3(opad, sm3(ipad, message));
    }

    private static String hexOf(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Asserts that no common text rendering of the key appears in {@code text}. */
    private static void assertNoKeyMaterial(String text, byte[] key) {
        String[] renderings = {
                HEX.formatHex(key),
                HEX.formatHex(key).toUpperCase(),
                Base64.getEncoder().encodeToString(key),
                Base64.getUrlEncoder().withoutPadding().encodeToString(key),
                new String(key, StandardCharsets.ISO_8859_1),
                Arrays.toString(key),
        };
        for (String r : renderings) {
            assertFalse(text.contains(r), "key material leaked: " + text);
        }
    }
}
