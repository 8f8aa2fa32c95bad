package io.aggregationgateway.server.model;

/** Why a push was refused; adapters map these to status codes, metrics count them. */
public enum RejectionReason {
    /** The body could not be decoded (syntax error, truncated protobuf, corrupt gzip). */
    MALFORMED,
    /** A metric or label name breaks Prometheus's naming rules or uses a reserved prefix. */
    INVALID_NAME,
    /** The family's name is not one the gateway is configured to accept ({@code --allow-metric}). */
    NOT_ALLOWED,
    /** The family exists with another type. */
    TYPE_CONFLICT,
    /**
     * A family's name, or the name of one of its samples, is that of another family or of its
     * samples (an untyped {@code h_bucket} next to a histogram {@code h}).
     */
    NAME_COLLISION,
    /** The same series appears twice in one push. */
    DUPLICATE_SERIES,
    /** A value that cannot be aggregated (negative or non-finite counter, NaN gauge, ...). */
    INVALID_VALUE,
    /** A histogram without +Inf and _count, non-cumulative buckets, count mismatch. */
    INVALID_HISTOGRAM,
    /** The body is larger than the configured limit. */
    TOO_LARGE,
    /** A series has more labels, or a longer label value, than configured. */
    LABEL_LIMIT_EXCEEDED,
    /** Accepting the push would exceed a configured limit on the store. */
    LIMIT_EXCEEDED,
    /** A browser pushed from an origin the gateway does not allow. */
    ORIGIN_NOT_ALLOWED,
    /** With users configured, a push without credentials, or with wrong ones. */
    UNAUTHENTICATED,
    /** A push by a user who does not have the push role. */
    FORBIDDEN,
    /** A push over its client's rate limit ({@code --push-rate-limit}). */
    RATE_LIMITED
}
