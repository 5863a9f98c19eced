"""The rows of the feed's entity sets, read from the functions the pages and `report` read.

Nothing here computes a figure: per month-end M the exact figures are `build_report(session, M)`
(eet.figures.report), as `python -m eet report --as-of M` prints them, and what a viewer sees is the
headline part of the date's one disclosure pass (`headline_at`, which `shown_at` builds on: the
funnel, the dwellings per municipality, retention; eet.figures.shown) and the research page's
`recovery_view`, so that a viewer's feed withholds the same cells as the pages at M. The
figures as known at a moment K come from the same functions inside `as_known_at` (the caller's).

A cell is an int or float, or None where the pages show no exact value; `SmallCounts` and
`Withheld` name those properties, as the pages say "<5" and "–" (or "in bewoond of beschikbaar").
Row-level sets (Dwellings, Participants, Steps) go through the row scope of eet.accounts.access:
a coordinator's organisation only; a viewer none (AccessDenied).
"""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session

from eet.accounts.access import Actor, row_scope, sees_suppressed_counts
from eet.entry.data_entry import participant_rows
from eet.figures import disclosure
from eet.figures.dwelling_table import dwelling_rows
from eet.figures.query import EVENT, known_at_of, live
from eet.figures.recovery import recovery_view
from eet.figures.report import build_report
from eet.figures.privacy import threshold
from eet.figures.shown import headline_at
from eet.store.coalition import LAUNCH
from eet.store.models import Dwelling, Participant, ParticipantEvent

STATUS_PROPERTIES = {"searching": "Searching", "location_found": "LocationFound", "available": "Available",
                     "occupied": "Occupied", "withdrawn": "Withdrawn"}
FUNNEL_PROPERTIES = {"referred": "Referred", "assessed": "Assessed", "eligible": "Eligible", "matched": "Matched",
                     "housed": "Housed", "housed_now": "HousedNow", "withdrawn": "Withdrawn"}


def month_ends(first: date, last: date) -> list[date]:
    """Every month-end from the month of `first` up to `last` (inclusive)."""
    out, year, month = [], first.year, first.month
    while True:
        end = date(year, month, calendar.monthrange(year, month)[1])
        if end > last:
            return out
        out.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def feed_months(until: date) -> list[date]:
    """The month-ends the figure sets cover: from the launch (eet.store.coalition.LAUNCH) to `until`."""
    return month_ends(LAUNCH, until)


def _cell(value, small: list[str], withheld: list[str], name: str):
    """A shown cell as the feed gives it: exact stays; "<5" and "–" / combined become None, named."""
    if disclosure.exact(value) or isinstance(value, float):
        return value
    if isinstance(value, str) and value.startswith("<"):
        small.append(name)
    else:  # None ("–") or disclosure.COMBINED (shown only in InUse)
        withheld.append(name)
    return None


def _marks(small: list[str], withheld: list[str]) -> dict:
    return {"SmallCounts": ",".join(small) or None, "Withheld": ",".join(withheld) or None}


def municipality_months(session: Session, actor: Actor, months: list[date]) -> list[dict]:
    """MunicipalityMonths: per month-end and municipality partner of that date (report's
    `by_municipality`, zeros included), the dwelling counts as this actor sees them on the pages."""
    hide = sees_suppressed_counts(actor)
    limit = threshold()
    out = []
    for month in months:
        whole = build_report(session, month)
        report = whole["dwellings"]["by_municipality"]
        shown = headline_at(session, month, True, whole, limit).by_municipality if hide else None
        for name, exact in report.items():
            cells = shown[name] if hide else exact
            small: list[str] = []
            withheld: list[str] = []
            row = {"Municipality": name, "Month": month,
                   "Counter": _cell(cells["counter"], small, withheld, "Counter"),
                   "Pipeline": _cell(cells["pipeline"], small, withheld, "Pipeline")}
            for status, prop in STATUS_PROPERTIES.items():
                row[prop] = _cell(cells[status], small, withheld, prop)
            row["InUse"] = exact["occupied"] + exact["available"] if not hide else _cell(
                cells["in_use"], small, withheld, "InUse")
            row["Pledge"] = exact.get("pledge")  # issue 23's pledges, where the report has them
            row.update(_marks(small, withheld))
            out.append(row)
    return out


