"""The one disclosure pass per date: every aggregate table a viewer can see at D (the overview, the
dwellings, participants and research pages, the review page, the meeting pack, their charts and
downloads) computed once from the exact figures and protected together by the rules of
`eet.figures.disclosure`. Every page and the pack read their cells from here, so they agree.

For roles that see exact counts (`hide=False`) the same shape holds the exact figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from eet import figures
from eet.figures import disclosure
from eet.figures.disclosure import Rate
from eet.figures.privacy import suppress, threshold

INITIATIVE_DIMENSIONS = ("building_type", "route", "site")
BREAKDOWN_COLUMNS = ("referred", "housed", "housed_now", "withdrawn")
BREAKDOWN_CHAIN = ("referred", "housed", "housed_now")


@dataclass
class Shown:
    """Everything a viewer can see at one date. Cells: int, "<5", None (withheld, "–") or
    disclosure.COMBINED (occupied / available shown only as their sum `in_use`)."""

    as_of: date
    hide: bool
    limit: int
    funnel: dict  # the seven steps of figures.FUNNEL_STEPS
    conversion: dict  # step -> share of the step before it, or None
    combined: bool  # occupied and available combined in all (and so in every row)
    dwellings: dict  # in all: counter, pipeline, ambition, the statuses, in_use
    by_municipality: dict  # name -> the same row
    by_initiative: dict  # building_type / route / site -> value -> row
    retention: Rate
    lead_n: object  # participants with a lead time (the housed)
    lead_hidden: bool  # median and 75th percentile withheld (fewer than the threshold)
    waiting_list: dict  # yes / no / unknown
    by_referrer: dict  # organisation id (None: not recorded) -> BREAKDOWN_COLUMNS
    by_care_provider: dict


ROUTE_STEPS = ("referred", "assessed", "eligible", "matched", "housed")


@dataclass
class Headline:
    """The part of the pass at D that the headline tables read (the funnel, the dwellings in all and
    per municipality, retention), which no other table of the pass changes: shown_at builds on it,
    and the data feed (eet.feed.rows, issue 27) reads it on its own at every month-end."""

    funnel: dict
    combined: bool
    dwellings: dict
    by_municipality: dict
    retention: Rate


def headline_at(session: Session, as_of: date, hide: bool, report: dict, limit: int) -> Headline:
    """The headline cells at D from the report at D (eet.figures.report.build_report)."""
    raw_funnel = report["participants"]["funnel"]
    funnel = disclosure.funnel(raw_funnel, hide, limit)
    totals = {**report["dwellings"]["by_status"], "counter": report["dwellings"]["counter"],
              "pipeline": report["dwellings"]["pipeline"], "ambition": report["dwellings"]["ambition"]}
    combined = disclosure.occupied_off(raw_funnel, totals["occupied"], funnel, hide, limit)
    dwellings = disclosure.dwelling_rows({None: totals}, hide, total_split=False, all_combined=combined,
                                         limit=limit)[None]
    by_municipality = disclosure.dwelling_rows(figures.dwelling_totals_and_municipalities(session, as_of)[1], hide,
                                               total_split=True, all_combined=combined, limit=limit)
    retention = report["participants"]["retention_12m"]
    return Headline(funnel, combined, dwellings, by_municipality,
                    disclosure.retention(retention["rate"], retention["cohort"], retention["target"], hide, limit))


@figures.memoised
def shown_at(session: Session, as_of: date, hide: bool) -> Shown:
    """The pass at D: `hide` for viewers and aggregate exports (EET_SMALL_COUNT), else exact."""
    from eet.figures.report import build_report

    limit = threshold()
    report = build_report(session, as_of)
    raw_funnel = report["participants"]["funnel"]
    head = headline_at(session, as_of, hide, report, limit)
    funnel, combined, dwellings = head.funnel, head.combined, head.dwellings

    def rows(breakdown: dict) -> dict:
        return disclosure.dwelling_rows(breakdown, hide, total_split=True, all_combined=combined, limit=limit)

    dims = figures.dwelling_counts_by(session, as_of, INITIATIVE_DIMENSIONS)
    lead = report["participants"]["lead_time_days"]
    lead_n = suppress(lead["n"], limit) if hide else lead["n"]
    if hide and disclosure.exact(lead_n) and disclosure.exact(funnel["housed"]) and disclosure.small(
            raw_funnel["housed"] - lead["n"], limit):
        lead_n = None
    waiting = figures.central_waiting_list(session, as_of)
    _, per = figures.funnel_breakdowns(session, as_of, figures.BREAKDOWNS)

    def people(by: str) -> dict:
        cells = {key: {c: steps[c] for c in BREAKDOWN_COLUMNS} for key, steps in per[by].items()}
        return disclosure.table(cells, BREAKDOWN_COLUMNS, hide, BREAKDOWN_CHAIN, limit, funnel)

    return Shown(
        as_of=as_of, hide=hide, limit=limit, funnel=funnel,
        conversion=disclosure.conversions(raw_funnel, funnel, ROUTE_STEPS),
        combined=combined, dwellings=dwellings,
        by_municipality=head.by_municipality,
        by_initiative={dim: rows(dims[dim]) for dim in INITIATIVE_DIMENSIONS},
        retention=head.retention,
        lead_n=lead_n, lead_hidden=hide and 0 < lead["n"] < limit,
        waiting_list=disclosure.column(waiting, hide, total_shown=True, limit=limit, total_cell=funnel["referred"]),
        by_referrer=people("referrer_id"), by_care_provider=people("care_provider_id"),
    )
