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

from eet.figures import privacy
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
    """Each step as a share of the step before it, from the exact counts; for `hide` hidden when
    either count or their difference is small (eet.figures.privacy.rate: 8 of 9 names one person)."""
    return {step: privacy.rate(funnel[step], funnel[before], hide)
            for before, step in zip(ROUTE_STEPS, ROUTE_STEPS[1:])}


def participant_view(session: Session, actor: Actor, as_of: date) -> ParticipantView:
    hide = sees_suppressed_counts(actor)
    limit = privacy.threshold()

    def count(n: int) -> Count:
        return privacy.for_actor(actor, n)

    # One pass for the funnel and both breakdowns, one for the three lead-time figures.
    total, per = figures.funnel_breakdowns(session, as_of, figures.BREAKDOWNS)
    funnel = privacy.funnel(total, hide)
    names = organisations.names(session)

    def breakdown(by: str) -> list[Breakdown]:
        rows = per[by]
        ordered = sorted(rows.items(), key=lambda item: (-item[1]["referred"], names.get(item[0], "~")))
        return [Breakdown(names.get(org_id), privacy.funnel(steps, hide))
                for org_id, steps in ordered]

    lead, distribution, trend = figures.lead_times(figures.lead_time_counts(session, as_of))
    if hide and 0 < lead.n < limit:
        lead = figures.LeadTime(None, None, lead.n)
    if hide:  # a median over fewer than the threshold would describe one or two people
        trend = [(month, median, n) for month, median, n in trend if n >= limit]
    return ParticipantView(
        funnel=funnel,
        conversion=conversions(total, hide),
        waiting_list=privacy.mapping_for_actor(actor, figures.central_waiting_list(session, as_of)),
        lead_time=lead,
        # For viewers neighbouring buckets merged until each holds 0 or at least the threshold.
        lead_time_distribution=privacy.merge_buckets(distribution, BUCKET_DAYS, hide),
        lead_time_trend=[(month, median, count(n)) for month, median, n in trend],
        by_referrer=breakdown("referrer_id"),
        by_care_provider=breakdown("care_provider_id"),
        # Reasons are free text and may describe a person: not for the aggregate-only role.
        withdrawal_reasons=None if hide else figures.withdrawals(session, as_of),
        suppressed=hide,
        small_count=limit,
    )
