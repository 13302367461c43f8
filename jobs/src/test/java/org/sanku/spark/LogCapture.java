package org.sanku.spark;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** What is logged while it is open, one event per line in its pattern, from a logger context's root logger. */
public final class LogCapture implements AutoCloseable {

  private final LoggerContext ctx;
  private final String name;
  private final StringWriter out = new StringWriter();
  private final WriterAppender appender;

  private LogCapture(LoggerContext ctx, String name, Level level, String pattern) {
    this.ctx = ctx;
    this.name = name;
    appender = WriterAppender.newBuilder().setName(name).setTarget(out)
        .setLayout(PatternLayout.newBuilder().withPattern(pattern).build()).build();
    appender.start();
    ctx.getConfiguration().getRootLogger().addAppender(appender, level, null);
    ctx.updateLoggers();
  }

  /**
   * Starts capturing the warnings and errors of this JVM's logging ({@code LEVEL Logger: message}), under an
   * appender named {@code name}.
   */
  public static LogCapture warnings(String name) {
    return of((LoggerContext) LogManager.getContext(false), name, Level.WARN, "%p %c{1}: %m%n");
  }

  /** Starts capturing {@code ctx}'s events from {@code level} up, each in {@code pattern}. */
  public static LogCapture of(LoggerContext ctx, String name, Level level, String pattern) {
    return new LogCapture(ctx, name, level, pattern);
  }

  /** What was captured so far. */
  public String text() {
    return out.toString();
  }

  @Override
  public void close() {
    ctx.getConfiguration().getRootLogger().removeAppender(name);
    ctx.updateLoggers();
    appender.stop();
  }
}
