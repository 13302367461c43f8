package org.sanku.ingest;

/**
 * Fault injection for the crash-recovery test: when {@code SANKU_CRASH_POINT} names a point this run reaches,
 * the JVM stops there (it waits to be killed), so a test can SIGKILL it half-way through a drop.
 */
final class CrashPoint {

  private CrashPoint() {}

  static void reached(String point) {
    String want = System.getenv("SANKU_CRASH_POINT");
    if (want != null && want.equals(point)) {
      System.out.println("crash point reached: " + point);
      System.out.flush();
      try {
        Thread.sleep(600_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
