package io.aggregationgateway.server;

import io.helidon.webserver.http2.Http2Config;
import org.junit.jupiter.api.Test;

import java.io.ObjectInputFilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

class ParallelHelidonSetupTest {
    @Test
    void itsHttp2SettingsAreHelidonsDefaults() {
        Http2Config made = ParallelHelidonSetup.begin().http2Config();
        Http2Config defaults = Http2Config.create();
        assertEquals(defaults.maxFrameSize(), made.maxFrameSize());
        assertEquals(defaults.maxHeaderListSize(), made.maxHeaderListSize());
        assertEquals(defaults.initialWindowSize(), made.initialWindowSize());
        assertEquals(defaults.maxConcurrentStreams(), made.maxConcurrentStreams());
    }

    @Test
    void onceItsResultIsThereTheDeserializationFilterIsSet() {
        ParallelHelidonSetup.begin().http2Config();
        // what Helidon's web server would set when it starts: the gateway deserializes nothing
        assertNotNull(ObjectInputFilter.Config.getSerialFilter());
    }
}
