"""The participant figures of DESIGN.md at a date D: the funnel, the central waiting list,
withdrawals, lead times, retention at 12 months and the Kaplan-Meier curve, each counted from the
participants' histories (eet.figures.timeline) at the date.

A participant counts at a funnel step when they have such an event dated on or before D; "within
365 days of the first move-in" means 0 to 365 days after it, both ends included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import compress

import numpy as np
from sqlmodel import Session

from eet.figures import uncertainty
from eet.figures.query import FUNNEL_STEPS, NO_PARTICIPANT_FILTER, ParticipantFilter, RETENTION_DAYS, memoised
from eet.figures.timeline import NEVER, day_number, timeline_of


# --- participants --------------------------------------------------------------------------------

def _at(day: date) -> int:
    return day_number(day)


@memoised
def funnel(session: Session, as_of: date, by: str | tuple[str, ...] | None = None,
           scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> dict:
    """The funnel at D: {step: participants} for the steps of FUNNEL_STEPS; with `by` (a participant
    column such as referrer_id, or a tuple of them) one funnel per value (per tuple of values) that
    occurs among the referred. Referred: referred on or before D (and recorded by K); each other step
    among those: an event of that kind on or before D; eligible: the latest assessment on or before D
    (by date, then as recorded) says eligible; housed_now: the latest move-in or exit is a move-in.
    Counted from the participants' histories (eet.figures.timeline), not read per date."""
    timeline = timeline_of(session)
    history = timeline.participants
    day = _at(as_of)
    base = history.known & (history.referred <= day)
    in_scope = timeline.participant_scope(scope)
    if in_scope is not None:
        base &= in_scope
    steps = {
        "referred": base,
        "assessed": base & (history.assessed <= day),
        "eligible": base & _holding(history.eligible, day, len(base)),
        "matched": base & (history.matched <= day),
        "housed": base & (history.housed <= day),
        "housed_now": base & _holding(history.housed_now, day, len(base)),
        "withdrawn": base & (history.withdrawn <= day),
    }
    if by is None:
        return {step: int(mask.sum()) for step, mask in steps.items()}
    columns = by if isinstance(by, tuple) else (by,)
    codes, keys = timeline.participant_groups(columns)
    per_step = {step: np.bincount(codes[mask], minlength=len(keys)) for step, mask in steps.items()}
    present = per_step["referred"] > 0
    return {keys[i]: {step: int(per_step[step][i]) for step in FUNNEL_STEPS}
            for i in np.flatnonzero(present)}


def _holding(intervals, day: int, size: int) -> np.ndarray:
    """Mask per owner: one of its intervals holds on `day` (an owner's intervals never overlap)."""
    mask = np.zeros(size, bool)
    mask[intervals.owner[intervals.at(day)]] = True
    return mask


