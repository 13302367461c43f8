package org.sanku.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a stored result was computed from, as text, and the comparison with a run's inputs. Snapshots that differ
 * are compared through the table's history (ChangedRowsTest); here they are equal, or one side is absent, so no
 * table is loaded.
 */
class ComputedFromTest {

  private static final Map<String, Long> READ = Map.of("sanku.model.person", 5L, "sanku.std.ref_population", -1L);

  @Test
  void theTextListsEveryTableInNameOrderAndReadsBack() {
    String text = ComputedFrom.text("counts=ab12", READ);
    assertEquals("counts=ab12;tables=sanku.model.person@5,sanku.std.ref_population@-1,", text);
    assertEquals(READ, ComputedFrom.tables(text.substring(text.indexOf(";tables=") + 8)));
    assertEquals(Map.of(), ComputedFrom.tables(""));
  }

  @Test
  void aRunOverTheSameInputsFindsTheStoredResultItsOwn() {
    String stored = ComputedFrom.text("counts=ab12", READ);
    assertNull(ComputedFrom.whyNot(null, stored, "counts=ab12", READ::get));
  }

  @Test
  void otherInputsSayWhatDiffers() {
    String stored = ComputedFrom.text("counts=ab12", READ);
    assertEquals("its definitions or code differ", ComputedFrom.whyNot(null, stored, "counts=cd34", READ::get));
    assertEquals("its definitions or code differ", ComputedFrom.whyNot(null, null, "counts=ab12", READ::get));
    // Absent then, there now; there then, absent now.
    assertEquals("sanku.std.ref_population changed since", ComputedFrom.whyNot(null, stored, "counts=ab12",
        t -> t.equals("sanku.std.ref_population") ? 7L : READ.get(t)));
    assertEquals("sanku.model.person changed since", ComputedFrom.whyNot(null, stored, "counts=ab12",
        t -> t.equals("sanku.model.person") ? -1L : READ.get(t)));
  }

  /**
   * A basis's named parts after its digest: when only one differs (the same catalog and code over other periods),
   * the reason names it with both values; when the digest differs too, or the parts are not the same ones, it is
   * the definitions or code.
   */
  @Test
  void aNamedPartOfTheBasisThatDiffersIsNamed() {
    String stored = ComputedFrom.text("counts=ab12;periods=ytd 2025-01-01..2025-12-30", READ);
    assertEquals("its periods differ: ytd 2025-01-01..2025-12-30 then, year 2025-01-01..2025-12-31 now",
        ComputedFrom.whyNot(null, stored, "counts=ab12;periods=year 2025-01-01..2025-12-31", READ::get));
    assertEquals("its definitions or code differ",
        ComputedFrom.whyNot(null, stored, "counts=cd34;periods=year 2025-01-01..2025-12-31", READ::get));
    assertEquals("its definitions or code differ", ComputedFrom.whyNot(null, stored, "counts=ab12", READ::get));
    assertEquals("its definitions or code differ",
        ComputedFrom.whyNot(null, stored, "counts=ab12;years=2025", READ::get));
    assertEquals("its definitions or code differ", ComputedFrom.whyNot(null, "counts=ab12;periods=2025",
        "counts=ab12;periods=2024", READ::get), "no table list: not a text of this kind");
  }

  /** A damaged text (edited by hand, cut short) is not a reason to fail the run: the result is computed again. */
  @Test
  void aTextThatCannotBeReadIsNotTheRunsInputs() {
    for (String list : List.of("sanku.model.person@five,", "sanku.model.person,", "@5,", "sanku.model.person@")) {
      assertNull(ComputedFrom.tables(list), list);
      assertEquals("what it was computed from cannot be read",
          ComputedFrom.whyNot(null, "counts=ab12;tables=" + list, "counts=ab12", READ::get), list);
    }
  }

  @Test
  void theDigestFollowsTheCodeAndTheText() {
    String a = ComputedFrom.digest(List.of(ComputedFrom.class), "catalog 1");
    assertEquals(16, a.length());
    assertEquals(a, ComputedFrom.digest(List.of(ComputedFrom.class), "catalog 1"));
    assertNotEquals(a, ComputedFrom.digest(List.of(ComputedFrom.class), "catalog 2"));
    assertNotEquals(a, ComputedFrom.digest(List.of(ComputedFrom.class, ChangedRows.class), "catalog 1"));
  }
}
