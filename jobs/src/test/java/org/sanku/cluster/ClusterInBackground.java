package org.sanku.cluster;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Starts the cluster's side of {@link ClusterNightlyTest} when a test plan that includes that class begins, so that
 * its child JVMs (the HDFS aside, nothing of it runs in the test JVM's Spark) work while the other classes run; stops
 * the cluster when the plan ends, if the test has not. Registered with the JUnit launcher in
 * {@code META-INF/services}.
 */
public class ClusterInBackground implements TestExecutionListener {

  private static final String TEST = "org.sanku.cluster.ClusterNightlyTest";

  @Override
  public void testPlanExecutionStarted(TestPlan plan) {
    if (org.sanku.spark.TestPlans.includes(plan, TEST)) {
      ClusterRuns.start();
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    ClusterRuns.closeIfStarted();
  }
}
