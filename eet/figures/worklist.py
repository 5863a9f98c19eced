"""The by-name list (DESIGN.md, issue 23): per organisation, every participant with the step they
are at on a date D, since when, for how many days, the dwelling they are matched to or live in, and
what is due next. The coordinators' working view (after the HMIS warehouse's and Built for Zero's
by-name lists); never shown to viewers.

A row, at D, for every participant referred on or before D (and recorded by K):
- `step`: of the latest step dated on or before D (by date, then as recorded): `referred` (no step
  yet), `eligible` / `not_eligible` (an assessment and its outcome), `matched`, `housed`, `exited`,
  `withdrawn`; `since` its date (the referral date for `referred`), `days` = D - since.
- `dwelling_ref`: the dwelling of that step when it is a match or a move-in, else None.
- `due`: what is due next (DUE): `assessment` (referred, not assessed), `match` (eligible, not
  matched), `move_in` (matched), `move_in_overdue` (matched more than the admin's
  quality.match_to_move_in_days ago, as eet.quality.stuck counts it), `zrm_12m` (housed since the
  first move-in, the 12-month ZRM window of eet.figures.recovery is open at D (365 days after the
  first move-in, 90 either side) and no measurement in it yet); None when nothing is due.

Read from the participants' histories (eet.figures.timeline) and one integer query of the steps'
dwellings per data version and K, kept with the timeline, so a list at national size is a few
vectorised passes. The csv (`csv_text`) is what `python -m eet worklist --format csv` prints and
what the page offers as a download.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sqlalchemy import select
from sqlmodel import Session

from eet.accounts.access import Actor, row_scope
from eet.figures.histories import EPOCH, NONE_ID, _code, _id, _in_order, _matrix, day_of
from eet.figures.query import DWELLING, EVENT, PARTICIPANT, ParticipantFilter, known_at_of, live
from eet.figures.recovery import FOLLOW_UP, FOLLOW_UP_WINDOW
from eet.figures.timeline import NEVER, day_number, timeline_of
from eet.quality.settings import thresholds

STEPS = ("referred", "eligible", "not_eligible", "matched", "housed", "exited", "withdrawn")
DUE = ("assessment", "match", "move_in", "move_in_overdue", "zrm_12m")
# The step a row's link opens the participant's route with: what can follow the step they are at
# (eet.entry.next_step says the same for the forms); None: nothing to record from the list.
NEXT_STEP = {"referred": "assessed", "eligible": "matched", "not_eligible": "assessed", "matched": "housed",
             "housed": "exited", "exited": None, "withdrawn": None}
COLUMNS = ("code", "step", "since", "days", "dwelling_ref", "due")  # the csv's, in order
_KINDS = ("assessed", "matched", "housed", "exited", "withdrawn")  # coded 1.. in the query
_CACHE_KEY = ("p-worklist-steps",)  # "p-": a patch that touches participants reads it again


@dataclass(frozen=True)
class WorklistRow:
    code: str
    step: str  # STEPS
    since: date
    days: int
    dwelling_ref: str | None
    due: str | None  # DUE, or None


def _steps(session: Session, timeline) -> dict[str, np.ndarray]:
    """Every live step as known at the timeline's K, in (participant, date, id) order: its
    participant's index in the history, kind (1.. of _KINDS), day, eligible (1/0) and dwelling id
    (NONE_ID for none); and the participants' codes by index. Kept with the timeline."""
    kept = timeline.worked_out().get(_CACHE_KEY)
    if kept is not None:
        return kept
    known = known_at_of(session)
    rows = _in_order(_matrix(session, select(
        EVENT.participant_id, _code(EVENT.kind, _KINDS), day_of(EVENT.occurred_on),
        _code(EVENT.outcome, ("eligible",)), _id(EVENT.dwelling_id), EVENT.id,
    ).where(live(EVENT, known)), 6), 0, 2, 5)
    ids = timeline.participants.id
    codes_by_id = dict(session.execute(select(PARTICIPANT.id, PARTICIPANT.code)).all())
    # A patched timeline holds its participants in no id order (those re-read come last).
    order = np.argsort(ids, kind="stable")
    owner = order[np.searchsorted(ids[order], rows[:, 0])] if len(ids) else np.zeros(0, np.int64)
    steps = {"owner": owner, "kind": rows[:, 1].copy(), "day": rows[:, 2].copy(),
             "eligible": rows[:, 3].copy(), "dwelling": rows[:, 4].copy(),
             "codes": np.array([codes_by_id.get(int(i), "") for i in ids.tolist()], object)}
    timeline.remember(_CACHE_KEY, steps)
    return steps


