package org.sanku.indicators;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;

/**
 * A period P = [start, end] with its reference date R = end. Types: {@code year} (a closed calendar year),
 * {@code ytd} (1 January to the as-of date), {@code quarter} and {@code month}.
 */
public record Period(String type, LocalDate start, LocalDate end) {

  public Period {
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("period ends before it starts: " + start + " … " + end);
    }
    if (start.getYear() != end.getYear()) {
      throw new IllegalArgumentException("a period lies within one calendar year: " + start + " … " + end);
    }
  }

  public static Period year(int y) {
    return new Period("year", LocalDate.of(y, 1, 1), LocalDate.of(y, 12, 31));
  }

  /** Year to date as of a date; a 31 December as-of date gives the whole (closed) year. */
  public static Period yearToDate(LocalDate asOf) {
    if (asOf.getMonthValue() == 12 && asOf.getDayOfMonth() == 31) {
      return year(asOf.getYear());
    }
    return new Period("ytd", asOf.withDayOfYear(1), asOf);
  }

  public static Period quarter(int y, int q) {
    LocalDate s = LocalDate.of(y, 3 * (q - 1) + 1, 1);
    return new Period("quarter", s, s.plusMonths(3).minusDays(1));
  }

  public static Period month(int y, int m) {
    LocalDate s = LocalDate.of(y, m, 1);
    return new Period("month", s, s.plusMonths(1).minusDays(1));
  }

  /**
   * Parses a period argument: {@code 2025} (year), {@code 2025-Q3}, {@code 2025-07} (month) or {@code ytd:2025-11-24}.
   */
  public static Period parse(String s) {
    String t = s.trim();
    try {
      if (t.matches("\\d{4}")) {
        return year(Integer.parseInt(t));
      }
      if (t.matches("\\d{4}-[Qq][1-4]")) {
        return quarter(Integer.parseInt(t.substring(0, 4)), t.charAt(6) - '0');
      }
      if (t.matches("\\d{4}-\\d{2}")) {
        return month(Integer.parseInt(t.substring(0, 4)), Integer.parseInt(t.substring(5)));
      }
      if (t.startsWith("ytd:")) {
        return yearToDate(LocalDate.parse(t.substring(4)));
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("not a period: '" + s + "' (2025, 2025-Q3, 2025-07 or ytd:2025-11-24)");
  }

  /** The periods a nightly run computes: the year to date, and each closed year from {@code firstYear}. */
  public static List<Period> nightly(LocalDate asOf, int firstYear) {
    List<Period> out = new ArrayList<>();
    Period ytd = yearToDate(asOf);
    for (int y = firstYear; y < asOf.getYear(); y++) {
      out.add(year(y));
    }
    out.add(ytd);
    return out;
  }

  /** Reference date R. */
  public LocalDate ref() {
    return end;
  }

  public long days() {
    return ChronoUnit.DAYS.between(start, end) + 1;
  }

  public int yearDays() {
    return start.lengthOfYear();
  }

  /** Mid-period date: start + (days − 1) / 2. */
  public LocalDate mid() {
    return start.plusDays((days() - 1) / 2);
  }

  /** First day of the 365 days ending R. */
  public LocalDate windowStart() {
    return end.minusDays(364);
  }

  /** Length in years (days / days in the year), the life table's person-years factor. */
  public double years() {
    return days() / (double) yearDays();
  }

  /** A stable label: 2025, 2025-Q3, 2025-07, 2025-01-01..2025-11-24. */
  public String label() {
    return switch (type) {
      case "year" -> String.valueOf(start.getYear());
      case "quarter" -> start.getYear() + "-Q" + start.get(IsoFields.QUARTER_OF_YEAR);
      case "month" -> start.toString().substring(0, 7);
      default -> start + ".." + end;
    };
  }
}