def _rate(rate: disclosure.Rate, prefix: str, small: list[str], withheld: list[str]) -> dict:
    """A rate as the pages show it: exact; a band (low, high) with its verdict; a band too wide to
    say anything withheld with only its verdict; nothing to measure: all None."""
    banded = rate.banded and not disclosure.band_withheld(rate)
    if rate.value is None and (rate.met is not None or isinstance(rate.cohort, str)):  # a band, or 1 to 4 people
        withheld.append(prefix)
    return {prefix: rate.value, f"{prefix}Low": rate.low if banded else None,
            f"{prefix}High": rate.high if banded else None, f"{prefix}TargetMet": rate.met}


def funnel_months(session: Session, actor: Actor, months: list[date]) -> list[dict]:
    """FunnelMonths: per month-end the funnel, retention and sustainable recovery at 12 months
    (report's `participants`), as this actor sees them on the pages."""
    hide = sees_suppressed_counts(actor)
    limit = threshold()
    out = []
    for month in months:
        small: list[str] = []
        withheld: list[str] = []
        row: dict = {"Month": month}
        if hide:
            shown = headline_at(session, month, True, build_report(session, month), limit)
            for step, prop in FUNNEL_PROPERTIES.items():
                row[prop] = _cell(shown.funnel[step], small, withheld, prop)
            row.update(_rate(shown.retention, "Retention12m", small, withheld))
            row["Retention12mCohort"] = _cell(shown.retention.cohort, small, withheld, "Retention12mCohort")
            row.update(_rate(recovery_view(session, actor, month).rate, "Recovery12m", small, withheld))
        else:
            participants = build_report(session, month)["participants"]
            retention, recovery = participants["retention_12m"], participants["recovery_12m"]
            for step, prop in FUNNEL_PROPERTIES.items():
                row[prop] = participants["funnel"][step]
            row.update({"Retention12m": retention["rate"], "Retention12mLow": None, "Retention12mHigh": None,
                        "Retention12mTargetMet": None if retention["rate"] is None
                        else retention["rate"] >= retention["target"] - 1e-12,
                        "Retention12mCohort": retention["cohort"],
                        "Recovery12m": recovery["rate"], "Recovery12mLow": None, "Recovery12mHigh": None,
                        "Recovery12mTargetMet": None if recovery["rate"] is None
                        else recovery["rate"] >= recovery["target"] - 1e-12})
        row.update(_marks(small, withheld))
        out.append(row)
    return out


# --- row level: coordinators (their organisation), researchers and admins -----------------------

def dwellings(session: Session, actor: Actor, as_of: date) -> list[dict]:
    """Dwellings: every dwelling existing at D in the actor's scope, as the dwellings page lists
    them (eet.figures.dwelling_table.dwelling_rows). AccessDenied for a viewer."""
    return [{"Ref": r["ref"], "Municipality": r["municipality"], "Corporation": r["corporation"],
             "CareProvider": r["care_provider"], "Site": r["site"], "BuildingType": r["building_type"],
             "Route": r["route"], "Status": r["status"], "StatusDate": r["status_date"],
             "ExpectedDate": r["expected_date"]} for r in dwelling_rows(session, actor, as_of)]


def participants(session: Session, actor: Actor) -> list[dict]:
    """Participants: the participants page's rows (eet.entry.data_entry.participant_rows): the
    pseudonymous code, organisations, referral date, age band and latest step; no free text."""
    return [{"Code": r["code"], "Referrer": r["referrer"], "CareProvider": r["care_provider"],
             "Municipality": r["municipality"], "ReferredOn": r["referred_on"], "AgeBand": r["age_band"],
             "LastStep": r["last_step"], "LastStepOn": r["last_step_on"]} for r in participant_rows(session, actor)]


def steps(session: Session, actor: Actor) -> list[dict]:
    """Steps: every standing step (not voided; as known at the session's K, when set) of the participants in the actor's scope, by code
    and date: the step, its outcome (a withdrawal's free-text reason left out) and the dwelling."""
    own = row_scope(actor)  # AccessDenied for a viewer
    event, person, home = ParticipantEvent, Participant, Dwelling
    query = (select(person.code, event.kind, event.occurred_on, event.outcome, home.ref)
             .join(person, person.id == event.participant_id).outerjoin(home, home.id == event.dwelling_id)
             .where(live(EVENT, known_at_of(session))).order_by(person.code, event.occurred_on, event.id))
    if own is not None:
        query = query.where(or_(person.referrer_id == own, person.care_provider_id == own,
                                person.municipality_id == own))
    return [{"Code": code, "Step": kind, "Date": day, "Outcome": outcome if kind != "withdrawn" else None,
             "DwellingRef": ref} for code, kind, day, outcome, ref in session.execute(query).all()]
