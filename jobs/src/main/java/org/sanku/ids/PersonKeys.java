package org.sanku.ids;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * Computes {@code person_key = lower_hex(HMAC-SM3(K_link, normalised_id))} (standards §6.7).
 *
 * <p>A keyed MAC is used instead of a plain SM3 hash because the identity-number space is small
 * and structured (about 10^11 values), so an unkeyed hash could be reversed by enumeration.
 *
 * <p>The Bouncy Castle lightweight API is used directly ({@link HMac} over {@link SM3Digest}), so
 * no JCA provider is registered globally and no JCE signature check applies when bcprov is
 * shaded into a fat jar. {@code HMac} is not thread-safe, so each thread gets its own instance,
 * initialised once with the key: {@code HMac.doFinal} resets to the keyed state, so reuse costs
 * nothing beyond the two SM3 compressions of the message itself.
 *
 * <p>The key is copied on construction and never printed: {@link #toString()} and all
 * exception messages are free of key material. The class is deliberately not
 * {@code Serializable}, so the key is never shipped inside a Spark task closure by accident;
 * build an instance on each executor (for example with
 * {@link #fromEnvironmentOrFile(Map, Path)}).
 */
public final class PersonKeys {

    /** Environment variable holding the linkage key as hex or base64. */
    public static final String ENV_VAR = "SANKU_PERSON_KEY";

    /** Keys shorter than this are rejected; 128 bits is the least HMAC-SM3 should be keyed with. */
    public static final int MIN_KEY_BYTES = 16;

    /** Length of keys made by {@link #randomKey()}: 256 bits, the SM3 output size. */
    public static final int RANDOM_KEY_BYTES = 32;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** SecureRandom is thread-safe, so one shared instance serves every caller. */
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    private final ThreadLocal<HMac> macs;

    /**
     * Creates a key holder.
     *
     * @param key the linkage key, at least {@value #MIN_KEY_BYTES} bytes; it is copied, so the
     *            caller may wipe its array afterwards
     * @throws IllegalArgumentException if the key is null or too short
     */
    public PersonKeys(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("person key is missing");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "person key is too short: " + key.length + " bytes, need at least " + MIN_KEY_BYTES);
        }
        this.key = key.clone();
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private HMac newMac() {
        HMac mac = new HMac(new SM3Digest());
        mac.init(new KeyParameter(key));
        return mac;
    }

    /**
     * Returns the person key for a normalised identifier.
     *
     * @param normalisedId the output of {@link IdNumbers#normalise} for a usable number (or an
     *                     {@code empi_id} for records without one); it is hashed exactly as
     *                     given, so callers must normalise first
     * @return 64 lower-case hex characters
     */
    public String personKey(String normalisedId) {
        Objects.requireNonNull(normalisedId, "normalisedId");
        HMac mac = macs.get();
        byte[] message = normalisedId.getBytes(StandardCharsets.UTF_8);
        mac.update(message, 0, message.length);
        byte[] out = new byte[mac.getMacSize()];
        mac.doFinal(out, 0);
        return toHex(out);
    }

    /** Never shows key material; only says what kind of object this is. */
    @Override
    public String toString() {
        return "PersonKeys[HMAC-SM3, key=<redacted>]";
    }

    /**
     * Parses a key written as hex (at least 64 hex digits, i.e. 256 bits, even length) or as
     * base64 (standard or URL-safe alphabet). Whitespace anywhere is ignored, so wrapped key
     * files work. A string of 64+ hex digits is always read as hex, even though it would also
     * be valid base64.
     *
     * @throws IllegalArgumentException if the text is neither; the message never contains the text
     */
    public static byte[] parseKey(String text) {
        if (text == null) {
            throw new IllegalArgumentException("person key text is missing");
        }
        String compact = removeWhitespace(text);
        if (compact.isEmpty()) {
            throw new IllegalArgumentException("person key text is empty");
        }
        if (compact.length() >= 64 && compact.length() % 2 == 0 && isHex(compact)) {
            return fromHex(compact);
        }
        // The JDK decoder messages quote the offending character, which is part of the key, so
        // the original exceptions are deliberately dropped rather than chained.
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException notStandard) {
            try {
                return Base64.getUrlDecoder().decode(compact);
            } catch (IllegalArgumentException notUrlSafe) {
                throw new IllegalArgumentException(
                        "person key is neither hex (at least 64 hex digits) nor base64");
            }
        }
    }

    /**
     * Loads the key from {@value #ENV_VAR} in {@code env} if it is set and not blank, otherwise
     * from the key file (its trimmed text), otherwise fails.
     *
     * @param env           usually {@code System.getenv()}; passed in so tests can control it
     * @param keyFileOrNull a file holding the key as hex or base64, or null
     * @throws IllegalStateException    if neither source is available or the file cannot be read
     * @throws IllegalArgumentException if the key text cannot be parsed or is too short
     */
    public static PersonKeys fromEnvironmentOrFile(Map<String, String> env, Path keyFileOrNull) {
        Objects.requireNonNull(env, "env");
        String fromEnv = env.get(ENV_VAR);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromText(fromEnv);
        }
        if (keyFileOrNull != null) {
            String text;
            try {
                text = Files.readString(keyFileOrNull, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                // The path is not secret; the file content never reaches this message.
                throw new IllegalStateException("cannot read person key file " + keyFileOrNull, e);
            }
            if (text.isEmpty()) {
                throw new IllegalStateException("person key file " + keyFileOrNull + " is empty");
            }
            return fromText(text);
        }
        throw new IllegalStateException("no person key: set SANKU_PERSON_KEY or name a key file");
    }

    /** Returns {@value #RANDOM_KEY_BYTES} bytes from a {@link SecureRandom}, for new key versions. */
    public static byte[] randomKey() {
        byte[] key = new byte[RANDOM_KEY_BYTES];
        RANDOM.nextBytes(key);
        return key;
    }

    private static PersonKeys fromText(String text) {
        byte[] key = parseKey(text);
        try {
            return new PersonKeys(key);
        } finally {
            // The constructor keeps its own copy; do not leave a second one lying around.
            Arrays.fill(key, (byte) 0);
        }
    }

    private static String removeWhitespace(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && c != '\uFEFF') {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isHex(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            // Explicit ASCII ranges: Character.digit would also accept full-width digits.
            char c = s.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) {
                return false;
            }
        }
        return true;
    }

    private static byte[] fromHex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) ((Character.digit(s.charAt(2 * i), 16) << 4) | Character.digit(s.charAt(2 * i + 1), 16));
        }
        return out;
    }

    private static String toHex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
