package io.aggregationgateway.server.model;

import java.util.Arrays;

/**
 * Sizes a renderer has worked out over a family's whole set of series, kept for later scrapes while
 * that set does not change. Protobuf writes each family's size ahead of it: for a million series that
 * is a read of every series before the first byte goes out (a quarter of a protobuf render), though
 * the size depends only on the series' labels and starts, which never change. The store keeps one of
 * these with each sorted order of a family's series and hands it out with a view that holds that
 * whole set; every other view gets {@link #NONE}. Each size is kept by the way it was worked out
 * (a renderer's own key, compared by {@code equals}); concurrent scrapes may read and keep sizes at once.
 */
public final class KnownSizes {
    /** What {@link #size} returns for a way nothing was kept for. */
    public static final long UNKNOWN = -1;
    // a way is a renderer's settings (its escaping, its start field): a few at most
    private static final int MOST_KEPT = 8;
    private static final Kept[] NOTHING = new Kept[0]; // before NONE, which starts with it
    /** Keeps nothing: for a view that is not its family's whole set of series. */
    public static final KnownSizes NONE = new KnownSizes(0);

    private record Kept(Object way, long size) {
    }

    private final int mostKept;
    private volatile Kept[] kept = NOTHING;

    /** Sizes of one set of series, none known yet. */
    public KnownSizes() {
        this(MOST_KEPT);
    }

    private KnownSizes(int mostKept) {
        this.mostKept = mostKept;
    }

    /** The size kept for {@code way}, or {@link #UNKNOWN}. */
    public long size(Object way) {
        for (Kept k : kept) {
            if (k.way().equals(way)) {
                return k.size();
            }
        }
        return UNKNOWN;
    }

    /** Keeps {@code size} for {@code way}, unless one is kept for it already or this keeps nothing. */
    public synchronized void keep(Object way, long size) {
        Kept[] current = kept;
        if (size < 0 || current.length == mostKept || size(way) != UNKNOWN) {
            return;
        }
        Kept[] more = Arrays.copyOf(current, current.length + 1);
        more[current.length] = new Kept(way, size);
        kept = more;
    }
}
