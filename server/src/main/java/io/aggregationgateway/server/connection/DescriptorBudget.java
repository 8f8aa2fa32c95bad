package io.aggregationgateway.server.connection;

import com.sun.management.UnixOperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.logging.Logger;

/**
 * Keeps the connection cap below what the process's file-descriptor limit ({@code ulimit -n}) allows.
 *
 * <p>Helidon 4.4.0's listener gives up for good on the first failed {@code accept}: running out of
 * descriptors ("Too many open files") makes it log "this server socket is terminating now", close the
 * port and never open it again (its {@code ServerListener.listen} stops on any exception but a closed
 * socket). It takes a connection permit before it calls {@code accept}, though, so with a cap the
 * descriptors can hold, {@code accept} never runs out: connections beyond the cap wait in the
 * kernel's accept queue and are taken as earlier ones close.
 */
public final class DescriptorBudget {
    private static final Logger LOG = Logger.getLogger(DescriptorBudget.class.getName());

    private DescriptorBudget() {
    }

    /**
     * The cap to use: {@code requested}, lowered (with a warning) to what the descriptors left open
     * allow after a reserve for the JVM's own files.
     */
    public static int connectionCap(int requested) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof UnixOperatingSystemMXBean unix)) {
            return requested;
        }
        long limit = unix.getMaxFileDescriptorCount();
        long open = unix.getOpenFileDescriptorCount();
        int cap = cap(requested, limit, open);
        if (cap < requested) {
            LOG.warning("--max-connections lowered from " + requested + " to " + cap + ": the process may open "
                    + limit + " files (ulimit -n) and has " + open + " open; raise the limit to allow more");
        }
        return cap;
    }

    /** At most {@code limit - open - reserve}, at least 1; a limit of 0 or less means none is known. */
    static int cap(int requested, long limit, long open) {
        if (limit <= 0) {
            return requested;
        }
        long room = limit - open - reserve(limit);
        return (int) Math.max(1, Math.min(requested, room));
    }

    /** Descriptors kept for the JVM: jars it opens late, sockets of outgoing calls, logs. */
    static long reserve(long limit) {
        return Math.max(32, limit / 10);
    }
}
