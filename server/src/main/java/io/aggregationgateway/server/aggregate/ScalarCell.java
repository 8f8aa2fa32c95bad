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

    ScalarCell(Labels labels, double initial, long startMillis) {
        super(labels, startMillis);
        this.bits = Double.doubleToRawLongBits(initial);
    }

    @Override
    public double value() {
        return Double.longBitsToDouble(bits);
    }

    @Override
    boolean add(Series pushed, PushTally grown) {
        double delta = ((ScalarSample) pushed).value();
        long current;
        double sum;
        do {
            current = bits;
            sum = Double.longBitsToDouble(current) + delta;
        } while (!BITS.compareAndSet(this, current, Double.doubleToRawLongBits(sum)));
        return Math.abs(sum) > Overflow.NEAR;
    }

    @Override
    String overflow(Series pushed) {
        return Overflow.check("", value(), ((ScalarSample) pushed).value());
    }

    @Override
    long growthBound(Series pushed) {
        return 0;
    }

    @Override
    double magnitude() {
        return Math.abs(value());
    }

    @Override
    long valueFootprint() {
        return Footprint.SCALAR_CELL;
    }

    @Override
    SeriesImage image() {
        return new SeriesImage.Scalar(labels(), lastPushMillis(), startMillis(), value());
    }

    @Override
    Object capture() {
        return value();
    }
}
