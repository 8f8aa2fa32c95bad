package io.aggregationgateway.server.expose;

import java.io.IOException;

/** Renders one slice of a scrape into a buffer; called from several threads at once, one slice each. */
@FunctionalInterface
interface SliceRenderer<B> {
    void render(FamilySlice slice, B buffer) throws IOException;
}
