package org.sanku.spark;

import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/** What a JUnit test plan holds, for the listeners that start a test's child processes with the plan. */
public final class TestPlans {

  private TestPlans() {}

  /** Whether the plan runs the test class named {@code className}. */
  public static boolean includes(TestPlan plan, String className) {
    for (TestIdentifier root : plan.getRoots()) {
      for (TestIdentifier t : plan.getDescendants(root)) {
        if (t.getSource().orElse(null) instanceof ClassSource c && c.getClassName().equals(className)) {
          return true;
        }
      }
    }
    return false;
  }
}