@memoised
def funnel_breakdowns(session: Session, as_of: date, bys: tuple[str, ...],
                      scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> tuple[dict, dict[str, dict]]:
    """The funnel and funnel(by=b) for each b in `bys`, from one pass: the funnel is grouped by
    all of `bys` at once (a few hundred combinations) and summed here, every step being a count."""
    rows = funnel(session, as_of, by=bys, scope=scope)
    total = dict.fromkeys(FUNNEL_STEPS, 0)
    per: dict[str, dict] = {b: {} for b in bys}
    for key, steps in rows.items():
        for step, n in steps.items():
            total[step] += n
        for i, b in enumerate(bys):
            into = per[b].setdefault(key[i], dict.fromkeys(FUNNEL_STEPS, 0))
            for step, n in steps.items():
                into[step] += n
    return total, per


@memoised
def central_waiting_list(session: Session, as_of: date,
                         scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> dict[str, int]:
    """Referred participants (on or before D, recorded by K) by whether they came from the central
    waiting list: {"yes", "no", "unknown": participants}."""
    timeline = timeline_of(session)
    history = timeline.participants
    base = history.known & (history.referred <= _at(as_of))
    in_scope = timeline.participant_scope(scope)
    if in_scope is not None:
        base &= in_scope
    counts = np.bincount(history.central_waiting_list[base] + 1, minlength=3)
    return {"yes": int(counts[2]), "no": int(counts[1]), "unknown": int(counts[0])}


@memoised
def withdrawals(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER,
                limit: int = 20) -> list[tuple[str, int]]:
    """Withdrawal reasons (free text, "" for none) of the withdrawal events on or before D: at most
    `limit` (reason, events), most frequent first, then by reason."""
    timeline = timeline_of(session)
    history = timeline.participants
    chosen = history.withdrawal_day <= _at(as_of)
    in_scope = timeline.participant_scope(scope)
    if in_scope is not None:
        chosen &= in_scope[history.withdrawal_owner]
    counts: dict[str, int] = {}
    for reason in compress(history.withdrawal_reason, chosen.tolist()):
        counts[reason] = counts.get(reason, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


@dataclass(frozen=True)
class LeadTime:
    median: float | None
    p75: float | None
    n: int
    median_ci: uncertainty.Interval | None = None  # 95%, from order statistics (None under 6)


@memoised
def lead_time(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> LeadTime:
    """Days from referral to first move-in, for participants first housed on or before D: median,
    75th percentile (numpy's linear interpolation) and how many."""
    timeline = timeline_of(session)
    housed = _housed_by(timeline, as_of, scope)
    days = timeline.participants.housed[housed] - timeline.participants.referred[housed]
    if not len(days):
        return LeadTime(None, None, 0)
    median, p75 = np.percentile(days, [50, 75])
    return LeadTime(float(median), float(p75), len(days), uncertainty.median_interval(days))


def percentile_of_counts(counts: list[tuple[int, int]], fraction: float) -> float | None:
    """numpy.percentile's default (linear) of values given as (value, how often), sorted by value."""
    n = sum(k for _, k in counts)
    if n == 0:
        return None
    position = fraction * (n - 1)
    low = int(position)

    def value_at(index: int) -> int:
        seen = 0
        for value, k in counts:
            seen += k
            if index < seen:
                return value
        raise IndexError(index)

    first = value_at(low)
    if position == low:
        return float(first)
    return float(first + (value_at(low + 1) - first) * (position - low))


def lead_time_distribution(session: Session, as_of: date, bucket_days: int = 30,
                           scope: ParticipantFilter = NO_PARTICIPANT_FILTER) -> list[tuple[int, int]]:
    """(bucket start in days, participants) for a histogram of lead times."""
    return lead_times(lead_time_counts(session, as_of, scope), bucket_days)[1]


def lead_time_trend(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                    ) -> list[tuple[str, float, int]]:
    """(month of first move-in 'YYYY-MM', median lead time in days, participants) up to D."""
    return lead_times(lead_time_counts(session, as_of, scope))[2]


def _housed_by(timeline, as_of: date, scope: ParticipantFilter) -> np.ndarray:
    """Mask of the participants in scope whose first move-in (as known at K) is on or before D."""
    mask = timeline.participants.housed <= _at(as_of)
    in_scope = timeline.participant_scope(scope)
    return mask & in_scope if in_scope is not None else mask


@memoised
def lead_time_counts(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                     ) -> list[tuple[str, int, int]]:
    """(month of first move-in 'YYYY-MM', lead time in days, participants), sorted, for the
    participants first housed on or before D: one pass from which lead_time,
    lead_time_distribution and lead_time_trend all follow (see lead_times)."""
    timeline = timeline_of(session)
    history = timeline.participants
    housed = _housed_by(timeline, as_of, scope)
    first_in = history.housed[housed]
    months = first_in.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    days = first_in - history.referred[housed]
    if not len(days):
        return []
    low = int(days.min())
    span = int(days.max()) - low + 1
    keys, counts = np.unique(months * span + (days - low), return_counts=True)
    return [(_month_text(int(k // span)), int(k % span) + low, int(n)) for k, n in zip(keys, counts)]


def _month_text(months_since_1970: int) -> str:
    year, month = divmod(months_since_1970, 12)
    return f"{1970 + year:04d}-{month + 1:02d}"


def lead_times(counts: list[tuple[str, int, int]], bucket_days: int = 30
               ) -> tuple[LeadTime, list[tuple[int, int]], list[tuple[str, float, int]]]:
    """lead_time, lead_time_distribution and lead_time_trend from lead_time_counts."""
    by_days: dict[int, int] = {}
    by_bucket: dict[int, int] = {}
    by_month: dict[str, dict[int, int]] = {}
    for month, days, n in counts:
        by_days[days] = by_days.get(days, 0) + n
        bucket = int(days / bucket_days) * bucket_days  # as SQL's integer division: toward zero
        by_bucket[bucket] = by_bucket.get(bucket, 0) + n
        month_days = by_month.setdefault(month, {})
        month_days[days] = month_days.get(days, 0) + n
    ordered = sorted(by_days.items())
    lead = LeadTime(percentile_of_counts(ordered, 0.5), percentile_of_counts(ordered, 0.75),
                    sum(by_days.values()), uncertainty.median_interval_of_counts(ordered))
    # The trend shows the same statistic as the headline (DESIGN.md: the median), month by month.
    trend = [(month, percentile_of_counts(sorted(days.items()), 0.5), sum(days.values()))
             for month, days in sorted(by_month.items())]
    return lead, sorted(by_bucket.items()), trend


@dataclass(frozen=True)
class Retention:
    rate: float | None
    cohort: int
    retained: int
    target: float

    @property
    def ci95(self) -> uncertainty.Interval | None:
        """The 95% Wilson interval of the rate (None for an empty cohort)."""
        return uncertainty.wilson(self.retained, self.cohort)

    @property
    def verdict(self) -> str:
        """met / not_met / undecided against the target, from the interval (eet.figures.uncertainty)."""
        return uncertainty.verdict(self.ci95, self.target)


@memoised
def retention_12m(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER,
                  target: float = 0.9) -> Retention:
    """Among participants first housed at least 365 days before D, the share without a negative
    exit within 365 days of that move-in (0 to 365 days after it, both included); a death within
    those days leaves them out. Those exits all lie on or before D, so they are known per
    participant whatever D is (eet.figures.timeline)."""
    cohort, retained = retention_masks(timeline_of(session), as_of, scope)
    size, kept = int(cohort.sum()), int(retained.sum())
    return Retention(kept / size if size else None, size, kept, target)


def retention_masks(timeline, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(cohort, retained) per participant at D: the masks retention_12m counts."""
    history = timeline.participants
    cohort = _housed_by(timeline, as_of - timedelta(days=RETENTION_DAYS), scope)
    first_in = history.housed
    cohort &= ~(history.deceased_exit - first_in <= RETENTION_DAYS)
    retained = cohort & ~(history.negative_exit - first_in <= RETENTION_DAYS)
    return cohort, retained


# The Kaplan–Meier estimate of staying housed without a negative exit, with its 95% interval.
SurvivalCurve = uncertainty.SurvivalFit


@memoised
def kaplan_meier(session: Session, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                 ) -> SurvivalCurve:
    """Time from first move-in to the first negative exit, for participants first housed on or
    before D; a positive exit, a death, or D censors (exits on or before D, on or after the first
    move-in). The estimate and its 95% Greenwood interval are lifelines' (eet.figures.uncertainty),
    from the distinct (days, event) pairs and how many people share each."""
    timeline = timeline_of(session)
    housed, duration, is_event = survival_times(timeline, as_of, scope)
    return uncertainty.kaplan_meier(survival_rows(duration, is_event))


def survival_times(timeline, as_of: date, scope: ParticipantFilter = NO_PARTICIPANT_FILTER
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mask of the participants first housed on or before D, and for those in mask order: days
    from the first move-in to the first negative exit or to the censoring (a positive exit, a
    death, or D), whether it was a negative exit): the Kaplan–Meier curve's input."""
    history = timeline.participants
    day = _at(as_of)
    housed = _housed_by(timeline, as_of, scope)
    first_in = history.housed[housed]
    negative = history.negative_exit[housed]
    censor = history.censoring_exit[housed]
    negative = np.where(negative <= day, negative, NEVER)
    censor = np.where(censor <= day, censor, NEVER)
    is_event = (negative != NEVER) & (negative <= censor)
    end = np.where(is_event, negative, np.where(censor != NEVER, censor, day))
    return housed, end - first_in, is_event


def survival_rows(duration: np.ndarray, is_event: np.ndarray) -> list[tuple[int, int, int]]:
    """(days, 1 for an event else 0, people) for each distinct pair, in order of days."""
    if not len(duration):
        return []
    low = int(duration.min())
    keys, counts = np.unique((duration - low) * 2 + is_event, return_counts=True)
    return [(int(k // 2) + low, int(k % 2), int(n)) for k, n in zip(keys, counts)]
