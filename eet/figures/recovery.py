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
declined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlmodel import Session

from eet.accounts.access import Actor, sees_suppressed_counts
from eet.figures import disclosure, privacy, uncertainty
from eet.figures.disclosure import Rate
from eet.figures.query import RETENTION_DAYS, memoised
from eet.figures.timeline import day_number, timeline_of
from eet.store.models import ZRM_DOMAINS

INTAKE_BEFORE, INTAKE_AFTER = 180, 30  # days around the first move-in
FOLLOW_UP, FOLLOW_UP_WINDOW = 365, 90  # the 12-month measurement: 365 days after, 90 days either side


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

    @property
    def ci95(self) -> tuple[float, float] | None:
        """The 95% Wilson interval of recovered / judged (None when nobody can be judged)."""
        return uncertainty.wilson(self.recovered, self.judged)

    @property
    def verdict(self) -> str:
        """met / not_met / undecided against the target, from the interval (eet.figures.uncertainty)."""
        return uncertainty.verdict(self.ci95, self.target)


def _first_per_owner(owner: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owners, row index) of the first row per owner in the order of `keys` (most significant
    first), among the rows given."""
    if not len(owner):
        return owner, owner
    order = np.lexsort((*reversed(keys), owner))
    owners = owner[order]
    first = np.ones(len(order), bool)
    first[1:] = owners[1:] != owners[:-1]
    return owners[first], order[first]


def _chosen_scores(history, chosen: np.ndarray, days: np.ndarray, window: tuple[int, int],
                   *order: np.ndarray) -> dict[int, np.ndarray]:
    """{participant: scores (NaN: not scored)} of the one measurement per participant within
    `window` days (both included) of the first move-in among the `chosen` rows, first in `order`."""
    rows = chosen & (days >= window[0]) & (days <= window[1])
    owners, index = _first_per_owner(history.measurement_owner[rows], *(key[rows] for key in order))
    scores = history.measurement_scores[np.flatnonzero(rows)[index]]
    return dict(zip(owners.tolist(), scores))


@memoised
def recovery_12m(session: Session, as_of: date, target: float = 0.9) -> Recovery:
    """Sustainable recovery at 12 months at D (the module's docstring gives the rule), as known at
    the session's K (eet.figures.query.as_known_at), from the participants' histories
    (eet.figures.timeline)."""
    history = timeline_of(session).participants
    members, judged, recovered, measured, domains = _recovery_of(history, day_number(as_of))
    return Recovery(int(recovered.sum()) / int(judged.sum()) if judged.any() else None, int(members.sum()),
                    measured, int(judged.sum()), int(recovered.sum()), target, domains)


def recovery_masks(timeline, as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """(judged, recovered) per participant at D: the masks recovery_12m counts (issue 29: the
    outcome by group)."""
    _, judged, recovered, _, _ = _recovery_of(timeline.participants, day_number(as_of))
    return judged, recovered


def _recovery_of(history, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, list[DomainChange]]:
    """(members, judged, recovered) per participant at day number `day`, the number measured and
    the per-domain changes (the module's docstring gives the rule)."""
    first_in = history.housed
    members = (first_in <= day - RETENTION_DAYS) & ~(history.deceased_exit - first_in <= RETENTION_DAYS)
    negative = members & (history.negative_exit - first_in <= RETENTION_DAYS)
    owner = history.measurement_owner
    chosen = members[owner] & (history.measurement_day <= day)
    days = history.measurement_day - first_in[owner]
    # Intake: the latest (then the later recorded); at 12 months: the nearest to 365 days, then the
    # later date, then the later recorded. Only members with both are compared.
    intake = _chosen_scores(history, chosen, days, (-INTAKE_BEFORE, INTAKE_AFTER),
                            -history.measurement_day, -history.measurement_id)
    later = _chosen_scores(history, chosen, days, (FOLLOW_UP - FOLLOW_UP_WINDOW, FOLLOW_UP + FOLLOW_UP_WINDOW),
                           np.abs(days - FOLLOW_UP), -history.measurement_day, -history.measurement_id)
    pairs = np.array(sorted(set(intake) & set(later)), np.int64)
    a = np.array([intake[p] for p in pairs.tolist()]).reshape(len(pairs), len(ZRM_DOMAINS))
    b = np.array([later[p] for p in pairs.tolist()]).reshape(len(pairs), len(ZRM_DOMAINS))
    both = ~np.isnan(a) & ~np.isnan(b)
    measured = both.any(axis=1)
    kept_up = np.where(both, b, 0).sum(axis=1) >= np.where(both, a, 0).sum(axis=1)
    # Judged: the measured members and the negative exits; recovered: measured, retained, kept up.
    judged = negative.copy()
    judged[pairs[measured]] = True
    recovered = np.zeros(len(members), bool)
    recovered[pairs[measured & kept_up & ~negative[pairs]]] = True
    change = np.sign(np.where(both, b - a, np.nan))[measured]
    domains = [DomainChange(d, int((change[:, i] == 1).sum()), int((change[:, i] == 0).sum()),
                            int((change[:, i] == -1).sum())) for i, d in enumerate(ZRM_DOMAINS)]
    return members, judged, recovered, int(measured.sum()), domains


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