def worklist(session: Session, actor: Actor, as_of: date, organisation_id: int | None = None,
             code: str | None = None) -> list[WorklistRow]:
    """The by-name list at D, ordered by code (with `code`, that participant's row only, if listed). A coordinator gets their own organisation's
    participants (referrer, care provider or municipality, as every other row-level page scopes
    them) whatever `organisation_id` says; an admin or researcher everyone's, or one
    organisation's with `organisation_id`. AccessDenied for a viewer."""
    own = row_scope(actor)  # AccessDenied for a viewer
    org = own if own is not None else organisation_id
    timeline = timeline_of(session)
    history = timeline.participants
    day = day_number(as_of)
    listed = history.known & (history.referred <= day)
    scope = timeline.participant_scope(ParticipantFilter(org))
    if scope is not None:
        listed &= scope
    steps = _steps(session, timeline)
    if code is not None:
        listed &= steps["codes"] == code
    n = len(history.id)
    # The latest step on or before D per participant: rows are in (participant, day, id) order, so
    # the last row of each participant among those dated by D.
    by_d = steps["day"] <= day
    owner = steps["owner"][by_d]
    last_row = np.full(n, -1, np.int64)
    if len(owner):
        positions = np.flatnonzero(by_d)
        last_row[owner] = positions  # later positions overwrite earlier: the last one stays
    has_step = last_row >= 0

    def of_last(column: str, default) -> np.ndarray:
        """Per participant the column's value at their latest step, `default` without one."""
        values = steps[column]
        if not len(values):
            return np.broadcast_to(default, n).copy()
        return np.where(has_step, values[np.maximum(last_row, 0)], default)

    kind, since = of_last("kind", 0), of_last("day", history.referred)
    dwelling, eligible = of_last("dwelling", NONE_ID), of_last("eligible", 0)
    step = np.full(n, "referred", object)
    step[kind == 1] = np.where(eligible[kind == 1] == 1, "eligible", "not_eligible")
    for code, name in ((2, "matched"), (3, "housed"), (4, "exited"), (5, "withdrawn")):
        step[kind == code] = name
    with_dwelling = (kind == 2) | (kind == 3)
    days = day - since
    match_limit = thresholds(session)["quality.match_to_move_in_days"]
    due = np.full(n, None, object)
    due[step == "referred"] = "assessment"
    due[step == "eligible"] = "match"
    due[step == "matched"] = np.where(days[step == "matched"] > match_limit, "move_in_overdue", "move_in")
    due[(step == "housed") & _zrm_due(history, day)] = "zrm_12m"
    chosen = np.flatnonzero(listed)
    # Row objects from plain lists: indexing numpy arrays one cell at a time took seconds at
    # national size (100,000 participants).
    homes = np.where(with_dwelling[chosen], dwelling[chosen], NONE_ID)
    refs = _refs(session, homes)
    since_days = since[chosen].tolist()
    dates = {d: EPOCH + timedelta(days=d) for d in set(since_days)}
    rows = [WorklistRow(code=c, step=st, since=dates[s], days=n, dwelling_ref=refs.get(h), due=d)
            for c, st, s, n, h, d in zip(steps["codes"][chosen].tolist(), step[chosen].tolist(), since_days,
                                         days[chosen].tolist(), homes.tolist(), due[chosen].tolist())]
    rows.sort(key=lambda r: r.code)
    return rows


SORTS = ("days", "code", "step")  # the orders a coordinator can choose


