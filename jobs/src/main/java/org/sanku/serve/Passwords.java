package org.sanku.serve;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes of the users file: PBKDF2-HMAC-SHA256 from the JDK, a random 16-byte salt per password and a
 * high iteration count, stored as {@code pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>}. The count is in
 * each hash, so a file written with a higher one later still checks the older hashes. A slow hash, because the file
 * is a copy of every password's check: whoever reads it must not be able to try guesses quickly.
 */
public final class Passwords {

  /** OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023): about 0.3–1 s per check on one core. */
  public static final int DEFAULT_ITERATIONS = 600_000;

  /** Below this a stored hash is refused as too weak to be one Sanku wrote. */
  public static final int MIN_ITERATIONS = 10_000;

  private static final String SCHEME = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Passwords() {}

  /** The stored form of a password at the default iteration count. */
  public static String hash(char[] password) {
    return hash(password, DEFAULT_ITERATIONS);
  }

  /** The stored form of a password at a given iteration count (at least {@link #MIN_ITERATIONS}). */
  public static String hash(char[] password, int iterations) {
    if (iterations < MIN_ITERATIONS) {
      throw new IllegalArgumentException("at least " + MIN_ITERATIONS + " iterations, not " + iterations);
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
        + b64.encodeToString(derive(password, salt, iterations));
  }

  /**
   * Why a stored hash cannot be used, or null when it is well formed ({@code scheme$iterations$salt$hash}, a known
   * scheme, enough iterations, a salt and a 256-bit hash).
   */
  public static String problem(String stored) {
    String[] p = stored == null ? new String[0] : stored.split("\\$", -1);
    if (p.length != 4 || !p[0].equals(SCHEME)) {
      return "expected " + SCHEME + "$<iterations>$<salt>$<hash> (as ./sanku user add writes it)";
    }
    try {
      int iterations = Integer.parseInt(p[1]);
      if (iterations < MIN_ITERATIONS) {
        return "too few iterations (" + iterations + ", at least " + MIN_ITERATIONS + ")";
      }
      byte[] salt = Base64.getDecoder().decode(p[2]);
      byte[] hash = Base64.getDecoder().decode(p[3]);
      if (salt.length < 8 || hash.length != HASH_BITS / 8) {
        return "the salt or the hash has the wrong length";
      }
    } catch (IllegalArgumentException e) {
      return "the iteration count, salt or hash is not readable";
    }
    return null;
  }

  /** Whether the password matches the stored hash (false for a malformed one); compared in constant time. */
  public static boolean matches(char[] password, String stored) {
    if (problem(stored) != null) {
      return false;
    }
    String[] p = stored.split("\\$", -1);
    byte[] salt = Base64.getDecoder().decode(p[2]);
    byte[] want = Base64.getDecoder().decode(p[3]);
    byte[] got = derive(password, salt, Integer.parseInt(p[1]));
    boolean same = MessageDigest.isEqual(want, got);
    Arrays.fill(got, (byte) 0);
    return same;
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret((KeySpec) spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }
}
