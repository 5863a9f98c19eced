"""Small-count suppression: a viewer sees a participant count from 1 up to EET_SMALL_COUNT - 1 as
'<5' (with the configured threshold), so that a single person cannot be picked out of an aggregate.

Applied in `eet`, where the figures are read for an actor, never in a page.
"""

from __future__ import annotations


from eet.accounts.access import Actor, sees_suppressed_counts
from eet.store.config import get_settings

Count = int | str  # an exact count, or a suppressed one such as "<5"


def threshold() -> int:
    return get_settings().small_count


def suppress(n: int, limit: int | None = None) -> Count:
    limit = threshold() if limit is None else limit
    return f"<{limit}" if 0 < n < limit else n


def for_actor(actor: Actor, n: int) -> Count:
    return suppress(n) if sees_suppressed_counts(actor) else n


def is_suppressed(value: Count) -> bool:
    return isinstance(value, str)


def change(then: Count | float | None, now: Count | float | None) -> int | float | None:
    """now - then, or None when either side is hidden: next to a hidden count, a change would
    reveal it ("<5" then 20 now with +17 says it was 3)."""
    if then is None or now is None or is_suppressed(then) or is_suppressed(now):
        return None
    return now - then


def share(part: Count, whole: Count) -> float | None:
    """part / whole, or None when either is suppressed or the whole is zero: a rate of a hidden
    count would reveal it."""
    if is_suppressed(part) or is_suppressed(whole) or not whole:
        return None
    return part / whole


# --- beyond a single count ---------------------------------------------------------------------
#
# A count hidden as "<5" can come back by subtraction or division: from a total, a nested step, a
# rate, or a second date. The rules against that, and the one pass per date that applies them to
# everything a viewer can see, are in eet.figures.disclosure and eet.figures.shown.


def small(n: int | None, limit: int | None = None) -> bool:
    """1 up to the threshold minus one: a count that could point at a person."""
    limit = threshold() if limit is None else limit
    return n is not None and not isinstance(n, str) and 0 < abs(n) < limit


def merge_buckets(buckets: list[tuple[int, int]], width: int, hide: bool) -> list[tuple[int, int, Count]]:
    """Histogram buckets (start, count) of `width` as (first, last, count). For `hide` neighbouring
    buckets are merged until each holds 0 or at least the threshold, so that no bar is a hidden
    count drawn at zero height; a small remainder at the end joins the bucket before it."""
    out: list[list] = []
    for start, n in sorted(buckets):
        if hide and out and small(out[-1][2]):
            out[-1][1], out[-1][2] = start + width - 1, out[-1][2] + n
        else:
            out.append([start, start + width - 1, n])
    if hide and len(out) > 1 and small(out[-1][2]):
        last = out.pop()
        out[-1][1], out[-1][2] = last[1], out[-1][2] + last[2]
    return [(first, last, suppress(n) if hide else n) for first, last, n in out]
