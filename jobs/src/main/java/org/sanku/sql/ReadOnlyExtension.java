package org.sanku.sql;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * The read-only guard of the sessions that serve users ({@code ./sanku sql}, and the JDBC server after it), as a
 * Spark session extension ({@code spark.sql.extensions}, see {@code SparkSessions.forReaders}), so
 * that it is part of the session itself rather than of one caller. It hooks in twice, both before a statement can
 * have any effect:
 *
 * <ul>
 *   <li>the <b>parser</b>: every statement handed to {@code spark.sql} is checked as parsed ({@link ReadOnly#refusal}),
 *       before analysis. This is where most refusals happen, with the statement's own words in the message. It has
 *       to be this early because analysis already does things: Iceberg's analyser loads a {@code CALL}'s procedure,
 *       reading files by path lists and opens them to infer a schema, and {@code EXPLAIN} runs the analysis of its
 *       statement inside the command and prints any error as its result instead of failing.</li>
 *   <li>a <b>check rule</b>: every plan of the session, SQL or not, is checked once analysed
 *       ({@link ReadOnly#refusalOfAnalyzed}). Spark runs commands eagerly when {@code spark.sql} returns (in
 *       {@code Dataset.ofRows}, through {@code QueryExecution.commandExecuted}), but only after the analysed plan
 *       has passed the check rules, so a refused plan never runs. This covers plans built with the Dataset API and
 *       the bodies of views, and is where the tables are known: branches, tags and snapshots outside main
 *       ({@link MainOnly}), and relations read from files by path.</li>
 * </ul>
 *
 * A refusal throws {@link RefusedException}. The extension must come after Iceberg's in {@code spark.sql.extensions}
 * so that its parser wraps Iceberg's and sees Iceberg's statements ({@code CALL}, {@code ALTER TABLE … CREATE
 * BRANCH}) too; {@link #guards} checks that it does.
 */
public final class ReadOnlyExtension extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectParser(new AbstractFunction2<SparkSession, ParserInterface, ParserInterface>() {
      @Override
      public ParserInterface apply(SparkSession session, ParserInterface delegate) {
        return new GuardedParser(delegate);
      }
    });
    extensions.injectCheckRule(new AbstractFunction1<SparkSession, scala.Function1<LogicalPlan, BoxedUnit>>() {
      @Override
      public scala.Function1<LogicalPlan, BoxedUnit> apply(SparkSession session) {
        return new Check();
      }
    });
    return BoxedUnit.UNIT;
  }

  /**
   * Whether the session carries the guard: its parser is the guard's, outermost, and its analyser runs the guard's
   * check rule.
   */
  public static boolean guards(SparkSession session) {
    boolean checked = JavaConverters.seqAsJavaList(session.sessionState().analyzer().extendedCheckRules()).stream()
        .anyMatch(rule -> rule instanceof Check);
    return checked && session.sessionState().sqlParser() instanceof GuardedParser;
  }

  /** The check rule: refuses an analysed plan that {@link ReadOnly#refusalOfAnalyzed} refuses. */
  static final class Check extends AbstractFunction1<LogicalPlan, BoxedUnit> {
    @Override
    public BoxedUnit apply(LogicalPlan plan) {
      String refusal = ReadOnly.refusalOfAnalyzed(plan);
      if (refusal != null) {
        throw new RefusedException(refusal);
      }
      return BoxedUnit.UNIT;
    }
  }

  /** The session's parser with each parsed statement checked; everything else is the delegate's. */
  static final class GuardedParser implements ParserInterface {

    private final ParserInterface delegate;

    GuardedParser(ParserInterface delegate) {
      this.delegate = delegate;
    }

    @Override
    public LogicalPlan parsePlan(String sqlText) throws ParseException {
      LogicalPlan plan = delegate.parsePlan(sqlText);
      String refusal = ReadOnly.refusal(plan, sqlText);
      if (refusal != null) {
        throw new RefusedException(refusal);
      }
      return plan;
    }

    @Override
    public Expression parseExpression(String sqlText) throws ParseException {
      return delegate.parseExpression(sqlText);
    }

    @Override
    public TableIdentifier parseTableIdentifier(String sqlText) throws ParseException {
      return delegate.parseTableIdentifier(sqlText);
    }

    @Override
    public FunctionIdentifier parseFunctionIdentifier(String sqlText) throws ParseException {
      return delegate.parseFunctionIdentifier(sqlText);
    }

    @Override
    public Seq<String> parseMultipartIdentifier(String sqlText) throws ParseException {
      return delegate.parseMultipartIdentifier(sqlText);
    }

    @Override
    public LogicalPlan parseQuery(String sqlText) throws ParseException {
      return delegate.parseQuery(sqlText);
    }

    @Override
    public StructType parseTableSchema(String sqlText) throws ParseException {
      return delegate.parseTableSchema(sqlText);
    }

    @Override
    public DataType parseDataType(String sqlText) throws ParseException {
      return delegate.parseDataType(sqlText);
    }
  }
}
