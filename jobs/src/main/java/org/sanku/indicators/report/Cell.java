package org.sanku.indicators.report;

import java.time.LocalDate;

/**
 * One published indicator value: an indicator for one period and one division (a row of
 * {@code ind.indicator_value} with the catalog's names and the target beside it).
 *
 * @param indicatorId   catalog id, e.g. {@code elderly_health_mgmt}
 * @param nameZh        Chinese name, e.g. 65岁及以上老年人健康管理率
 * @param nameEn        English name
 * @param unit          {@code %}, {@code ‰} or {@code 岁} (years)
 * @param periodType    {@code year}, {@code ytd}, {@code quarter} or {@code month}
 * @param divisionLevel {@code county}, {@code city} or {@code province}
 * @param parentCode    12-digit code of the division this one rolls up into (null for a province)
 * @param numerator     persons (or records) counted; for life expectancy the deaths in the period
 * @param denominator   the population counted; for life expectancy the mid-period population; 0 = no one
 * @param value         numerator / denominator × factor, or life expectancy at birth; null when the
 *                      denominator is empty (a state, not 0%)
 * @param lower95       lower end of the 95% interval (life expectancy only), else null
 * @param upper95       upper end of the 95% interval, else null
 * @param target        the plan's target for this division (its own or its city's/province's), or null
 * @param targetYear    the year the target is set for
 * @param targetPlan    the plan the target comes from
 * @param higherIsBetter true for rates to raise (coverage, management), false for 漏管 and mortality
 * @param gap           value − target (null when either is null)
 * @param check         when the denominator is (partly) the official year-end population, the registry's count
 *                      beside it and their ratio; null when the value counts over the registry alone
 */
public record Cell(String indicatorId, String nameZh, String nameEn, String unit, String periodType,
    LocalDate periodStart, LocalDate periodEnd, String divisionCode, String divisionLevel, String divisionName,
    String parentCode, long numerator, long denominator, Double value, Double lower95, Double upper95,
    Double target, Integer targetYear, String targetPlan, boolean higherIsBetter, Double gap,
    DenominatorCheck check) {

  /** A value counted over the registry alone. */
  public Cell(String indicatorId, String nameZh, String nameEn, String unit, String periodType,
      LocalDate periodStart, LocalDate periodEnd, String divisionCode, String divisionLevel, String divisionName,
      String parentCode, long numerator, long denominator, Double value, Double lower95, Double upper95,
      Double target, Integer targetYear, String targetPlan, boolean higherIsBetter, Double gap) {
    this(indicatorId, nameZh, nameEn, unit, periodType, periodStart, periodEnd, divisionCode, divisionLevel,
        divisionName, parentCode, numerator, denominator, value, lower95, upper95, target, targetYear, targetPlan,
        higherIsBetter, gap, null);
  }

  /** The registry's count of the denominator: the denominator itself unless an official figure replaced it. */
  public long registryDenominator() {
    return check == null ? denominator : check.registryDenominator();
  }
}
