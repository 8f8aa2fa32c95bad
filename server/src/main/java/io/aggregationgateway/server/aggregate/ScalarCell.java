package io.aggregationgateway.server.aggregate;

import io.aggregationgateway.server.model.Labels;
import io.aggregationgateway.server.model.ScalarSample;
import io.aggregationgateway.server.model.ScalarView;
import io.aggregationgateway.server.model.Series;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** A counter, gauge or untyped series: a sum, added to lock-free. */
final class ScalarCell extends SeriesCell implements ScalarView {
    private static final VarHandle BITS;

    static {
        try {
            BITS = MethodHandles.lookup().findVarHandle(ScalarCell.class, "bits", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through BITS
    private volatile long bits;

    ScalarCell(Labels labels, double initial) {
        super(labels);
        this.bits = Double.doubleToRawLongBits(initial);
    }

    @Override
    public double value() {
        return Double.longBitsToDouble(bits);
    }

    @Override
    void add(Series pushed) {
        double delta = ((ScalarSample) pushed).value();
        long current;
        do {
            current = bits;
        } while (!BITS.compareAndSet(this, current, Double.doubleToRawLongBits(Double.longBitsToDouble(current) + delta)));
    }
}
