"""The participant figures as one actor may see them: the funnel with the conversion between
steps, the central waiting list, lead times, breakdowns by organisation and withdrawals.

Every figure comes from `eet.figures`; this module only names organisations and applies the
small-count suppression of `eet.figures.privacy` for viewers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from eet import figures

from eet.entry import organisations

from eet.figures import disclosure, privacy
from eet.figures.shown import shown_at
from eet.accounts.access import Actor, sees_suppressed_counts
from eet.figures.privacy import Count

# The route in order; housed_now and withdrawn are shown beside it, not as steps.
ROUTE_STEPS = ("referred", "assessed", "eligible", "matched", "housed")
BUCKET_DAYS = 30  # figures.lead_times' default width of a lead-time bucket


@dataclass
class Breakdown:
    name: str | None  # None: not recorded
    counts: dict[str, Count]


@dataclass
class ParticipantView:
    funnel: dict[str, Count]
    conversion: dict[str, float | None]  # step -> share of the step before it
    waiting_list: dict[str, Count]
    lead_time: figures.LeadTime
    lead_time_distribution: list[tuple[int, int, Count]]  # (first day, last day, count)
    lead_time_trend: list[tuple[str, float, Count]]
    by_referrer: list[Breakdown]
    by_care_provider: list[Breakdown]
    withdrawal_reasons: list[tuple[str, Count]] | None  # None: not shown to this role
    suppressed: bool
    small_count: int = field(default_factory=privacy.threshold)


def conversions(funnel: dict[str, int], hide: bool = False) -> dict[str, float | None]:
    """Each step as a share of the step before it, from the exact counts; for `hide` only where
    both steps are shown exactly (eet.figures.disclosure rule 2)."""
    return disclosure.conversions(funnel, disclosure.funnel(funnel, hide), ROUTE_STEPS)


def participant_view(session: Session, actor: Actor, as_of: date) -> ParticipantView:
    """The participants page's figures, every cell from the date's one disclosure pass
    (eet.figures.shown): the funnel, its conversions and the breakdowns as the review and the
    pack show them."""
    hide = sees_suppressed_counts(actor)
    limit = privacy.threshold()
    view = shown_at(session, as_of, hide)
    names = organisations.names(session)
    _, per = figures.funnel_breakdowns(session, as_of, figures.BREAKDOWNS)

    def breakdown(by: str, cells: dict) -> list[Breakdown]:
        ordered = sorted(per[by].items(), key=lambda item: (-item[1]["referred"], names.get(item[0], "~")))
        return [Breakdown(names.get(org_id), cells[org_id]) for org_id, _ in ordered]

    lead, distribution, trend = figures.lead_times(figures.lead_time_counts(session, as_of))
    if view.lead_hidden:
        lead = figures.LeadTime(None, None, lead.n)
    if hide:  # a median over fewer than the threshold would describe one or two people; the months
        # left out must not add up to a small count beside the total (rule 3)
        months = disclosure.column({month: n for month, _, n in trend}, True, True, limit)
        trend = [(month, median, n) for month, median, n in trend if disclosure.exact(months[month]) and n]
    return ParticipantView(
        funnel=view.funnel,
        conversion=view.conversion,
        waiting_list=view.waiting_list,
        lead_time=lead,
        # For viewers neighbouring buckets merged until each holds 0 or at least the threshold.
        lead_time_distribution=privacy.merge_buckets(distribution, BUCKET_DAYS, hide),
        lead_time_trend=trend,
        by_referrer=breakdown("referrer_id", view.by_referrer),
        by_care_provider=breakdown("care_provider_id", view.by_care_provider),
        # Reasons are free text and may describe a person: not for the aggregate-only role.
        withdrawal_reasons=None if hide else figures.withdrawals(session, as_of),
        suppressed=hide,
        small_count=limit,
    )
