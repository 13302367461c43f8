package org.sanku.spark;

import java.io.StringWriter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** What is logged at warning level or above while it is open, one line per event ({@code LEVEL Logger: message}). */
public final class LogCapture implements AutoCloseable {

  private final String name;
  private final StringWriter out = new StringWriter();
  private final WriterAppender appender;

  private LogCapture(String name) {
    this.name = name;
    appender = WriterAppender.newBuilder().setName(name).setTarget(out)
        .setLayout(PatternLayout.newBuilder().withPattern("%p %c{1}: %m%n").build()).build();
    appender.start();
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getRootLogger().addAppender(appender, Level.WARN, null);
    ctx.updateLoggers();
  }

  /** Starts capturing, under an appender named {@code name}. */
  public static LogCapture warnings(String name) {
    return new LogCapture(name);
  }

  /** What was captured so far. */
  public String text() {
    return out.toString();
  }

  @Override
  public void close() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    ctx.getConfiguration().getRootLogger().removeAppender(name);
    ctx.updateLoggers();
    appender.stop();
  }
}
