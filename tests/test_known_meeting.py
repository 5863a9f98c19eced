"""A recorded review meeting keeps its moment (issue 16): its pack made again after back-dated
corrections equals the first one in every figure, is marked "zoals bekend op …", and lists beside it
the same date as known now and the corrections in between (counts only, suppressed for viewers)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from eet.accounts.access import SYSTEM
from eet.entry import services
from eet.entry.schemas import EventIn, RuleError
from eet.review import decisions
from eet.review.comparison import build_review
from eet.review.known import corrections_since, known_tables
from eet.review.pack import meeting_pack, to_html, to_xlsx
from eet.review.tables import all_tables
from eet.store.models import AuditRecord, Participant, ParticipantEvent, ReviewMeeting, User
from tests.test_figures import D, dwelling, event, housed_person, participant, status

MEETING, LAUNCH = D(2021, 5, 27), D(2021, 1, 15)


def _history(session) -> None:
    housed_person(session, "P-1", "U-1", D(2021, 1, 20), D(2021, 2, 15))
    housed_person(session, "P-2", "U-2", D(2021, 2, 1), D(2021, 3, 20))
    participant(session, "P-3", D(2021, 3, 1), municipality="Utrecht")
    event(session, "P-3", "assessed", D(2021, 3, 10), "eligible")
    dwelling(session, "U-3", "searching", D(2021, 2, 1))
    dwelling(session, "Z-1", "location_found", D(2021, 4, 1), municipality="Zeist")
    session.add(User(username="test-coordinator", password_hash="x", role="coordinator",
                     organisation_id=_org(session, "Utrecht")))
    session.commit()


def _org(session, name):
    from eet.store.models import Organisation
    return session.exec(select(Organisation).where(Organisation.name == name)).one().id


def _corrections(session, actors) -> None:
    """Back-dated rows and a void, all recorded after the meeting's moment."""
    time.sleep(0.01)
    coordinator = actors["coordinator"]
    dwelling(session, "U-4", "available", D(2021, 3, 1))
    services.record_event(session, coordinator, EventIn(
        code="P-3", event="matched", date=D(2021, 4, 2), dwelling_ref="U-4"))
    status(session, "U-3", "location_found", D(2021, 5, 1))
    participant(session, "P-4", D(2021, 3, 15))
    move_in = session.exec(select(ParticipantEvent).join(Participant).where(
        Participant.code == "P-2", ParticipantEvent.kind == "housed")).one()
    services.void_event(session, SYSTEM, move_in.id, "wrong participant")
    session.commit()


def _figures(review, lang="nl"):
    """Every figure the pack shows: its tables (columns and cells) and the raw reports."""
    return ([(table.key, table.columns, table.rows) for table in all_tables(review, lang)],
            review.reports, review.series, review.forecasts)


def _present(session) -> ReviewMeeting:
    meeting = decisions.add_meeting(session, SYSTEM, {"held_on": MEETING, "title": "Mei", "compare_with": LAUNCH})
    decisions.mark_presented(session, SYSTEM, meeting.id)
    session.commit()
    return meeting


def test_a_recorded_meeting_pack_made_again_after_corrections_equals_the_first(session, actors):
    _history(session)
    meeting = _present(session)
    first, first_exact = meeting_pack(session, SYSTEM, MEETING), meeting_pack(session, SYSTEM, MEETING, exact=True)
    first_html = to_html(first, "nl")
    _corrections(session, actors)

    again = meeting_pack(session, SYSTEM, MEETING)
    assert _figures(again) == _figures(first)
    assert _figures(meeting_pack(session, SYSTEM, MEETING, exact=True)) == _figures(first_exact)
    assert again.known_at == meeting.presented_at == first.known_at
    # Not an empty comparison: the same date as known now did change.
    now = build_review(session, SYSTEM, MEETING, known_at=None)
    assert _figures(now) != _figures(first)
    exact = build_review(session, SYSTEM, MEETING)
    known_now = {f.code: (f.then, f.now, f.change) for f in exact.known_now}
    assert known_now["funnel.matched"] == (2, 3, 1)
    assert known_now["funnel.referred"] == (3, 4, 1)
    assert known_now["funnel.housed"] == (2, 1, -1)
    # U-1, U-2 occupied and Z-1 found; now U-4 available and U-3 found too (U-2 stays, available).
    assert known_now["dwellings.counter"] == (3, 5, 2)
    kinds = {(c.kind, c.organisation): c.count for c in exact.corrections}
    assert kinds == {("participant", None): 1, ("event.matched", "Utrecht"): 1, ("status", None): 2,
                     ("void.housed", None): 1}
    html = to_html(again, "nl")
    assert "zoals bekend op" in html and "zoals bekend op" in first_html
    assert "Correcties sinds" in html and "match later ingevoerd" in html
    assert to_xlsx(again, "en")  # the two further sheets are written


