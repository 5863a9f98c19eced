"""Outcomes by group (issue 29), the quantitative side of the living lab's sub-questions: retention
at 12 months, sustainable recovery and lead time per group of participants, each with its n and its
95% interval (eet.figures.uncertainty), and per grouping a log-rank comparison of staying housed.
Exploratory: many groups, few people, no correction for the number of comparisons.

The groupings (GROUPINGS), each a participant's attribute or that of the dwelling of their first
move-in (the dwelling they were housed in, as known at K):
- care_provider: the participant's care provider (support);
- route, building_type: scattered or project; existing, transformation or new build (housing);
- municipality: the municipality of that dwelling (the neighbourhood they landed in);
- age_band: the participant's age band;
- central_waiting_list: yes, no or not recorded.
A participant without the attribute is in the group None ("not recorded").

Every outcome is the figure of DESIGN.md restricted to the group (the masks of
eet.figures.participants and eet.figures.recovery): retention among the group's retention cohort,
recovery among its judged members, lead time among its members first housed by D.

Who sees what: researchers and the admin every group exactly, with the log-rank test; a viewer
(and a suppressed pack) only the groups the small-count rules allow (eet.figures.disclosure rule
7: a group with a count of 1 to 4 is combined with others into "other groups", or the grouping is
withheld), and no log-rank test (the survival curve is for researchers, eet.figures.research).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlmodel import Session

from eet.accounts.access import Actor
from eet.figures import disclosure, uncertainty
from eet.figures.histories import NONE_ID, _code, _factorize, _in_order, _matrix, day_of, details_at
from eet.figures.participants import _housed_by, retention_masks, survival_times
from eet.figures.query import EVENT, NO_PARTICIPANT_FILTER, PARTICIPANT, known_at_of, live, memoised
from eet.figures.recovery import recovery_masks
from eet.figures.research import sees_survival_curve
from eet.figures.timeline import timeline_of
from eet.store.models import AGE_BANDS, Participant, ParticipantVersion

GROUPINGS = ("care_provider", "route", "building_type", "municipality", "age_band", "central_waiting_list")
OTHER = "other"  # the key of the combined row of a viewer's grouping (rule 7)


@dataclass(frozen=True)
class GroupOutcome:
    """One group's outcomes at D. `key`: the group's value (an organisation's name, a code of
    ROUTES, BUILDING_TYPES, AGE_BANDS, "yes"/"no", None for not recorded, OTHER for combined);
    `members`: for OTHER, the keys combined in it."""

    key: object
    housed: int  # first housed on or before D: the lead time's n
    lead_median: float | None
    lead_ci: uncertainty.Interval | None
    cohort: int  # the retention cohort
    retained: int
    judged: int  # recovery: judged (measured, or a negative exit)
    recovered: int
    target: float
    members: tuple = ()

    @property
    def retention(self) -> float | None:
        return self.retained / self.cohort if self.cohort else None

    @property
    def retention_ci(self) -> uncertainty.Interval | None:
        return uncertainty.wilson(self.retained, self.cohort)

    @property
    def retention_verdict(self) -> str:
        return uncertainty.verdict(self.retention_ci, self.target)

    @property
    def recovery(self) -> float | None:
        return self.recovered / self.judged if self.judged else None

    @property
    def recovery_ci(self) -> uncertainty.Interval | None:
        return uncertainty.wilson(self.recovered, self.judged)

    @property
    def recovery_verdict(self) -> str:
        return uncertainty.verdict(self.recovery_ci, self.target)


@dataclass(frozen=True)
class Grouping:
    """The outcomes of one grouping at D, largest group first (OTHER last). `logrank`: equal
    survival across the groups (None where not shown or not computable); `withheld`: for a viewer,
    no group could be shown (everything would have to be combined); `recovery_shown`: False where
    a viewer's recovery by group would give a small count back against the headline."""

    by: str
    groups: list[GroupOutcome]
    logrank: uncertainty.LogRank | None
    withheld: bool = False
    recovery_shown: bool = True


# --- the participants' groups -------------------------------------------------------------------

