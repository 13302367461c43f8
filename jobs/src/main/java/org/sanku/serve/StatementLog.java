package org.sanku.serve;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerOperationCanceled;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerOperationError;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerOperationFinish;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerOperationStart;
import org.apache.spark.sql.hive.thriftserver.ui.SparkListenerThriftServerOperationTimeout;

/**
 * One log line per statement: who, on which connection, the statement, and how it ended — the rows returned and the
 * time, or the refusal or error and the time. HiveServer2 reports each statement's start and end as Spark listener
 * events (as its own web UI reads them); the rows come from the count {@link ServeExtension} puts on each query.
 * Statements are logged as HiveServer2 hands them over, with Spark's redaction applied; logins never are (they are
 * not statements), so no password reaches the log.
 */
final class StatementLog extends SparkListener {

  /** The longest statement text a log line repeats. */
  private static final int MAX_TEXT = 400;

  private record Started(String user, String session, String text, long at) {}

  private final ServerState state;
  private final Map<String, Started> running = new ConcurrentHashMap<>();

  StatementLog(ServerState state) {
    this.state = state;
  }

  @Override
  public void onOtherEvent(SparkListenerEvent event) {
    if (event instanceof SparkListenerThriftServerOperationStart s) {
      running.put(s.id(), new Started(s.userName(), s.sessionId().substring(0, Math.min(8, s.sessionId().length())),
          oneLine(s.statement()), s.startTime()));
    } else if (event instanceof SparkListenerThriftServerOperationFinish f) {
      Long rows = state.takeRows(f.id());
      end(f.id(), "statement", rows == null ? "done" : rows + (rows == 1 ? " row" : " rows"), f.finishTime());
    } else if (event instanceof SparkListenerThriftServerOperationError e) {
      boolean refused = String.valueOf(e.errorTrace()).contains("org.sanku.sql.RefusedException");
      String message = String.valueOf(e.errorMsg()).lines().findFirst().orElse("").strip();
      end(e.id(), refused ? "statement refused" : "statement failed", message, e.finishTime());
    } else if (event instanceof SparkListenerThriftServerOperationCanceled c) {
      end(c.id(), "statement cancelled", "by the client", c.finishTime());
    } else if (event instanceof SparkListenerThriftServerOperationTimeout t) {
      end(t.id(), "statement cancelled", "it ran past the timeout (" + state.settings.limits().timeoutSeconds()
          + " s, or the client's if shorter)", t.finishTime());
    }
  }

  private void end(String id, String what, String outcome, long at) {
    Started s = running.remove(id);
    state.takeRows(id);
    if (s == null) {
      return;
    }
    state.settings.log().println(what + ": " + s.user() + " [" + s.session() + "] " + s.text() + " → " + outcome
        + ", " + String.format(Locale.ROOT, "%.2f s", (at - s.at()) / 1000.0));
  }

  private static String oneLine(String statement) {
    String s = String.valueOf(statement).replaceAll("\\s+", " ").strip();
    return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) + " …" : s;
  }
}
