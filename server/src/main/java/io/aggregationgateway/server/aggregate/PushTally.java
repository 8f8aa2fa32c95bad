package io.aggregationgateway.server.aggregate;

/** What merging one push did to the store, gathered while its series are merged. One per push, one thread. */
final class PushTally {
    int newSeries;
    /** Bytes of the store's budget the push took: new families and series, grown histograms, help texts. */
    long bytes;
}
