package io.aggregationgateway.server.expose;

import java.io.IOException;

/** Renders one slice of a scrape into a sink; called from several threads at once, one slice each. */
@FunctionalInterface
interface SliceRenderer {
    void render(FamilySlice slice, ByteSink sink) throws IOException;
}
