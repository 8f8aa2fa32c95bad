package io.aggregationgateway.testsupport;

/** Closes what a half-finished setup managed to open, every one of them even when one fails. */
public final class Closer {
    private Closer() {
    }

    /** Closes the non-null resources in the order given; rethrows the first failure, the others suppressed. */
    public static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
