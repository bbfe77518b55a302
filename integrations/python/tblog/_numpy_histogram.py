"""Histograms over numpy's bin specifications (add_histogram's `bins` other than
'tensorflow'): the buckets PyTorch writes for the same call, computed with numpy."""

import numpy as np

from ._tblog import InvalidArgumentError


def numpy_buckets(values, bins, max_bins):
    """(min, max, num, sum, sum_squares, bucket_limits, bucket_counts) of `values`.

    Only the support is kept, from the first to the last non-empty bin, plus one empty bin on
    its left: TensorBoard stores right edges only, and that bin carries the left edge."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if flat.size == 0:
        raise InvalidArgumentError("values: the array is empty")
    if not np.isfinite(flat).all():
        raise InvalidArgumentError("values: holds NaN or infinite values")
    try:
        counts, edges = np.histogram(flat, bins=bins)
    except (ValueError, TypeError) as error:
        raise InvalidArgumentError(f"bins: {bins!r} is not a bin specification numpy takes: {error}") from None
    if max_bins is not None:
        if not isinstance(max_bins, int) or max_bins < 1:
            raise InvalidArgumentError(f"max_bins: must be a positive int, got {max_bins!r}")
        if counts.size > max_bins:
            # Merge runs of `group` neighbouring bins (the last run padded with empty bins).
            group = counts.size // max_bins
            counts = np.pad(counts, (0, (-counts.size) % group)).reshape(-1, group).sum(axis=1)
            edges = np.append(edges[:-1:group], edges[-1])
    filled = np.flatnonzero(counts)
    if filled.size == 0:
        raise InvalidArgumentError("values: no value falls inside the bins")
    first, last = int(filled[0]), int(filled[-1])
    if first > 0:
        kept_counts = counts[first - 1:last + 1]
    else:
        kept_counts = np.concatenate([[0], counts[:last + 1]])
    kept_limits = edges[first:last + 2]
    return (float(flat.min()), float(flat.max()), float(flat.size), float(flat.sum()),
            float(flat.dot(flat)), kept_limits.astype(np.float64).tolist(),
            kept_counts.astype(np.float64).tolist())