def _group_columns(session: Session, timeline) -> dict[str, np.ndarray]:
    """Per grouping a column per participant (the timeline's order): organisation ids or codes,
    NONE_ID / None where not recorded. Read once per timeline (two integer queries): the first
    move-in and the age band as known at K (eet.figures.histories.details_at)."""
    key = ("issue29-group-columns",)
    kept = timeline.worked_out().get(key)
    if kept is not None:
        return kept
    history = timeline.participants
    ids = history.id
    source, p = details_at(Participant.__table__, ParticipantVersion.__table__, "participant_id",
                           known_at_of(session))
    ages = _matrix(session, select(PARTICIPANT.id, _code(p("age_band"), AGE_BANDS)).select_from(source)
                   .order_by(PARTICIPANT.id), 2)
    age = np.full(len(ids), -1, np.int64)
    where, known = _positions(ids, ages[:, 0])
    age[where[known]] = ages[known, 1] - 1
    # The dwelling of each participant's first move-in: the first live housed event by date, then id.
    moves = _in_order(_matrix(session, select(EVENT.participant_id, day_of(EVENT.occurred_on), EVENT.id,
                                              EVENT.dwelling_id)
                              .where(live(EVENT, known_at_of(session)), EVENT.kind == "housed",
                                     EVENT.dwelling_id.is_not(None)), 4), 0, 1, 2)
    first = np.ones(len(moves), bool)
    first[1:] = moves[1:, 0] != moves[:-1, 0]
    moves = moves[first]
    owner, keep = _positions(ids, moves[:, 0])
    dwellings = timeline.dwellings
    place, found = _positions(dwellings.id, moves[keep, 3])
    at = np.full(len(ids), -1, np.int64)
    at[owner[keep][found]] = place[found]
    has = at >= 0

    def of_dwelling(name: str, empty):
        column = dwellings.columns[name]
        out = np.full(len(ids), empty, column.dtype)
        out[has] = column[at[has]]
        return out

    columns = {
        "care_provider": history.care_provider_id,
        "route": of_dwelling("route", None),
        "building_type": of_dwelling("building_type", None),
        "municipality": of_dwelling("municipality_id", NONE_ID),
        "age_band": np.array([AGE_BANDS[i] if i >= 0 else None for i in age.tolist()], object),
        "central_waiting_list": np.array([{1: "yes", 0: "no"}.get(v) for v in
                                          history.central_waiting_list.tolist()], object),
    }
    timeline.remember(key, columns)
    return timeline.worked_out()[key]


def _positions(ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position of each value in `ids`, whether it is there): a participant recorded after the
    timeline was read is not in it. `ids` need not be sorted: a timeline patched after a write
    (eet.figures.timeline) has the participants and dwellings it read again at its end."""
    if not len(ids):
        return np.zeros(len(values), np.int64), np.zeros(len(values), bool)
    order = np.argsort(ids, kind="stable")
    where = order[np.minimum(np.searchsorted(ids, values, sorter=order), len(ids) - 1)]
    return where, ids[where] == values


def _codes(column: np.ndarray) -> tuple[np.ndarray, list]:
    """(group code per participant, key per code), keys None for not recorded."""
    return _factorize([column])


# --- the outcomes ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Outcomes:
    """The masks and numbers per participant that every group's figures are counted from."""

    housed: np.ndarray
    lead_days: np.ndarray  # per participant (meaningful where housed)
    cohort: np.ndarray
    retained: np.ndarray
    judged: np.ndarray
    recovered: np.ndarray
    followed: np.ndarray  # housed by D (the survival's population)
    duration: np.ndarray  # per participant (meaningful where followed)
    event: np.ndarray


def _outcomes(timeline, as_of: date) -> _Outcomes:
    history = timeline.participants
    housed = _housed_by(timeline, as_of, NO_PARTICIPANT_FILTER)
    cohort, retained = retention_masks(timeline, as_of)
    judged, recovered = recovery_masks(timeline, as_of)
    followed, duration, is_event = survival_times(timeline, as_of)
    full_duration = np.zeros(len(housed), np.int64)
    full_event = np.zeros(len(housed), bool)
    full_duration[followed] = duration
    full_event[followed] = is_event
    return _Outcomes(housed, history.housed - history.referred, cohort, retained, judged, recovered,
                     followed, full_duration, full_event)


