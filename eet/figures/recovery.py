"""Sustainable recovery at 12 months (DESIGN.md, issue 17): staying housed is not recovering.

The cohort is the retention cohort at D (participants first housed at least 365 days before D, a
death within 365 days of the first move-in leaving them out). For each member two ZRM measurements
recorded on or before D (not voided) are taken:

- intake: the latest measurement from 180 days before to 30 days after the first move-in (both
  ends included; of two on one date the later recorded);
- at 12 months: the measurement nearest to 365 days after the first move-in, from 275 to 455 days
  after it (both ends included); of two equally near the later one (more follow-up), of two on one
  date the later recorded.

The two are compared on the domains both scored (spec/interfaces.md): the member *has both
measurements* ("measured") when both exist and share at least one scored domain. A member *recovered*
when retained (no negative exit within 365 days of the first move-in, the retention rule) and the
12-month total is at least the intake total.

The rate is recovered / judged, where judged = the measured members plus the members with a negative
exit and no two measurements: a negative exit is not a sustainable recovery, measured or not, and
leaving those out would flatter the rate. `measured` (the coverage) is shown beside it against the
cohort. Per domain, among measured members who scored that domain both times: improved, same,
declined. One SQL aggregate; no rows leave the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal, select
from sqlmodel import Session

from eet.accounts.access import Actor, sees_suppressed_counts
from eet.figures import disclosure, privacy
from eet.figures.disclosure import Rate
from eet.figures.participants import _events_until, _first_move_in
from eet.figures.query import EVENT, RETENTION_DAYS, days_between, memoised
from eet.store.models import ZRM_DOMAINS, Measurement

INTAKE_BEFORE, INTAKE_AFTER = 180, 30  # days around the first move-in
FOLLOW_UP, FOLLOW_UP_WINDOW = 365, 90  # the 12-month measurement: 365 days after, 90 days either side
MEASUREMENTS = Measurement.__table__
M = MEASUREMENTS.c


@dataclass(frozen=True)
class DomainChange:
    domain: str
    improved: int
    same: int
    declined: int

    @property
    def scored(self) -> int:
        return self.improved + self.same + self.declined


@dataclass(frozen=True)
class Recovery:
    """Sustainable recovery at 12 months at D. `rate` is None when nobody can be judged."""

    rate: float | None
    cohort: int  # the retention cohort at D
    measured: int  # cohort members with both measurements (the coverage)
    judged: int  # measured, plus negative exits without both measurements
    recovered: int
    target: float
    domains: list[DomainChange] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        return self.measured / self.cohort if self.cohort else None


def _chosen(members, as_of: date, low: int, high: int, order, name: str):
    """Per cohort member the one measurement (all its columns) from `low` to `high` days after the
    first move-in (both included), recorded on or before D and not voided: the first in `order`
    (a window function, so each member's measurements are read once)."""
    days = days_between(M.measured_on, members.c.first_in)
    ranked = (select(M.participant_id, *(M[d] for d in ZRM_DOMAINS),
                     func.row_number().over(partition_by=M.participant_id, order_by=order(days)).label("rank"))
              .select_from(MEASUREMENTS.join(members, members.c.participant_id == M.participant_id))
              .where(M.voided_at.is_(None), M.measured_on <= as_of, days >= low, days <= high)
              .subquery(f"{name}_ranked"))
    return select(ranked).where(ranked.c.rank == 1).subquery(name)


@memoised
def recovery_12m(session: Session, as_of: date, target: float = 0.9) -> Recovery:
    """Sustainable recovery at 12 months at D (the module's docstring gives the rule)."""
    first = _first_move_in(as_of)
    cutoff = as_of - timedelta(days=RETENTION_DAYS)

    def exit_within(outcome: str):
        return select(EVENT.id).where(
            EVENT.participant_id == first.c.participant_id, _events_until(as_of, "exited"),
            EVENT.outcome == outcome, EVENT.occurred_on >= first.c.first_in,
            days_between(EVENT.occurred_on, first.c.first_in) <= RETENTION_DAYS).exists()

    members = (select(first.c.participant_id, first.c.first_in,
                      case((exit_within("negative"), 0), else_=1).label("retained"))
               .where(first.c.first_in <= cutoff, ~exit_within("deceased")).subquery("members"))
    a = _chosen(members, as_of, -INTAKE_BEFORE, INTAKE_AFTER, lambda days: (M.measured_on.desc(), M.id.desc()),
                "intake")
    b = _chosen(members, as_of, FOLLOW_UP - FOLLOW_UP_WINDOW, FOLLOW_UP + FOLLOW_UP_WINDOW,
                lambda days: (func.abs(days - FOLLOW_UP), M.measured_on.desc(), M.id.desc()), "later")

    def both(d: str):
        return and_(a.c[d].is_not(None), b.c[d].is_not(None))

    def total(side) -> object:
        return sum((case((both(d), side.c[d]), else_=0) for d in ZRM_DOMAINS), literal(0))

    def sign(d: str):  # 1 improved, 0 same, -1 declined, None not scored both times
        return case((~both(d), None), (b.c[d] > a.c[d], 1), (b.c[d] < a.c[d], -1), else_=0)

    common = sum((case((both(d), 1), else_=0) for d in ZRM_DOMAINS), literal(0))
    pairs = (select(members.c.retained,
                    case((common > 0, 1), else_=0).label("measured"),
                    case((total(b) >= total(a), 1), else_=0).label("kept_up"),
                    *(sign(d).label(d) for d in ZRM_DOMAINS))
             .select_from(members.outerjoin(a, a.c.participant_id == members.c.participant_id)
                          .outerjoin(b, b.c.participant_id == members.c.participant_id))
             .subquery("pairs"))
    p = pairs.c
    measured, retained = p.measured == 1, p.retained == 1
    columns = [
        func.count(),
        func.sum(case((measured, 1), else_=0)),
        func.sum(case((measured | ~retained, 1), else_=0)),
        func.sum(case((and_(measured, retained, p.kept_up == 1), 1), else_=0)),
    ]
    for d in ZRM_DOMAINS:
        columns += [func.sum(case((and_(measured, p[d] == value), 1), else_=0)) for value in (1, 0, -1)]
    row = [int(v or 0) for v in session.execute(select(*columns)).one()]
    cohort, n_measured, judged, recovered = row[:4]
    domains = [DomainChange(d, *row[4 + 3 * i: 7 + 3 * i]) for i, d in enumerate(ZRM_DOMAINS)]
    return Recovery(recovered / judged if judged else None, cohort, n_measured, judged, recovered,
                    target, domains)


@dataclass(frozen=True)
class RecoveryView:
    """Recovery as an actor may see it: for viewers (eet.figures.privacy) the cohort and the
    measured count as "<5" when small, no rate when it would give a small count back, and only the
    domains whose improved, same and declined counts are each 0 or at least the threshold."""

    rate: Rate  # exact, or for viewers a band that never crosses the target (disclosure rule 5)
    cohort: int | str
    measured: int | str
    target: float
    domains: list[tuple[str, int, int, int]]
    hidden_domains: int  # domains left out for a viewer


def recovery_rate(r: Recovery, hide: bool) -> Rate:
    """The recovery rate as `hide` allows: the share recovered among those judged, exact, or for a
    viewer a band with the target verdict, as retention is shown (eet.figures.disclosure rule 5)."""
    rate = r.recovered / r.judged if r.judged else None
    return disclosure.retention(rate, r.judged, r.target, hide)


def recovery_view(session: Session, actor: Actor, as_of: date) -> RecoveryView:
    """recovery_12m at D as this actor may see it (every role sees the aggregate)."""
    r = recovery_12m(session, as_of)
    hide = sees_suppressed_counts(actor)
    scored = [(d.domain, d.improved, d.same, d.declined) for d in r.domains if d.scored]
    shown = [row for row in scored if not hide or not any(privacy.small(n) for n in row[1:])]
    return RecoveryView(recovery_rate(r, hide),
                        privacy.suppress(r.cohort) if hide else r.cohort,
                        privacy.suppress(r.measured) if hide else r.measured,
                        r.target, shown, len(scored) - len(shown))


__all__ = ["RecoveryView", "recovery_view", "recovery_rate", "DomainChange", "Recovery", "recovery_12m", "INTAKE_BEFORE", "INTAKE_AFTER", "FOLLOW_UP",
           "FOLLOW_UP_WINDOW"]
