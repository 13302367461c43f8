package org.sanku.generate;

/**
 * The population registry rows a person is delivered as: the final version, an earlier one when a later night
 * updates the person (a death, a move out, a move inside the region), and the defect on the final one.
 */
final class RegistryDelivery {
  /** The earlier version, or null when the person is delivered once. */
  String[] firstRow;
  int firstNight;
  String[] finalRow;
  int finalNight;
  /** The defect injected into the final version, or null. */
  Defect defect;
  /** The source's error is in the earlier version too (an impossible birth date). */
  boolean firstDefective;
  /** The residence the person moved from inside the region, or null. */
  String movedFrom12;
}
