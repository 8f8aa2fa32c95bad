package io.aggregationgateway.server.grpc;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection's socket writer that can hold back one thread's frames and send them in one write.
 * Helidon 4.4.0's HTTP/2 connection writes every frame with its own socket write, so a unary call's
 * answer (HEADERS, DATA, trailers) costs three writes, and the client three reads; {@link #corked}
 * makes them one.
 *
 * <p>Only the frames of the thread that corked are held. Any other thread's write first sends what
 * is held, then its own, so the bytes go out in the order Helidon wrote them (which HPACK's dynamic
 * table needs) and no other stream waits for a corked one. A corked thread that blocks on flow
 * control holds its own frames back meanwhile: if those included DATA, the client could not send
 * the window update for it, so cork only answers with one small DATA frame (a push's; see
 * {@link GrpcCalls}), whose held frames before it are HEADERS, which take no window.
 * Helidon calls this writer with its frame lock held, and this writer never calls Helidon, so the
 * two locks are always taken in the same order.
 */
final class CorkingDataWriter implements DataWriter {
    private final DataWriter socket;
    /** Not {@code synchronized}: a virtual thread writing to the socket must not pin its carrier (JDK 21). */
    private final ReentrantLock lock = new ReentrantLock();
    private final List<BufferData> held = new ArrayList<>();
    private Thread corkedBy;

    CorkingDataWriter(DataWriter socket) {
        this.socket = socket;
    }

    /**
     * Runs {@code writes} with this thread's frames held back, then sends them in one write. Another
     * thread already corked this writer: {@code writes} runs uncorked.
     */
    void corked(Runnable writes) {
        Thread self = Thread.currentThread();
        lock.lock();
        try {
            if (corkedBy != null) {
                writes.run();
                return;
            }
            corkedBy = self;
        } finally {
            lock.unlock();
        }
        try {
            writes.run();
        } finally {
            lock.lock();
            try {
                corkedBy = null;
                sendHeld(null);
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void writeNow(BufferData buffer) {
        lock.lock();
        try {
            if (Thread.currentThread() == corkedBy) {
                held.add(buffer);
            } else {
                sendHeld(buffer);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void writeNow(BufferData... buffers) {
        writeNow(BufferData.create(buffers));
    }

    /** Helidon's HTTP/2 code writes with {@link #writeNow}; a corked thread's buffered write is held too. */
    @Override
    public void write(BufferData buffer) {
        lock.lock();
        try {
            if (Thread.currentThread() == corkedBy) {
                held.add(buffer);
            } else {
                sendHeld(null);
                socket.write(buffer);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(BufferData... buffers) {
        write(BufferData.create(buffers));
    }

    @Override
    public void flush() {
        lock.lock();
        try {
            sendHeld(null);
            socket.flush();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        socket.close();
    }

    /** Sends the frames held, then {@code next} (if any), in one write; the lock is held. */
    private void sendHeld(BufferData next) {
        if (held.isEmpty()) {
            if (next != null) {
                socket.writeNow(next);
            }
            return;
        }
        if (next != null) {
            held.add(next);
        }
        BufferData all = held.size() == 1 ? held.getFirst() : BufferData.create(List.copyOf(held));
        held.clear();
        socket.writeNow(all);
    }
}
