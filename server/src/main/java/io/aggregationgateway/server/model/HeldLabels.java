package io.aggregationgateway.server.model;

/**
 * The label sets a store holds, family by family: what a decoder may hand over instead of building
 * equal ones (see {@link Labels.Known}). A decoder asks once per family of a push.
 */
@FunctionalInterface
public interface HeldLabels {
    /** Holds nothing: a decoder builds every label set. */
    HeldLabels NONE = family -> Labels.Known.NONE;

    /** The label sets of the series of family {@code family}; {@link Labels.Known#NONE} when it has none. */
    Labels.Known ofFamily(String family);
}