def _count(codes: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(codes[mask], minlength=size)


def _grouped(o: _Outcomes, codes: np.ndarray, keys: list, target: float, members: dict | None = None
             ) -> list[GroupOutcome]:
    """One GroupOutcome per key that has anyone housed by D, largest first."""
    size = len(keys)
    housed = _count(codes, o.housed, size)
    cohort, retained = _count(codes, o.cohort, size), _count(codes, o.retained, size)
    judged, recovered = _count(codes, o.judged, size), _count(codes, o.recovered, size)
    lead_codes, lead_days = codes[o.housed], o.lead_days[o.housed]
    out = []
    for i, key in enumerate(keys):
        if not housed[i]:
            continue
        days = lead_days[lead_codes == i]
        out.append(GroupOutcome(key, int(housed[i]), float(np.percentile(days, 50)),
                                uncertainty.median_interval(days), int(cohort[i]), int(retained[i]),
                                int(judged[i]), int(recovered[i]), target, (members or {}).get(key, ())))
    return sorted(out, key=lambda g: (g.key == OTHER, -g.housed, str(g.key)))


def _logrank(o: _Outcomes, codes: np.ndarray) -> uncertainty.LogRank | None:
    """The log-rank test across the groups, from the distinct (group, days, event) rows."""
    chosen = o.followed
    if not chosen.any():
        return None
    span = int(o.duration[chosen].max()) + 1
    key = (codes[chosen].astype(np.int64) * span + o.duration[chosen]) * 2 + o.event[chosen]
    values, counts = np.unique(key, return_counts=True)
    return uncertainty.logrank(values // 2 // span, values // 2 % span, values % 2, counts)


@memoised
def _groups_at(session: Session, as_of: date, by: str, target: float) -> list[GroupOutcome]:
    timeline = timeline_of(session)
    codes, keys = _codes_of(session, timeline, by)
    return _grouped(_outcomes(timeline, as_of), codes, _named(session, by, keys), target)


@memoised
def logrank_by(session: Session, as_of: date, by: str) -> uncertainty.LogRank | None:
    """The log-rank test of staying housed across the groups of `by` at D (exploratory)."""
    timeline = timeline_of(session)
    codes, _ = _codes_of(session, timeline, by)
    return _logrank(_outcomes(timeline, as_of), codes)


def outcomes_by(session: Session, as_of: date, by: str, target: float = 0.9) -> Grouping:
    """The exact outcomes of grouping `by` (one of GROUPINGS) at D, with the log-rank test, as
    known at the session's K. Raises ValueError for an unknown grouping."""
    if by not in GROUPINGS:
        raise ValueError(f"'{by}' is not a grouping; choose one of {', '.join(GROUPINGS)}")
    return Grouping(by, _groups_at(session, as_of, by, target), logrank_by(session, as_of, by))


def _codes_of(session: Session, timeline, by: str) -> tuple[np.ndarray, list]:
    """(group code per participant, key per code) of grouping `by`, worked out once per timeline."""
    key = ("issue29-group-codes", by)
    kept = timeline.worked_out().get(key)
    if kept is None:
        timeline.remember(key, _codes(_group_columns(session, timeline)[by]))
        kept = timeline.worked_out()[key]
    return kept


def _named(session: Session, by: str, keys: list) -> list:
    """Organisation ids as their names (care provider, municipality); other keys as they are."""
    if by not in ("care_provider", "municipality"):
        return keys
    from eet.entry.organisations import names

    known = names(session)
    return [None if k is None else known.get(k, str(k)) for k in keys]


@memoised
def _viewer_outcomes_by(session: Session, as_of: date, by: str, target: float) -> Grouping:
    rows = {g.key: (g.housed, g.cohort, g.retained, g.cohort - g.retained)
            for g in _groups_at(session, as_of, by, target)}
    alone, pooled = disclosure.pool_groups(rows, hide=True)
    if not alone:
        return Grouping(by, [], None, withheld=True)
    timeline = timeline_of(session)
    codes, keys = _codes_of(session, timeline, by)
    names = _named(session, by, keys)
    # The combined groups as one: every participant of a pooled group gets the code of OTHER.
    recode = np.array([len(names) if name in pooled else i for i, name in enumerate(names)], np.int64)
    groups = _grouped(_outcomes(timeline, as_of), recode[codes] if len(codes) else codes, [*names, OTHER],
                      target, {OTHER: tuple(pooled)})
    from eet.figures.recovery import recovery_12m

    r = recovery_12m(session, as_of)
    shown = disclosure.recovery_groups_shown([(g.judged, g.recovered) for g in groups], r.cohort, r.measured)
    return Grouping(by, groups, None, recovery_shown=shown)


def outcomes_for(session: Session, actor: Actor, as_of: date, by: str, target: float = 0.9) -> Grouping:
    """outcomes_by as this actor may see it: exact with the log-rank test for researchers and the
    admin; for everyone else (a viewer; a coordinator, whose exact figures are their own
    organisation's rows) the groups of disclosure rule 7 and no test."""
    if by not in GROUPINGS:
        raise ValueError(f"'{by}' is not a grouping; choose one of {', '.join(GROUPINGS)}")
    if sees_exact_groups(actor):
        return outcomes_by(session, as_of, by, target)
    return _viewer_outcomes_by(session, as_of, by, target)


def sees_exact_groups(actor: Actor) -> bool:
    """Researchers and the admin (those who see the survival curve, eet.figures.research)."""
    return sees_survival_curve(actor)


def viewer_outcomes(session: Session, as_of: date, by: str, target: float = 0.9) -> Grouping:
    """The groups as a viewer and a suppressed pack see them (disclosure rule 7)."""
    return _viewer_outcomes_by(session, as_of, by, target)
