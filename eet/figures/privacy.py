"""Small-count suppression: a viewer sees a participant count from 1 up to EET_SMALL_COUNT - 1 as
'<5' (with the configured threshold), so that a single person cannot be picked out of an aggregate.

Applied in `eet`, where the figures are read for an actor, never in a page.
"""

from __future__ import annotations

from typing import Mapping

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


def mapping_for_actor(actor: Actor, counts: Mapping[str, int]) -> dict[str, Count]:
    return {key: for_actor(actor, n) for key, n in counts.items()}


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


# --- the rules for viewers beyond a single count -------------------------------------------------
#
# A count of people hidden as "<5" can come back by subtraction or division. What a viewer sees
# follows these rules as well (every one applied in eet, read by the pages and the aggregate pack):
#
# 1. Changes. A change of a people count between two dates of 1 up to the threshold minus one (in
#    absolute value) is shown as "<5": "Gehuisvest +2" says that two people moved in. A change next
#    to a hidden side is not shown at all (`change`).
# 2. Rates. A rate or conversion is hidden when its numerator, its denominator or their difference
#    is a small count: 8 of 9 assessed (89%) says one person was not; retention of 80% over a
#    cohort of 5 says one person left negatively (`rate`).
# 3. Nested counts. Housed now is shown next to ever housed; their difference is the people who
#    left their dwelling. Housed now is hidden ("–") when it is small or when the difference is
#    small while housed is shown (`funnel`).
# 4. Occupied dwellings are people: an occupied dwelling is a participant housed in it. Occupied
#    is suppressed like a people count wherever it is shown (in all, per status, per municipality,
#    per site, building type or route). The counter (location found + available + occupied) and
#    the pipeline stay exact, so occupied would come back as counter - location found - available:
#    where occupied is hidden, available is hidden with it ("–"), and only their sum can be read.
#    In a breakdown whose total is shown, the hidden cells of a column must add up to 0 or at least
#    the threshold (else the total minus the shown cells gives them back): the smallest shown
#    cells are hidden too until they do (`dwelling_rows`). So at least two rows are hidden
#    together, and one equation (their sum) cannot give back either of them.
#    Occupied dwellings in all are also (nearly) housed now: where housed now is hidden beside
#    housed (rule 3), or occupied lies within the threshold of housed, occupied is hidden
#    everywhere on that date (in all, per municipality, per filter, per site), since any breakdown
#    would add up to it (`occupied_hidden`).
#
# What these rules cannot stop: a viewer who reads the same exact count at two dates (the as-of
# date is free) can subtract them. The rules take the difference off the page and out of the pack,
# and keep counts below the threshold out of reach at any single date.

HIDDEN = None  # a value hidden to protect another one; shown as "–"


def small(n: int | None, limit: int | None = None) -> bool:
    """1 up to the threshold minus one: a count that could point at a person."""
    limit = threshold() if limit is None else limit
    return n is not None and not isinstance(n, str) and 0 < abs(n) < limit


def delta(then: Count | None, now: Count | None, hide: bool) -> Count | None:
    """The change of a people count as `hide` (a viewer) may see it: None next to a hidden side,
    "<5" when it is small (rule 1), else now - then."""
    d = change(then, now)
    if hide and d is not None and small(d):
        return f"<{threshold()}"
    return d


def rate(numerator: int, denominator: int, hide: bool) -> float | None:
    """numerator / denominator, or None when the denominator is 0, or (for `hide`) when the
    numerator, the denominator or their difference is a small count (rule 2)."""
    if not denominator:
        return None
    if hide and any(small(n) for n in (numerator, denominator, denominator - numerator)):
        return None
    return numerator / denominator


def funnel(counts: Mapping[str, int], hide: bool) -> dict[str, Count | None]:
    """The funnel's counts as `hide` may see them: each suppressed, and housed now hidden where it
    would give back the people who left their dwelling (rule 3)."""
    if not hide:
        return dict(counts)
    out: dict[str, Count | None] = {key: suppress(n) for key, n in counts.items()}
    if "housed" in counts and "housed_now" in counts and not is_suppressed(out["housed"]):
        if small(counts["housed_now"]) or small(counts["housed"] - counts["housed_now"]):
            out["housed_now"] = HIDDEN
    return out


def occupied_hidden(funnel_counts: Mapping[str, int], occupied: int, hide: bool) -> bool:
    """Whether occupied dwellings must be hidden everywhere at a date for `hide`: housed now is
    hidden beside housed, or occupied in all lies within the threshold of housed (rule 4)."""
    if not hide:
        return False
    housed = funnel_counts["housed"]
    return funnel(funnel_counts, True)["housed_now"] is HIDDEN or (
        not small(housed) and small(housed - occupied))


def dwelling_split(counts: Mapping[str, int], hide: bool, occupied_off: bool = False) -> dict[str, Count | None]:
    """Dwelling counts of one row (in all, or one municipality or site) as `hide` may see them:
    occupied suppressed like people, and available hidden with it (rule 4). `occupied_off`: hidden
    whatever its size (see occupied_hidden)."""
    out: dict[str, Count | None] = dict(counts)
    if hide and (occupied_off or small(counts.get("occupied", 0))):
        out["occupied"] = HIDDEN if occupied_off and counts["occupied"] else suppress(counts["occupied"])
        if "available" in out:
            out["available"] = HIDDEN
    return out


def dwelling_rows(rows: Mapping, hide: bool, total_shown: bool = True, occupied_off: bool = False) -> dict:
    """Rows of dwelling counts of a breakdown (key -> counts), each as `dwelling_split`, and for
    `hide` with the total shown, more occupied cells hidden until the hidden ones add up to 0 or
    at least the threshold (rule 4). Exact rows for everyone else."""
    out = {key: dwelling_split(counts, hide, occupied_off) for key, counts in rows.items()}
    if not hide or not total_shown or occupied_off:
        return out
    hidden_sum = sum(rows[key]["occupied"] for key, row in out.items() if row["occupied"] != rows[key]["occupied"])
    shown = sorted((rows[key]["occupied"], str(key), key) for key, row in out.items()
                   if row["occupied"] == rows[key]["occupied"] and rows[key]["occupied"] > 0)
    while small(hidden_sum) and shown:
        n, _, key = shown.pop(0)
        out[key]["occupied"] = HIDDEN
        if "available" in out[key]:
            out[key]["available"] = HIDDEN
        hidden_sum += n
    return out


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
