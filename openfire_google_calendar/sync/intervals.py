# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Half-open intervals as sorted, disjoint lists of ``(start, end)`` pairs:
each operation is one linear walk over lists :func:`merge` made, so the slot
finder (:mod:`.slots`) never scans instants."""


def merge(pairs):
    """Sorted, disjoint, non-empty; touching or overlapping pairs united."""
    merged = []
    for start, end in sorted(pair for pair in pairs if pair[0] < pair[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect(first, second):
    """What both lists cover."""
    out = []
    i = j = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if start < end:
            out.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(kept, removed):
    """What ``kept`` covers and ``removed`` does not."""
    out = []
    j = 0
    for start, end in kept:
        while j < len(removed) and removed[j][1] <= start:
            j += 1
        k = j
        while k < len(removed) and removed[k][0] < end:
            if removed[k][0] > start:
                out.append((start, removed[k][0]))
            start = max(start, removed[k][1])
            k += 1
        if start < end:
            out.append((start, end))
    return out
