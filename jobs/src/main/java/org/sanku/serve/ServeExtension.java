package org.sanku.serve;

import java.util.List;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal$;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.CollectMetrics;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.GlobalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LocalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ParsedStatement;
import org.apache.spark.sql.execution.command.DescribeQueryCommand;
import org.apache.spark.sql.execution.command.ExplainCommand;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.sanku.sql.RefusedException;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * The JDBC server's part of its connections' Spark sessions, beside the read-only guard
 * ({@code org.sanku.sql.ReadOnlyExtension}, which every connection has too):
 *
 * <ul>
 *   <li>a <b>check rule</b> ({@link AccessCheck}): every analysed plan is checked against the connection's login
 *       (role and scope) before it runs;</li>
 *   <li>a <b>parser</b> that puts the row cap on every query ({@code LIMIT}, so Spark stops reading there and a
 *       {@code SELECT *} of a big table cannot fill the server's memory) and, on top, an observation counting the
 *       rows returned, which the log reports. The observation also marks the query as a statement's root: Spark
 *       runs the check rules on each view's body and each subquery on its own as well, where a published view's
 *       body would look like a direct read of the catalog; the check rule looks at whole statements only, which
 *       hold all of those.</li>
 * </ul>
 *
 * The parser sits inside the guard's (the guard must be outermost, {@code ReadOnlyExtension.guards}); it changes
 * only whole statements ({@code parsePlan}), never the text of a view, which Spark parses with {@code parseQuery}.
 */
public final class ServeExtension extends AbstractFunction1<SparkSessionExtensions, BoxedUnit> {

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectParser(new AbstractFunction2<SparkSession, ParserInterface, ParserInterface>() {
      @Override
      public ParserInterface apply(SparkSession session, ParserInterface delegate) {
        return new CappingParser(session, delegate);
      }
    });
    extensions.injectCheckRule(new AbstractFunction1<SparkSession, scala.Function1<LogicalPlan, BoxedUnit>>() {
      @Override
      public scala.Function1<LogicalPlan, BoxedUnit> apply(SparkSession session) {
        return new AbstractFunction1<LogicalPlan, BoxedUnit>() {
          @Override
          public BoxedUnit apply(LogicalPlan plan) {
            ServerState state = ServerState.current();
            if (state == null) {
              throw new RefusedException("the Sanku JDBC server is not running");
            }
            String refusal = new AccessCheck(state, state.login(session)).refusal(plan);
            if (refusal != null) {
              throw new RefusedException(refusal);
            }
            return BoxedUnit.UNIT;
          }
        };
      }
    });
    return BoxedUnit.UNIT;
  }

  /** The session's parser with the row cap and the row count on every query. */
  static final class CappingParser implements ParserInterface {

    private final SparkSession session;
    private final ParserInterface delegate;

    CappingParser(SparkSession session, ParserInterface delegate) {
      this.session = session;
      this.delegate = delegate;
    }

    @Override
    public LogicalPlan parsePlan(String sqlText) throws ParseException {
      LogicalPlan plan = delegate.parsePlan(sqlText);
      ServerState state = ServerState.current();
      if (state == null) {
        return plan;
      }
      // EXPLAIN and DESCRIBE QUERY analyse their query when they run: it is a statement's root too.
      if (plan instanceof ExplainCommand e && isQuery(e.logicalPlan())) {
        return new ExplainCommand(marked(e.logicalPlan(), null), e.mode());
      }
      if (plan instanceof DescribeQueryCommand d && isQuery(d.plan())) {
        return new DescribeQueryCommand(d.queryText(), marked(d.plan(), null));
      }
      if (!isQuery(plan)) {
        return plan;
      }
      long cap = state.settings.limits().maxRows();
      if (cap > 0) {
        Expression limit = Literal$.MODULE$.apply((int) cap);
        plan = new GlobalLimit(limit, new LocalLimit(limit, plan));
      }
      // HiveServer2 puts each statement's jobs in a group named by the statement's id: the count carries it to
      // the log line of that statement.
      return marked(plan, session.sparkContext().getLocalProperty("spark.jobGroup.id"));
    }

    /** The query under a count of its rows, which also marks it as a statement's root for {@link AccessCheck}. */
    private LogicalPlan marked(LogicalPlan query, String statement) throws ParseException {
      NamedExpression count = (NamedExpression) delegate.parseExpression("count(1) AS rows");
      Seq<NamedExpression> metrics = JavaConverters.asScalaBuffer(List.of(count)).toSeq();
      String id = statement != null ? statement : "unlogged_" + UUID.randomUUID().toString().replace("-", "");
      return new CollectMetrics(ServerState.ROWS + id, metrics, query, 0L);
    }

    static boolean isQuery(LogicalPlan plan) {
      return !(plan instanceof Command) && !(plan instanceof ParsedStatement);
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
