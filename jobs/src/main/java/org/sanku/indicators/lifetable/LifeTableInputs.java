package org.sanku.indicators.lifetable;

import static org.sanku.indicators.lifetable.AbridgedLifeTable.GROUPS;
import static org.sanku.indicators.lifetable.AbridgedLifeTable.OPEN_GROUP;
import static org.sanku.indicators.lifetable.AbridgedLifeTable.groupLabel;

/**
 * The checks {@link AbridgedLifeTable} makes on its input before computing (see its documentation, "Reliability
 * and errors"): each failure is an {@link IllegalArgumentException} whose message names the age group.
 */
final class LifeTableInputs {

    private LifeTableInputs() {}

    static void check(long[] deaths, double[] population, double years) {
        if (deaths == null) {
            throw new IllegalArgumentException("deaths must not be null");
        }
        if (population == null) {
            throw new IllegalArgumentException("population must not be null");
        }
        if (deaths.length != GROUPS) {
            throw new IllegalArgumentException("deaths has length " + deaths.length + ", expected " + GROUPS
                    + " age groups (0, 1-4, 5-9, ..., 80-84, 85+)");
        }
        if (population.length != GROUPS) {
            throw new IllegalArgumentException("population has length " + population.length + ", expected "
                    + GROUPS + " age groups (0, 1-4, 5-9, ..., 80-84, 85+)");
        }
        if (!(years > 0) || Double.isInfinite(years)) {
            throw new IllegalArgumentException("years must be finite and > 0, got " + years);
        }
        for (int i = 0; i < GROUPS; i++) {
            if (deaths[i] < 0) {
                throw new IllegalArgumentException("negative deaths (" + deaths[i] + ") in age group " + groupLabel(i));
            }
            double p = population[i];
            if (Double.isNaN(p) || Double.isInfinite(p) || p < 0) {
                throw new IllegalArgumentException("population in age group " + groupLabel(i)
                        + " must be finite and >= 0, got " + p);
            }
            if (p == 0.0 && deaths[i] > 0) {
                throw new IllegalArgumentException("age group " + groupLabel(i) + " has " + deaths[i]
                        + " deaths but population 0; a death rate cannot be formed");
            }
        }
        if (deaths[OPEN_GROUP] == 0) {
            throw new IllegalArgumentException("age group " + groupLabel(OPEN_GROUP)
                    + " has no deaths: the open-ended group needs at least one death (e at 85 = 1/M is"
                    + " infinite otherwise); pool more years or areas");
        }
    }
}
