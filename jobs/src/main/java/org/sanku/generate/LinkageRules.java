package org.sanku.generate;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.sanku.generate.Facts.Person;
import org.sanku.generate.Facts.Visit;
import org.sanku.ids.IdNumbers;

/**
 * The linkage the pipeline is expected to apply (the recoverability rules of the truth folder's README), read
 * independently of the pipeline: whether a delivered row can still be tied to its registry person.
 */
final class LinkageRules {

  private static final DateTimeFormatter STRICT_BASIC = DateTimeFormatter.ofPattern("uuuuMMdd")
      .withResolverStyle(ResolverStyle.STRICT);
  private static final DateTimeFormatter STRICT_ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd")
      .withResolverStyle(ResolverStyle.STRICT);

  private final GenContext ctx;
  /** Registry IDs (normalised, usable) of this chunk, for the borrowed-ID check of babies' records. */
  private final Set<String> registryIds = new HashSet<>();

  LinkageRules(GenContext ctx, List<Person> persons) {
    this.ctx = ctx;
    for (Person p : persons) {
      if (!p.registryLost && p.registryNormId != null) {
        registryIds.add(p.registryNormId);
      }
    }
  }

  /** Is an identity-bearing row (ehr_person or emr_visit) linkable to person p, the way linkage works? */
  boolean linkable(Person p, String[] row, Tables t) {
    if (p == null || p.registryLost) {
      return false;
    }
    IdNumbers.Result id = IdNumbers.normalise(row[t.col("id_no")], ctx.asOf);
    LocalDate birth = parseDate(row[t.col("birth_date")]);
    String sex = mapSex(row[t.col("sex_code")]);
    String name = normName(row[t.col("name")]);
    if (id.usable()) {
      if (id.normalised().equals(p.registryNormId)) {
        return p.birth.equals(birth) || (String.valueOf(p.sex).equals(sex) && normName(p.name).equals(name));
      }
      if (registryIds.contains(id.normalised())) {
        return false; // someone else's registry ID: a conflict, never merged
      }
    }
    String div = row[t.col("current_division_code")];
    int county = ctx.countyOfDelivered(div);
    if (birth == null || county != p.county || !p.birth.equals(birth) || !String.valueOf(p.sex).equals(sex)
        || !normName(p.name).equals(name)) {
      return false;
    }
    return Arrays.binarySearch(ctx.ambiguousK1, k1Hash(p.name, p.sex, p.birth, p.county)) < 0;
  }

  /**
   * Rule 4: a visit without its own link is tied through the health card another linked visit of the person
   * carries. {@code carriesCard} says whether a visit's delivered row holds the person's own card number.
   */
  static void linkThroughHealthCard(Person p, Predicate<Visit> carriesCard) {
    if (p.healthCard == null || p.registryLost) {
      return;
    }
    boolean anchored = false;
    for (Visit v : p.visits) {
      anchored |= v.rec && carriesCard.test(v);
    }
    if (anchored) {
      for (Visit v : p.visits) {
        if (!v.rec && v.accepted && carriesCard.test(v)) {
          v.rec = true;
        }
      }
    }
  }

  /**
   * A name as linkage compares it: without white space of any kind (space, tab, NBSP, the ideographic space,
   * zero-width space, BOM), every middle-dot look-alike as one middle dot, Latin letters upper-case; so 张 三 and
   * 张三 are one name. A null name is the empty one.
   */
  static String normName(String name) {
    if (name == null) {
      return "";
    }
    String noSpace = WHITE.matcher(name).replaceAll("");
    return DOTS.matcher(noSpace).replaceAll("\u00B7").toUpperCase(java.util.Locale.ROOT);
  }

  private static final java.util.regex.Pattern WHITE =
      java.util.regex.Pattern.compile("[\\s\\x{00A0}\\x{3000}\\x{200B}\\x{FEFF}]");
  private static final java.util.regex.Pattern DOTS =
      java.util.regex.Pattern.compile("[\\x{2022}\\x{30FB}\\x{FF0E}.\\x{FF65}]");

  /**
   * Rule 4 for two persons whose visits carry one card number. Linkage ties an unlinked visit through the card
   * only when the card's linked visits all belong to one person and every unlinked visit carrying it agrees with
   * that person (birth date, or sex and name, as rule 1 checks an ID): a card that is seen on two persons links
   * nothing. The pair is built so that the two never agree (different birth dates and names), so the card ties
   * visits only when just one of the two has visits carrying it at all.
   */
  static void linkThroughSharedCard(Person a, Person b, Predicate<Visit> carriesCard) {
    boolean aAnchored = anchored(a, carriesCard);
    boolean bAnchored = anchored(b, carriesCard);
    if (aAnchored == bAnchored) {
      return;
    }
    Person holder = aAnchored ? a : b;
    Person other = aAnchored ? b : a;
    for (Visit v : other.visits) {
      if (!v.rec && v.accepted && carriesCard.test(v)) {
        return;
      }
    }
    linkThroughHealthCard(holder, carriesCard);
  }

  private static boolean anchored(Person p, Predicate<Visit> carriesCard) {
    for (Visit v : p.visits) {
      if (v.rec && carriesCard.test(v)) {
        return true;
      }
    }
    return false;
  }

  /** The 64-bit hash of the name + sex + birth date + county key, the fallback link when the ID is unusable. */
  static long k1Hash(String name, int sex, LocalDate birth, int county) {
    long h = 1125899906842597L;
    String s = name + "|" + sex + "|" + birth + "|" + county;
    for (int i = 0; i < s.length(); i++) {
      h = 31 * h + s.charAt(i);
    }
    return GenContext.mix(h, s.length(), 7);
  }

  /** A delivered sex code as ingest maps it (the local 男/女 to the national 1/2). */
  private static String mapSex(String v) {
    if (v == null) {
      return null;
    }
    v = v.trim();
    return v.equals("男") ? "1" : v.equals("女") ? "2" : v;
  }

  /** A delivered date as ingest reads it (yyyyMMdd or yyyy-MM-dd, impossible dates rejected), else null. */
  static LocalDate parseDate(String v) {
    if (v == null) {
      return null;
    }
    String s = v.trim();
    try {
      if (s.length() == 8) {
        return LocalDate.parse(s, STRICT_BASIC);
      }
      if (s.length() == 10) {
        return LocalDate.parse(s, STRICT_ISO);
      }
    } catch (DateTimeParseException e) {
      return null;
    }
    return null;
  }
}
