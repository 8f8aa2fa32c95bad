package io.aggregationgateway.server.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the server logs through {@code java.util.logging} (Helidon's {@code System.Logger} too, which
 * goes there) under one logger and its children while a test runs; closing stops the capture.
 */
public final class LogRecords implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
                records.notifyAll();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogRecords(Logger logger) {
        this.logger = logger;
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** @param name the logger's name: {@code ""} for everything, {@code "io.helidon"} for Helidon's */
    public static LogRecords capture(String name) {
        return new LogRecords(Logger.getLogger(name));
    }

    /** Everything captured so far. */
    public List<LogRecord> all() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** The first record that matches, waiting up to {@code timeout} for one; {@code null} if none came. */
    public LogRecord awaitFirst(Predicate<LogRecord> matching, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (records) {
            while (true) {
                for (LogRecord record : records) {
                    if (matching.test(record)) {
                        return record;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                records.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Records at SEVERE or with a stack trace, each as one line. */
    public List<String> severeOrWithStackTrace() {
        List<String> found = new ArrayList<>();
        for (LogRecord record : all()) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue() || record.getThrown() != null) {
                found.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage()
                        + (record.getThrown() == null ? "" : " (" + record.getThrown() + ")"));
            }
        }
        return found;
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
