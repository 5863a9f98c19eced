"""eet.review and eet.decisions on a small history worked out by hand, on SQLite and PostgreSQL.

The history (launch 2021-01-15, comparison C = 2021-03-01, meeting D = 2021-06-01):

dwelling  municipality  type / route             changes
U-1       Utrecht       existing / project       searching 01-10, location_found 02-15, available 04-01,
                                                 occupied 05-01 (P1 moves in)
U-2       Utrecht       transformation / project location_found 01-10
U-3       Utrecht       existing / scattered     available 05-20
Z-1       Zeist         existing / scattered     searching 01-10
Z-2       Zeist         new_build / scattered    searching 03-15, location_found 05-15
H-1       Houten        -                        location_found 01-10, withdrawn 04-01

launch: counter 2 (U-2, H-1), pipeline 2 (U-1, Z-1)
C:      counter 3 (U-1, U-2, H-1), pipeline 1 (Z-1); location_found 3, searching 1
D:      counter 4 (U-1 occupied, U-2, U-3 available, Z-2), pipeline 1 (Z-1), withdrawn 1 (H-1)

P1 referred 02-01, eligible 02-01, matched U-1 04-15, housed 05-01 (lead time 89 days)
P2 referred 01-20, eligible 01-25, withdrawn 02-20
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from eet.review import decisions

from eet.review import comparison as review

from eet.entry import services
from eet.accounts.access import SYSTEM, AccessDenied, Actor
from eet.store.models import AuditRecord, Bottleneck, Decision, ReviewMeeting
from eet.figures.progress import DAYS_PER_MONTH
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn, RuleError, StatusChangeIn
from eet.entry import living_lab

D = date
LAUNCH, C, MEETING, DUE = D(2021, 1, 15), D(2021, 3, 1), D(2021, 6, 1), D(2022, 7, 1)
VIEWER = Actor("steering", "viewer")


def dwelling(session, ref, status, on, municipality, **extra):
    services.upsert_dwelling(session, SYSTEM, DwellingIn(ref=ref, municipality=municipality, status=status,
                                                         status_date=on, **extra))


def status(session, ref, new_status, on):
    services.change_dwelling_status(session, SYSTEM, StatusChangeIn(ref=ref, status=new_status, effective_on=on))


def event(session, code, kind, on, outcome=None, dwelling_ref=None):
    services.record_event(session, SYSTEM, EventIn(code=code, event=kind, date=on, outcome=outcome,
                                                   dwelling_ref=dwelling_ref))


@pytest.fixture()
def history(session):
    dwelling(session, "U-1", "searching", D(2021, 1, 10), "Utrecht", building_type="existing", route="project",
             site="Complex A")
    status(session, "U-1", "location_found", D(2021, 2, 15))
    status(session, "U-1", "available", D(2021, 4, 1))
    dwelling(session, "U-2", "location_found", D(2021, 1, 10), "Utrecht", building_type="transformation",
             route="project", site="Complex A")
    dwelling(session, "U-3", "available", D(2021, 5, 20), "Utrecht", building_type="existing", route="scattered")
    dwelling(session, "Z-1", "searching", D(2021, 1, 10), "Zeist", building_type="existing", route="scattered")
    dwelling(session, "Z-2", "searching", D(2021, 3, 15), "Zeist", building_type="new_build", route="scattered")
    status(session, "Z-2", "location_found", D(2021, 5, 15))
    dwelling(session, "H-1", "location_found", D(2021, 1, 10), "Houten")
    status(session, "H-1", "withdrawn", D(2021, 4, 1))
    services.register_participant(session, SYSTEM, ParticipantIn(code="P-1", referrer="Stadsteam Back Up",
                                                                 referred_on=D(2021, 2, 1)))
    event(session, "P-1", "assessed", D(2021, 2, 1), "eligible")
    event(session, "P-1", "matched", D(2021, 4, 15), dwelling_ref="U-1")
    event(session, "P-1", "housed", D(2021, 5, 1), dwelling_ref="U-1")
    services.register_participant(session, SYSTEM, ParticipantIn(code="P-2", referrer="Stadsteam Back Up",
                                                                 referred_on=D(2021, 1, 20)))
    event(session, "P-2", "assessed", D(2021, 1, 25), "eligible")
    event(session, "P-2", "withdrawn", D(2021, 2, 20), "verhuisd buiten de regio")
    living_lab.save_bottleneck(session, SYSTEM, {"title": "Resolved before the meeting", "domain": "system",
                                                 "raised_on": D(2021, 2, 1), "status": "resolved",
                                                 "resolved_on": D(2021, 5, 1), "resolution": "Opgelost"})
    living_lab.save_bottleneck(session, SYSTEM, {"title": "Raised after the comparison", "domain": "housing",
                                                 "raised_on": D(2021, 4, 1), "status": "in_progress"})
    decisions.add_meeting(session, SYSTEM, {"held_on": C, "title": "Maart", "compare_with": LAUNCH})
    session.commit()
    return session


def test_headline_figures_at_both_dates_with_their_change(history):
    result = review.build_review(history, SYSTEM, MEETING, C)
    got = {f.code: (f.then, f.now, f.change) for f in result.headline}
    assert got["dwellings.counter"] == (3, 4, 1)
    assert got["dwellings.pipeline"] == (1, 1, 0)
    assert got["dwellings.ambition"] == (4, 5, 1)
    assert got["status.location_found"] == (3, 2, -1)
    assert got["status.available"] == (0, 1, 1)
    assert got["status.occupied"] == (0, 1, 1)
    assert got["status.withdrawn"] == (0, 1, 1)
    assert got["funnel.referred"] == (2, 2, 0)
    assert got["funnel.eligible"] == (2, 2, 0)
    assert got["funnel.matched"] == (0, 1, 1)
    assert got["funnel.housed_now"] == (0, 1, 1)
    assert got["funnel.withdrawn"] == (1, 1, 0)
    assert got["lead_time.median"] == (None, 89.0, None)  # no change next to a figure that does not exist
    assert got["lead_time.n"] == (0, 1, 1)
    assert got["retention.rate"] == (None, None, None)
    assert got["coalition.municipality"] == (8, 8, 0)
    assert len(result.headline) == 3 + 5 + 3 + 7 + 3 + 2


def test_what_moved_per_municipality_and_initiative(history):
    result = review.build_review(history, SYSTEM, MEETING, C)
    moved = {m.key: (m.change("counter"), m.change("pipeline"), m.change("occupied")) for m in result.by_municipality}
    assert moved["Utrecht"] == (1, 0, 1)
    assert moved["Zeist"] == (1, 0, 0)
    assert moved["Houten"] == (-1, 0, 0)
    assert moved["Woerden"] == (0, 0, 0)
    assert [m.key for m in result.by_municipality if m.moved] == ["Houten", "Utrecht", "Zeist"]
    types = {m.key: (m.then["counter"], m.now["counter"]) for m in result.by_initiative["building_type"]}
    # U-1 and U-3 existing; U-2 transformation; Z-2 new build (did not exist at C); H-1 unrecorded
    assert types == {"existing": (1, 2), "transformation": (1, 1), "new_build": (0, 1), None: (1, 0)}
    routes = {m.key: (m.then["pipeline"], m.now["pipeline"]) for m in result.by_initiative["route"]}
    assert routes == {"project": (0, 0), "scattered": (1, 1), None: (0, 0)}
    sites = {m.key: m.now["occupied"] for m in result.by_initiative["site"]}
    assert sites == {"Complex A": 1, None: 0}


def test_forecast_since_the_comparison_date(history):
    dwellings, participants = review.build_review(history, SYSTEM, MEETING, C).forecasts
    gone, left = 92, 395  # days from C to D, and from D to the due date
    assert (dwellings.since, dwellings.then, dwellings.now, dwellings.target, dwellings.due_on) == (C, 3, 4, 200, DUE)
    assert dwellings.pace_per_month == pytest.approx(1 * DAYS_PER_MONTH / gone)
    assert dwellings.projected == pytest.approx(4 + 1 * left / gone)  # 8.29
    assert dwellings.gap == 196
    assert dwellings.needed_per_month == pytest.approx(196 * DAYS_PER_MONTH / left)  # 15.1
    assert dwellings.on_track is False
    assert (participants.then, participants.now, participants.gap) == (0, 1, 199)
    assert participants.projected == pytest.approx(1 + left / gone)


def test_forecast_since_the_launch(history):
    dwellings, _ = review.build_review(history, SYSTEM, MEETING, C, basis="launch").forecasts
    assert (dwellings.basis, dwellings.since, dwellings.then) == ("launch", LAUNCH, 2)
    assert dwellings.projected == pytest.approx(4 + 2 * 395 / 137)  # 137 days from the launch to D


def test_project_arithmetic_at_the_edges():
    reached = review.project("dwellings", "launch", LAUNCH, MEETING, DUE, 200, 150, 210)
    assert reached.gap == 0 and reached.needed_per_month is None and reached.on_track is True
    late = review.project("dwellings", "launch", LAUNCH, D(2022, 8, 1), DUE, 200, 150, 190)
    assert late.needed_per_month is None and late.projected == 190 and late.on_track is False
    same_day = review.project("dwellings", "launch", MEETING, MEETING, DUE, 200, 150, 150)
    assert same_day.pace_per_month is None and same_day.on_track is None


def test_viewer_sees_small_participant_counts_suppressed(history):
    result = review.build_review(history, VIEWER, MEETING, C)
    got = {f.code: (f.then, f.now, f.change) for f in result.headline}
    assert got["funnel.referred"] == ("<5", "<5", None)
    assert got["funnel.housed"] == (0, "<5", None)
    assert got["lead_time.median"] == (None, None, None)  # a median of one person is that person
    assert got["dwellings.counter"] == (3, 4, 1)  # dwellings are not people
    participants = result.forecasts[1]
    assert (participants.now, participants.pace_per_month, participants.projected, participants.gap) == \
        ("<5", None, None, ">195")
    assert all(isinstance(p["housed"], str) or p["housed"] == 0 for p in result.series)


def test_open_bottlenecks_as_of_the_date(history):
    at_c = review.build_review(history, SYSTEM, C + (MEETING - C) // 2, C).bottlenecks
    assert [b["title"] for b in at_c] == ["Resolved before the meeting", "Raised after the comparison"]
    assert [b["title"] for b in review.build_review(history, SYSTEM, MEETING, C).bottlenecks] == \
        ["Raised after the comparison"]


def test_comparison_defaults_to_the_previous_meeting_else_the_launch(history):
    assert [(o.on, o.kind) for o in review.comparison_options(history, MEETING)] == [(C, "meeting"), (LAUNCH, "launch")]
    assert review.default_comparison(history, MEETING) == C
    assert review.default_comparison(history, C) == LAUNCH  # what the register records for that meeting
    assert review.build_review(history, SYSTEM, MEETING).compare_with == C
    with pytest.raises(ValueError, match="must lie before"):
        review.build_review(history, SYSTEM, C, MEETING)


def test_monthly_series_at_month_ends(history):
    series = review.monthly_series(history, LAUNCH, MEETING)
    assert [p["date"] for p in series] == [LAUNCH, D(2021, 1, 31), D(2021, 2, 28), D(2021, 3, 31),
                                           D(2021, 4, 30), D(2021, 5, 31), MEETING]
    assert [p["counter"] for p in series] == [2, 2, 3, 3, 2, 4, 4]
    assert [p["housed"] for p in series] == [0, 0, 0, 0, 0, 1, 1]


# --- the register --------------------------------------------------------------------------------

def test_admin_adds_and_updates_decisions_audited(session):
    meeting = decisions.add_meeting(session, SYSTEM, {"held_on": "27-05-2021", "title": "Mei"})
    decision = decisions.add_decision(session, SYSTEM, {"meeting_id": meeting.id, "topic": "doelgroep",
                                                        "decision": "Jongeren apart", "owner": "Stuurgroep",
                                                        "due_on": "2021-09-01"})
    decisions.update_decision(session, SYSTEM, decision.id, {"status": "afgerond"})
    session.commit()
    stored = session.get(Decision, decision.id)
    assert (stored.topic, stored.status, stored.owner, stored.due_on) == ("target_group", "done", "Stuurgroep",
                                                                          D(2021, 9, 1))
    trail = session.exec(select(AuditRecord).where(AuditRecord.entity.in_(("review_meeting", "decision")))
                         .order_by(AuditRecord.id)).all()
    assert [(a.entity, a.action) for a in trail] == [("review_meeting", "create"), ("decision", "create"),
                                                     ("decision", "update")]
    assert '"status": "open"' in trail[2].before and '"status": "done"' in trail[2].after
    listed = decisions.decisions(session, D(2021, 5, 31))
    assert [(d["decision"], d["meeting_title"]) for d in listed] == [("Jongeren apart", "Mei")]
    assert decisions.decisions(session, D(2021, 5, 26)) == []


@pytest.mark.parametrize("role", ["coordinator", "researcher", "viewer"])
def test_only_the_admin_writes_the_register(session, actors, role):
    meeting = decisions.add_meeting(session, SYSTEM, {"held_on": "2021-05-27", "title": "Mei"})
    session.commit()
    with pytest.raises(AccessDenied):
        decisions.add_meeting(session, actors[role], {"held_on": "2021-06-27", "title": "Juni"})
    with pytest.raises(AccessDenied):
        decisions.add_decision(session, actors[role], {"meeting_id": meeting.id, "topic": "other", "decision": "x"})
    session.rollback()
    assert len(session.exec(select(ReviewMeeting)).all()) == 1
    assert session.exec(select(Decision)).all() == []


def test_refused_values_name_their_field_and_write_nothing(session):
    meeting = decisions.add_meeting(session, SYSTEM, {"held_on": "2021-05-27", "title": "Mei"})
    session.commit()
    with pytest.raises(RuleError) as refused:
        decisions.add_decision(session, SYSTEM, {"meeting_id": meeting.id, "topic": "budget", "decision": " ",
                                                 "owner": "x" * 121, "due_on": "31-02-2021", "status": "klaar"})
    assert {e.field for e in refused.value.errors} == {"topic", "decision", "owner", "due_on", "status"}
    with pytest.raises(RuleError, match="already registered"):
        decisions.add_meeting(session, SYSTEM, {"held_on": "2021-05-27", "title": "Nog een"})
    with pytest.raises(RuleError, match="no review meeting"):
        decisions.add_decision(session, SYSTEM, {"meeting_id": meeting.id + 99, "topic": "other", "decision": "x"})
    with pytest.raises(RuleError) as refused:
        decisions.add_meeting(session, SYSTEM, {"held_on": "2021-06-01", "title": "Juni", "compare_with": "2021-06-01"})
    assert [e.field for e in refused.value.errors] == ["compare_with"]
    session.rollback()
    assert session.exec(select(Decision)).all() == []
    assert len(session.exec(select(ReviewMeeting)).all()) == 1


def test_a_date_within_two_weeks_after_a_meeting_compares_as_that_meeting(session):
    from eet.review.comparison import default_comparison

    decisions.add_meeting(session, SYSTEM, {"held_on": "2021-03-01", "title": "Maart"})
    decisions.add_meeting(session, SYSTEM, {"held_on": "2021-05-27", "title": "Mei", "compare_with": "2021-01-15"})
    decisions.add_meeting(session, SYSTEM, {"held_on": "2021-09-01", "title": "September"})
    session.flush()
    assert default_comparison(session, date(2021, 5, 31)) == date(2021, 1, 15)  # its own compare_with
    assert default_comparison(session, date(2021, 6, 10)) == date(2021, 1, 15)  # 14 days after
    assert default_comparison(session, date(2021, 6, 11)) == date(2021, 5, 27)  # later: the previous meeting
    assert default_comparison(session, date(2021, 9, 5)) == date(2021, 5, 27)  # no compare_with: the one before
    assert default_comparison(session, date(2021, 3, 3)) == date(2021, 1, 15)  # the first: the launch
