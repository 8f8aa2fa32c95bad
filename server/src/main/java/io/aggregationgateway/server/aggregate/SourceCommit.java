package io.aggregationgateway.server.aggregate;

/**
 * What a cumulative push adds to the merge of its differences: the source the values come from,
 * whether the merge must run alone, and the source's new states, written inside the store's lock
 * once every series is merged, so that a push the store refuses leaves them as they were.
 */
interface SourceCommit {
    /** The source id for {@link StoredFamily#add}: its gauges keep a value per source. */
    int source();

    /** Whether the merge takes the store's exclusive lock: it removes series (gauges a PUT forgets). */
    boolean exclusive();

    /** Called inside the store's lock after the merge, with the families merged into, in push order. */
    void merged(StoredFamily[] targets);

    /** A delta push: no source, nothing to write. */
    SourceCommit NONE = new SourceCommit() {
        @Override
        public int source() {
            return StoredFamily.NO_SOURCE;
        }

        @Override
        public boolean exclusive() {
            return false;
        }

        @Override
        public void merged(StoredFamily[] targets) {
        }
    };
}
