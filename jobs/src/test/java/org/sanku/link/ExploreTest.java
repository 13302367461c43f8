package org.sanku.link;

import org.junit.jupiter.api.Test;

class ExploreTest {
  @Test
  void show() throws Exception {
    var wh = LinkedRegion.warehouse();
    var spark = LinkedRegion.spark();
    for (String t : new String[] {"pop_person", "ehr_person", "ehr_physical_exam", "ehr_tcm_service",
        "ehr_program_enrollment", "ehr_followup", "ehr_fd_contract", "emr_visit", "emr_diagnosis", "ref_division", "ref_org"}) {
      System.out.println("=== std." + t + " rows=" + spark.table(wh.std(t)).count());
      System.out.println(spark.table(wh.std(t)).schema().treeString());
      spark.table(wh.std(t)).show(2, false);
    }
    for (String t : new String[] {"pop_person", "ehr_person", "emr_visit"}) {
      System.out.println("=== id." + t);
      System.out.println(spark.table(wh.id(t)).schema().treeString());
    }
    spark.sql("SELECT * FROM " + wh.ops("ingest_ledger")).show(100, false);
    System.out.println("LANDING " + LinkedRegion.landing());
  }
}
