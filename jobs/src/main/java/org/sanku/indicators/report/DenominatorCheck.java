package org.sanku.indicators.report;

/**
 * The registry's count beside an official denominator: present on a value whose indicator counted over the official
 * year-end resident population ({@code std.ref_population}) in its period, absent (null on the cell) otherwise.
 *
 * @param officialYear        the year whose year-end figures the period used
 * @param registryDenominator the registry's count of the denominator (every county of the division)
 * @param officialDenominator the sum of the official figures of the division's counties that have one; null when
 *                            none of them has one (the value then counts over the registry)
 * @param ratio               registry count ÷ official figure over the counties that have a figure (the
 *                            cross-check: 1 is perfect agreement, below 1 the registry misses residents); null when
 *                            no county of the division has a figure
 * @param partial             some county of the division has no figure, and its registry count is in the
 *                            denominator instead (notes NO_OFFICIAL_DENOMINATOR, OFFICIAL_PARTIAL)
 */
public record DenominatorCheck(int officialYear, long registryDenominator, Long officialDenominator, Double ratio,
    boolean partial) {}