def test_a_viewer_sees_the_corrections_suppressed(session, actors):
    _history(session)
    _present(session)
    _corrections(session, actors)
    review = build_review(session, actors["viewer"], MEETING)
    assert review.suppressed and {c.count for c in review.corrections} == {"<5"}
    tables = {table.key: table for table in known_tables(review, "en")}
    assert {row[2] for row in tables["corrections"].rows} == {"<5"}
    assert tables["known_now"].rows and "as known now" in tables["known_now"].columns


def test_a_meeting_without_a_moment_shows_the_figures_as_known_now(session, actors):
    _history(session)
    decisions.add_meeting(session, SYSTEM, {"held_on": MEETING, "title": "Mei"})
    session.commit()
    first = meeting_pack(session, SYSTEM, MEETING)
    _corrections(session, actors)
    again = meeting_pack(session, SYSTEM, MEETING)
    assert first.known_at is None and again.known_now == [] and known_tables(again, "nl") == []
    assert _figures(again) != _figures(first)
    assert "zoals bekend op" not in to_html(again, "nl")


def test_the_moment_is_the_admins_audited_and_never_in_the_future(session, actors):
    meeting = decisions.add_meeting(session, SYSTEM, {"held_on": MEETING, "title": "Mei",
                                                      "presented_at": "2021-05-27T14:30"})
    session.commit()
    assert meeting.presented_at == datetime(2021, 5, 27, 12, 30, tzinfo=timezone.utc)
    kept = decisions.update_meeting(session, SYSTEM, meeting.id, {"held_on": MEETING, "title": "Mei 2021"})
    assert kept.presented_at == datetime(2021, 5, 27, 12, 30, tzinfo=timezone.utc)
    with pytest.raises(RuleError) as refused:
        decisions.mark_presented(session, SYSTEM, meeting.id, datetime.now(timezone.utc) + timedelta(days=1))
    assert [e.field for e in refused.value.errors] == ["presented_at"]
    with pytest.raises(RuleError) as refused:
        decisions.update_meeting(session, SYSTEM, meeting.id, {"held_on": MEETING, "title": "x",
                                                                "presented_at": "27 mei"})
    assert "is not a moment" in str(refused.value)
    from eet.accounts.access import AccessDenied
    with pytest.raises(AccessDenied):
        decisions.mark_presented(session, actors["coordinator"], meeting.id)
    session.rollback()
    decisions.mark_presented(session, SYSTEM, meeting.id)
    session.commit()
    trail = session.exec(select(AuditRecord).where(AuditRecord.entity == "review_meeting")
                         .order_by(AuditRecord.id)).all()
    assert [a.action for a in trail][-1] == "update" and "presented_at" in trail[-1].after


def test_corrections_count_only_what_changes_the_date(session, actors):
    _history(session)
    k = datetime.now(timezone.utc)
    time.sleep(0.01)
    event(session, "P-3", "withdrawn", D(2021, 6, 10), "moved away")  # after D: not a correction of D
    session.commit()
    assert corrections_since(session, MEETING, k) == []
    assert [c.kind for c in corrections_since(session, D(2021, 6, 30), k)] == ["event.withdrawn"]
