"""Disclosure control for viewers: the one pass, per date, over every table a viewer can see (the
pages, the meeting pack, the chart data and the downloads), so that every page and the pack show
the same cells and no count of 1 to 4 people can be read or worked out.

The rules (the README's "What a viewer sees" says them for people; CBS practice):

1. Threshold. A count of people from 1 to the threshold minus one is shown as "<5" (`privacy.suppress`).
2. Chains. Nested counts (the funnel: referred >= assessed >= eligible >= matched >= housed >=
   housed now; the participants housed at successive month ends) are shown exactly only where the
   difference to every other exact count of the chain is 0 or at least the threshold; the others
   read "–" (`chain`). Housed and referred go first: the headline stays readable. Withdrawn is
   withheld where referred - housed - withdrawn (people still on the route) would be small.
3. Margins. In a breakdown whose total is shown (a column of per-organisation counts, the central
   waiting list), the withheld cells of a column must not be worked out from the total: their sum
   is 0 or at least the threshold, and no "<5" cell is pinned to one value; the smallest shown
   cells are withheld ("–") with them until that holds (`column`).
4. Combine, do not blank. Occupied dwellings are people. Where occupied and available cannot stand
   apart, a row shows their sum, "occupied or available" (`in_use`), in the table and the chart
   alike; a second row is combined where the total would give the first back (`dwelling_rows`).
5. Bands. A rate is shown exactly only where its numerator and the rest are both 0 or at least the
   threshold; otherwise as a band of whole percents, which always says on which side of the
   target it lies, with the cohort size (`retention`).
6. Two dates. Where two dates stand side by side (the review page, the pack, "what changed"), an
   exact count whose change is 1 to 4 is withheld at the earlier date, and so is the change
   (`two_dates`).
7. Groups of an outcome (issue 29: retention, recovery and lead time by care provider, route, ...).
   A group is shown on its own only where each of its counts (housed, retention cohort, retained,
   left) is 0 or at least the threshold; the others are combined into one row "other groups",
   joined by the smallest shown groups until that row's counts pass too; where only the
   combination of all would pass, the grouping is withheld (`pool_groups`). Every shown count is
   then exact and the rows add up to the totals. Recovery by group is shown only where every row's
   judged, recovered and not recovered pass as well, and their total gives no small count back
   beside the headline's cohort and coverage (`recovery_groups_shown`). Shown at one date only.

Cells: an int (exact), "<5" (1 to 4), None ("–": withheld, and then at least the threshold) or
COMBINED (shown only in a sum). The cell bounds that a viewer can infer from them are in `bounds`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

from eet.figures.privacy import suppress, threshold

COMBINED = "combined"  # occupied / available shown only as their sum (rule 4)
WITHHELD = None
FUNNEL_CHAIN = ("referred", "assessed", "eligible", "matched", "housed", "housed_now")
FUNNEL_PRIORITY = ("housed", "referred", "eligible", "matched", "assessed", "housed_now")


def small(n, limit: int | None = None) -> bool:
    limit = threshold() if limit is None else limit
    return isinstance(n, int) and not isinstance(n, bool) and 0 < abs(n) < limit


def exact(cell) -> bool:
    return isinstance(cell, int) and not isinstance(cell, bool)


def bounds(cell, limit: int | None = None) -> tuple[float, float]:
    """What a viewer can infer about a cell from how it is shown: an exact count, "<5" = 1..4, a
    withheld cell ("–") at least the threshold (it is never a small one: those read "<5")."""
    limit = threshold() if limit is None else limit
    if exact(cell):
        return cell, cell
    if isinstance(cell, str) and cell.startswith("<"):
        return 1, limit - 1
    return (limit if cell is WITHHELD else 0), math.inf


# --- rule 2: chains --------------------------------------------------------------------------------

def chain(values: Mapping, order: tuple, priority: tuple | None = None, hide: bool = True,
          limit: int | None = None) -> dict:
    """Cells of a monotone chain (values[order[0]] >= values[order[1]] >= ..., or increasing) as a
    viewer sees them: small ones "<5"; others exact where every difference to the exact ones is 0
    or at least the threshold, taken in `priority` order (default: the order); else None."""
    if not hide:
        return dict(values)
    limit = threshold() if limit is None else limit
    out = {key: suppress(values[key], limit) if small(values[key], limit) else WITHHELD for key in order}
    shown: list = []
    for key in (priority or order):
        if small(values[key], limit):
            continue
        if all(not small(values[key] - values[other], limit) for other in shown):
            shown.append(key)
            out[key] = values[key]
    return out


def funnel(counts: Mapping[str, int], hide: bool, limit: int | None = None) -> dict:
    """The funnel as a viewer sees it: the chain of rule 2, withdrawn withheld where it would give
    back the people still on the route (referred - housed - withdrawn small)."""
    if not hide:
        return dict(counts)
    limit = threshold() if limit is None else limit
    out = chain(counts, FUNNEL_CHAIN, FUNNEL_PRIORITY, True, limit)
    withdrawn = counts.get("withdrawn", 0)
    out["withdrawn"] = suppress(withdrawn, limit)
    if exact(out["referred"]) and exact(out["housed"]) and exact(out["withdrawn"]) and small(
            counts["referred"] - counts["housed"] - withdrawn, limit):
        out["withdrawn"] = WITHHELD
    return {key: out.get(key, counts[key]) for key in counts}


def conversions(counts: Mapping[str, int], shown: Mapping, steps: tuple) -> dict[str, float | None]:
    """Each step as a share of the step before it, only where both are shown exactly (a rate next
    to a withheld count would give it back)."""
    out = {}
    for before, step in zip(steps, steps[1:]):
        ok = exact(shown[before]) and exact(shown[step]) and counts[before]
        out[step] = counts[step] / counts[before] if ok else None
    return out


# --- rule 3: margins -------------------------------------------------------------------------------

def _pinned(cells: dict, total: int, limit: int) -> bool:
    """Whether the withheld cells of a column with a known total give a count back: their sum is
    small, or one of them has a single possible value (a withheld cell of 7 worked out exactly
    would give back a small difference with its row's other cells)."""
    hidden = [key for key, cell in cells.items() if not exact(cell)]
    rest = total - sum(cell for cell in cells.values() if exact(cell))
    if not hidden:
        return False
    if small(rest, limit):
        return True
    lows = {key: bounds(cells[key], limit)[0] for key in hidden}
    highs = {key: bounds(cells[key], limit)[1] for key in hidden}
    for key in hidden:  # any withheld cell worked out exactly would meet another table's cells
        low = max(lows[key], rest - sum(highs[k] for k in hidden if k != key))
        high = min(highs[key], rest - sum(lows[k] for k in hidden if k != key))
        if low >= high:
            return True
    return False


def column(values: Mapping, hide: bool, total_shown: bool = True, limit: int | None = None,
           withheld: Mapping | None = None, total_cell=0) -> dict:
    """One column of a breakdown (key -> count) as a viewer sees it (rules 1 and 3). `withheld`:
    cells already withheld by another rule (a chain within a row, two dates). `total_cell`: the
    total as shown elsewhere; where it is withheld (None), the cells may not all be exact (their
    sum would give it back)."""
    if not hide:
        return dict(values)
    limit = threshold() if limit is None else limit
    out = {key: suppress(n, limit) for key, n in values.items()}
    for key, cell in (withheld or {}).items():
        if not exact(cell) and exact(out[key]) and out[key]:
            out[key] = WITHHELD
    candidates = sorted((n, str(key), key) for key, n in values.items() if exact(out[key]) and n > 0)
    if total_cell is WITHHELD:
        if all(exact(cell) for cell in out.values()) and candidates:
            out[candidates[0][2]] = WITHHELD
        return out
    if not total_shown:
        return out
    total = sum(values.values())
    while _pinned(out, total, limit) and candidates:
        _, _, key = candidates.pop(0)
        out[key] = WITHHELD
    return out


def table(rows: Mapping[object, Mapping[str, int]], columns: tuple, hide: bool, chain_order: tuple = (),
          limit: int | None = None, totals: Mapping | None = None) -> dict:
    """A breakdown of people (row key -> {column: count}) whose column totals are shown (`totals`:
    as shown, a withheld one None): each row a chain over `chain_order` (rule 2), each column
    protected against its total (rule 3), repeated until neither withholds more."""
    if not hide:
        return {key: dict(row) for key, row in rows.items()}
    limit = threshold() if limit is None else limit
    out = {key: {c: suppress(row[c], limit) for c in columns} for key, row in rows.items()}
    for _ in range(10):
        before = {key: dict(row) for key, row in out.items()}
        for key, row in rows.items():
            if chain_order:
                shown_chain = chain({c: row[c] for c in chain_order}, chain_order, None, True, limit)
                for c in chain_order:
                    if not exact(shown_chain[c]) and exact(out[key][c]) and out[key][c]:
                        out[key][c] = WITHHELD
        for c in columns:
            shown = column({key: row[c] for key, row in rows.items()}, True, True, limit,
                           {key: out[key][c] for key in rows}, (totals or {}).get(c, 0))
            for key in rows:
                out[key][c] = shown[key]
            # a chain cell withheld in a column keeps the row's chain safe: re-checked next round
        if out == before:
            break
    return out


# --- rule 4: occupied and available combined ---------------------------------------------------------

def _combined_pinned(rows: Mapping, combined: set, limit: int) -> bool:
    """With the column totals of occupied and available shown, the combined rows' occupied sum is
    known: it must not be small, and no row's occupied may follow from it (not even a large one:
    it would meet the same row at another date)."""
    if not combined:
        return False
    occupied = sum(rows[k]["occupied"] for k in combined)
    available = sum(rows[k]["available"] for k in combined)
    if small(occupied, limit):
        return True
    for key in combined:
        occ, avail = rows[key]["occupied"], rows[key]["available"]
        others_avail, others_occ = available - avail, occupied - occ
        if others_avail == 0 and (avail == 0 or others_occ == 0):
            return True
    return False


def dwelling_rows(rows: Mapping[object, Mapping[str, int]], hide: bool, total_split: bool = True,
                  all_combined: bool = False, force: set | frozenset = frozenset(),
                  limit: int | None = None) -> dict:
    """Rows of dwelling counts (key -> counts with occupied and available) as a viewer sees them:
    every row gains `in_use` (occupied + available, always exact); a row whose occupied is small,
    or is in `force`, shows occupied and available as COMBINED; with the total shown split, more
    rows are combined (smallest occupied first) until the total gives none back (rule 4). When
    no choice of rows protects them, or `all_combined`, every row is combined."""
    limit = threshold() if limit is None else limit
    out = {key: {**row, "in_use": row["occupied"] + row["available"]} for key, row in rows.items()}
    if not hide:
        return out
    combined = {key for key, row in rows.items() if all_combined or small(row["occupied"], limit) or key in force}
    if total_split and not all_combined:
        candidates = sorted((row["occupied"], str(key), key) for key, row in rows.items()
                            if key not in combined and row["occupied"] + row["available"] > 0)
        while _combined_pinned(rows, combined, limit) and candidates:
            combined.add(candidates.pop(0)[2])
        if _combined_pinned(rows, combined, limit):
            combined = set(rows)
    for key in combined:
        out[key]["occupied"] = out[key]["available"] = COMBINED
    return out


def occupied_off(funnel_counts: Mapping[str, int], occupied: int, shown_funnel: Mapping, hide: bool,
                 limit: int | None = None) -> bool:
    """Whether occupied dwellings are combined with available everywhere at a date: occupied in all
    is (nearly) the people housed now, so it is combined where housed now is not shown exactly, or
    where it lies within the threshold of an exact step of the funnel."""
    if not hide:
        return False
    limit = threshold() if limit is None else limit
    if small(occupied, limit) or not exact(shown_funnel.get("housed_now")):
        return True
    return any(exact(shown_funnel[s]) and small(funnel_counts[s] - occupied, limit) for s in FUNNEL_CHAIN)


# --- rule 5: rates as bands --------------------------------------------------------------------------

@dataclass(frozen=True)
class Rate:
    """A rate as a viewer sees it: exact (`value`), or a band of whole percents [low, high]; `met`
    says whether it reaches the target (None: nothing to measure). `cohort` as shown."""

    value: float | None
    low: float | None
    high: float | None
    met: bool | None
    cohort: object
    target: float

    @property
    def banded(self) -> bool:
        return self.value is None and self.low is not None


def _band_of(cohort: int, left: int, target: float, limit: int) -> tuple[list[int], bool]:
    """The numbers of people who left (0..cohort) that share the band of `left`, and whether the
    band reaches the target."""
    def reaches(n: int) -> bool:
        return (cohort - n) / cohort >= target - 1e-12

    # The most who may leave with the target still met: the predicate falls as n grows, so start
    # from the closed form and step to the exact boundary (a national cohort is tens of thousands;
    # looping over it cost 16 ms per date, issue 27).
    met_max = min(max(int(math.floor(cohort * (1 - target))), -1), cohort)
    while met_max + 1 <= cohort and reaches(met_max + 1):
        met_max += 1
    while met_max >= 0 and not reaches(met_max):
        met_max -= 1
    met = left <= met_max
    half = range(0, met_max + 1) if met else range(met_max + 1, cohort + 1)
    # only n or cohort - n from 1 to limit - 1 can be risky: look there, not over the whole cohort
    near = sorted({n for n in (*range(1, limit), *range(cohort - limit + 1, cohort)) if n in half})
    risky = [n for n in near if small(n, limit) or small(cohort - n, limit)]
    runs: list[list[int]] = []
    for n in risky:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    # Nobody left (or nobody stayed) reads as the band beside it: the band says nothing of whether
    # 0 or 1 to 4 left. A run of one value takes a neighbour of the same side of the target.
    for run in runs:
        for edge in (0, cohort):
            if edge in half and (edge + 1 in run or edge - 1 in run) and edge not in run:
                run.append(edge)
        if len(run) == 1:
            run.extend([n for n in (run[0] - 1, run[0] + 1) if n in half][:1])
        run.sort()
    merged: list[set[int]] = []
    for run in runs:
        overlapping = [m for m in merged if m & set(run)]
        group = set(run).union(*overlapping)
        merged = [m for m in merged if not m & set(run)] + [group]
    for group in merged:
        if left in group:
            return sorted(group), met
    return [left], met


def retention(rate: float | None, cohort: int, target: float, hide: bool, limit: int | None = None) -> Rate:
    """The retention at 12 months as a viewer sees it (rule 5). For a viewer the exact rate only
    where the retained and those who left are both 0 or at least the threshold; else a band (the
    rates of every number who left that would read the same), never across the target; a cohort
    below the threshold shows neither rate nor verdict, only "<5": the verdict on 1 to 4 people
    would tell whether each of them stayed."""
    if rate is None or not cohort:
        return Rate(None, None, None, None, cohort if not hide else suppress(cohort), target)
    left = cohort - round(rate * cohort)
    if not hide:
        return Rate(rate, None, None, rate >= target - 1e-12, cohort, target)
    limit = threshold() if limit is None else limit
    met = (cohort - left) / cohort >= target - 1e-12
    if small(cohort, limit):
        # 1 to 4 people: even the verdict would say whether each of them stayed (all of 2 did)
        return Rate(None, None, None, None, suppress(cohort, limit), target)
    members, met = _band_of(cohort, left, target, limit)
    if len(members) == 1:
        return Rate(rate, None, None, met, cohort, target)
    low, high = (cohort - max(members)) / cohort, (cohort - min(members)) / cohort
    # whole percents outward, not across the target
    low, high = math.floor(low * 100 + 1e-9) / 100, math.ceil(high * 100 - 1e-9) / 100
    if met:
        low = max(low, target)
    else:
        high = min(high, target)
    return Rate(None, low, high, met, cohort, target)


# --- rule 6: two dates ---------------------------------------------------------------------------

def two_dates(then, now, hide: bool, limit: int | None = None):
    """(then, change) as a viewer sees them beside `now`: an exact pair whose change is small keeps
    `now` and withholds `then` and the change; a change next to a withheld or "<5" side is not
    shown. Both unchanged for everyone else."""
    if not (exact(then) and exact(now)):
        return then, None
    change = now - then
    if hide and small(change, limit):
        # "<5" as the change would meet the earlier date's other cells (a chain neighbour of the
        # same size pins it): the change is not shown either.
        return WITHHELD, None
    return then, change


WIDE_BAND = 0.25  # a band wider than this (25 percentage points) says nothing: it is withheld


def band_withheld(rate: Rate) -> bool:
    """True for a band so wide ("0–88%") that it tells a reader nothing but how small the group is:
    it is said to be withheld, and only its verdict is given (issue 14)."""
    return rate.banded and rate.high - rate.low > WIDE_BAND


def rate_text(rate: Rate, lang: str) -> str:
    """A rate as a person reads it: "98,8%", "95–100%", or "≥ 90%: doel gehaald" where the band
    runs from the target to 100%; "niet getoond" for a band wider than WIDE_BAND; "–" when there
    is nothing to measure."""
    from eet.texts import formatting as fmt
    from eet.texts import t

    if rate.value is not None:
        return fmt.percent(rate.value, lang)
    if rate.low is None:
        return fmt.MISSING
    if band_withheld(rate):
        return t("rate_withheld", lang)
    if rate.met and abs(rate.low - rate.target) < 1e-9 and rate.high >= 1 - 1e-9:
        return t("rate_band_met", lang, target=fmt.percent(rate.target, lang, 0))
    return t("rate_band", lang, low=fmt.number(rate.low * 100, lang), high=fmt.number(rate.high * 100, lang))


def verdict_text(rate: Rate, lang: str) -> str:
    """"Doel (90%) gehaald." / "... niet gehaald.", or "" with nothing to measure."""
    from eet.texts import formatting as fmt
    from eet.texts import t

    if rate.met is None:
        return ""
    return t("target_met" if rate.met else "target_missed", lang, target=fmt.percent(rate.target, lang, 0))


# --- rule 7: groups of an outcome ---------------------------------------------------------------

def pool_groups(rows: Mapping[object, tuple[int, ...]], hide: bool, limit: int | None = None
                ) -> tuple[list, list]:
    """(groups shown alone, groups combined into "other groups") for rows of key -> the counts the
    group's figures show or imply (rule 7). Without `hide` every group alone. For a viewer: a group
    with a small count is combined; while the combination has a small count, the shown group with
    the fewest people (its first count) joins it; if every group would have to, ([], all): the
    grouping is withheld."""
    keys = list(rows)
    if not hide:
        return keys, []
    limit = threshold() if limit is None else limit

    def passes(counts) -> bool:
        return not any(small(int(n), limit) for n in counts)

    alone = [k for k in keys if passes(rows[k])]
    pooled = [k for k in keys if k not in alone]

    def pool_counts() -> list[int]:
        width = len(next(iter(rows.values())))
        return [sum(rows[k][i] for k in pooled) for i in range(width)]

    while pooled and not passes(pool_counts()) and alone:
        smallest = min(alone, key=lambda k: (rows[k][0], str(k)))
        alone.remove(smallest)
        pooled.append(smallest)
    if not alone or (pooled and not passes(pool_counts())):
        return [], keys
    return alone, pooled


def recovery_groups_shown(rows: list[tuple[int, int]], cohort: int, measured: int, limit: int | None = None
                          ) -> bool:
    """Whether a viewer may read recovery by group (rule 7), for rows of (judged, recovered): each
    row's judged, recovered and not recovered are 0 or at least the threshold, and the total
    judged, beside the headline's cohort and coverage (measured), gives back no small number of
    negative exits without measurements (judged - measured) or of members not judged (cohort -
    judged)."""
    if any(small(n, limit) for judged, recovered in rows for n in (judged, recovered, judged - recovered)):
        return False
    judged = sum(j for j, _ in rows)
    return not small(judged - measured, limit) and not small(cohort - judged, limit)