def narrowed(rows: list[WorklistRow], steps: tuple | list = (), min_days: int = 0, due_only: bool = False,
             order: str = "days") -> list[WorklistRow]:
    """The rows a coordinator asked for: at one of `steps` (none: every step), at least `min_days`
    at it, only those with something due; ordered longest waiting first ("days"), by code, or by
    step along the route (STEPS) and then longest waiting. Raises KeyError for another order."""
    key = {"days": lambda r: (-r.days, r.code), "code": lambda r: r.code,
           "step": lambda r: (STEPS.index(r.step), -r.days, r.code)}[order]
    return sorted((r for r in rows if (not steps or r.step in steps) and r.days >= min_days and (r.due or not due_only)),
                  key=key)


def _zrm_due(history, day: int) -> np.ndarray:
    """Per participant: the 12-month measurement window around the first move-in is open at `day`
    and holds no measurement dated on or before `day`."""
    first_in = history.housed
    opens, closes = first_in + FOLLOW_UP - FOLLOW_UP_WINDOW, first_in + FOLLOW_UP + FOLLOW_UP_WINDOW
    open_now = (first_in != NEVER) & (opens <= day) & (day <= closes)
    m_owner, m_day = history.measurement_owner, history.measurement_day
    inside = (m_day >= opens[m_owner]) & (m_day <= np.minimum(closes[m_owner], day)) if len(m_owner) \
        else np.zeros(0, bool)
    measured = np.zeros(len(first_in), bool)
    measured[m_owner[inside]] = True
    return open_now & ~measured


def _refs(session: Session, dwelling_ids: np.ndarray) -> dict[int, str]:
    """{id: ref} of the dwellings named (NONE_ID left out); all refs in one read beyond 500."""
    wanted = set(dwelling_ids.tolist()) - {NONE_ID}
    if not wanted:
        return {}
    if len(wanted) > 500:
        return {i: r for i, r in session.execute(select(DWELLING.id, DWELLING.ref)) if i in wanted}
    return dict(session.execute(select(DWELLING.id, DWELLING.ref).where(DWELLING.id.in_(sorted(wanted)))).all())


# --- the list as a file --------------------------------------------------------------------------

def as_records(rows: list[WorklistRow]) -> list[dict]:
    """The rows as the JSON of spec/interfaces.md: dates as YYYY-MM-DD, null for none."""
    return [{"code": r.code, "step": r.step, "since": r.since.isoformat(), "days": r.days,
             "dwelling_ref": r.dwelling_ref, "due": r.due} for r in rows]


def csv_text(rows: list[WorklistRow]) -> str:
    """The list as csv (comma, header COLUMNS, dates YYYY-MM-DD, codes as stored, empty for none):
    the command line's `--format csv` and the page's download, byte for byte."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in as_records(rows):
        writer.writerow(["" if record[c] is None else record[c] for c in COLUMNS])
    return out.getvalue()


def csv_for(session: Session, actor: Actor, as_of: date, organisation_id: int | None = None) -> str:
    """The page's csv download: csv_text of worklist(...)."""
    return csv_text(worklist(session, actor, as_of, organisation_id))


def xlsx_for(session: Session, actor: Actor, as_of: date, organisation_id: int | None = None) -> bytes:
    """The page's Excel download: xlsx_bytes of worklist(...)."""
    return xlsx_bytes(worklist(session, actor, as_of, organisation_id))


def json_text(rows: list[WorklistRow]) -> str:
    return json.dumps(as_records(rows), ensure_ascii=False, indent=1)


def xlsx_bytes(rows: list[WorklistRow]) -> bytes:
    """The list as a workbook of one sheet with the csv's columns (dates as date cells)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "worklist"
    sheet.append(list(COLUMNS))
    for r in rows:
        sheet.append([r.code, r.step, r.since, r.days, r.dwelling_ref, r.due])
        sheet.cell(row=sheet.max_row, column=3).number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def text_lines(rows: list[WorklistRow], as_of: date) -> str:
    """The list as aligned plain text, for a terminal."""
    head = f"By-name list as of {as_of.isoformat()}: {len(rows)} participants"
    lines = [head, "  ".join(f"{c:<16}" for c in COLUMNS).rstrip()]
    for record in as_records(rows):
        lines.append("  ".join(f"{'' if record[c] is None else record[c]!s:<16}" for c in COLUMNS).rstrip())
    return "\n".join(lines)
