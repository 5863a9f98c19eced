"""Data quality per organisation (issue 16) on small hand-made histories: each stuck-record rule on
both sides of its threshold, the admin's thresholds, the coordinator's own rows only, completeness
(last update) and timeliness month by month."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from sqlmodel import select

from eet.accounts.access import SYSTEM, AccessDenied
from eet.entry.schemas import RuleError
from eet.quality import settings, stuck, timeliness
from eet.store.models import AuditRecord, Participant, ParticipantEvent
from tests.test_figures import D, dwelling, event, participant, status
from eet.write.guard import maintenance

AT = D(2021, 12, 31)


def _codes(found, rule):
    return [s.key for s in found[rule]]


def test_match_without_move_in_after_60_days(session):
    dwelling(session, "U-1", "available", D(2021, 1, 1))
    dwelling(session, "U-2", "available", D(2021, 1, 1))
    dwelling(session, "U-3", "available", D(2021, 1, 1))
    for code, matched in (("P-1", D(2021, 10, 31)), ("P-2", D(2021, 11, 1)), ("P-3", D(2021, 9, 1))):
        participant(session, code, D(2021, 1, 5))
        event(session, code, "assessed", D(2021, 1, 10), "eligible")
    event(session, "P-1", "matched", D(2021, 10, 31), dwelling_ref="U-1")  # 61 days at AT: stuck
    event(session, "P-2", "matched", D(2021, 11, 1), dwelling_ref="U-2")  # 60 days: not yet
    event(session, "P-3", "matched", D(2021, 9, 1), dwelling_ref="U-3")
    event(session, "P-3", "housed", D(2021, 9, 20), dwelling_ref="U-3")  # moved in: not stuck
    found = stuck.stuck_records(session, SYSTEM, AT)
    assert _codes(found, "match_without_move_in") == ["P-1"]
    assert found["match_without_move_in"][0].days == 61
    assert _codes(found, "eligible_without_match") == []  # matched after the assessment


def test_eligible_without_match_after_180_days_and_the_admins_threshold(session):
    for code, assessed in (("P-1", D(2021, 6, 1)), ("P-2", D(2021, 7, 10)), ("P-3", D(2021, 3, 1))):
        participant(session, code, D(2021, 1, 5))
        event(session, code, "assessed", assessed, "eligible")
    event(session, "P-3", "withdrawn", D(2021, 4, 1), "moved away")  # withdrawn: not stuck
    participant(session, "P-4", D(2021, 1, 5))
    event(session, "P-4", "assessed", D(2021, 2, 1), "not_eligible")  # not eligible: not this rule
    found = stuck.stuck_records(session, SYSTEM, AT)
    assert _codes(found, "eligible_without_match") == ["P-1"]  # 213 days; P-2 174 days
    settings.set_threshold(session, SYSTEM, "quality.eligible_to_match_days", "150")
    assert _codes(stuck.stuck_records(session, SYSTEM, AT), "eligible_without_match") == ["P-1", "P-2"]
    trail = session.exec(select(AuditRecord).where(AuditRecord.entity == "setting")).all()
    assert len(trail) == 1 and '"150"' in trail[0].after


def test_referral_without_assessment_after_60_days(session):
    participant(session, "P-1", D(2021, 10, 31))  # 61 days
    participant(session, "P-2", D(2021, 11, 1))  # 60 days
    participant(session, "P-3", D(2021, 1, 1))
    event(session, "P-3", "assessed", D(2021, 2, 1), "not_eligible")
    participant(session, "P-4", D(2021, 1, 1))
    event(session, "P-4", "withdrawn", D(2021, 1, 20), "no contact")
    assert _codes(stuck.stuck_records(session, SYSTEM, AT), "referral_without_assessment") == ["P-1"]
    # At an earlier date nobody is stuck yet, and later referrals do not exist.
    assert _codes(stuck.stuck_records(session, SYSTEM, D(2021, 2, 15)), "referral_without_assessment") == []


def test_dwelling_available_without_a_match_for_more_than_30_days(session):
    dwelling(session, "U-1", "available", D(2021, 11, 30))  # 31 days
    dwelling(session, "U-2", "available", D(2021, 12, 1))  # 30 days
    dwelling(session, "U-3", "available", D(2021, 10, 1))  # matched since
    dwelling(session, "U-4", "searching", D(2021, 1, 1))
    status(session, "U-4", "available", D(2021, 11, 1))  # available since November
    participant(session, "P-1", D(2021, 9, 1))
    event(session, "P-1", "assessed", D(2021, 9, 2), "eligible")
    event(session, "P-1", "matched", D(2021, 10, 15), dwelling_ref="U-3")
    found = stuck.stuck_records(session, SYSTEM, AT)
    assert _codes(found, "available_unmatched") == ["U-4", "U-1"]  # longest first
    assert found["available_unmatched"][0].since == D(2021, 11, 1)


def test_expected_delivery_passed_while_searching_or_location_found(session):
    dwelling(session, "U-1", "searching", D(2021, 1, 1), expected_date=D(2021, 12, 1))
    dwelling(session, "U-2", "location_found", D(2021, 1, 1), expected_date=D(2021, 6, 1))
    dwelling(session, "U-3", "available", D(2021, 1, 1), expected_date=D(2021, 6, 1))  # delivered
    dwelling(session, "U-4", "searching", D(2021, 1, 1), expected_date=D(2022, 3, 1))  # not yet due
    dwelling(session, "U-5", "searching", D(2021, 1, 1))  # no expected date
    found = stuck.stuck_records(session, SYSTEM, AT)
    assert _codes(found, "delivery_overdue") == ["U-2", "U-1"]
    assert stuck.summary(found)["delivery_overdue"] == 2


def test_a_coordinator_sees_their_own_organisations_rows_only(session, actors):
    participant(session, "P-1", D(2021, 1, 1), municipality="Utrecht")
    participant(session, "P-2", D(2021, 1, 1), municipality="Zeist")
    dwelling(session, "U-1", "searching", D(2021, 1, 1), expected_date=D(2021, 6, 1))
    dwelling(session, "Z-1", "searching", D(2021, 1, 1), municipality="Zeist", expected_date=D(2021, 6, 1))
    mine = stuck.stuck_records(session, actors["coordinator"], AT, organisation_id=999)
    assert _codes(mine, "referral_without_assessment") == ["P-1"]
    assert _codes(mine, "delivery_overdue") == ["U-1"]
    assert len(stuck.stuck_records(session, SYSTEM, AT)["referral_without_assessment"]) == 2
    with pytest.raises(AccessDenied):
        stuck.stuck_records(session, actors["viewer"], AT)


def test_thresholds_are_the_admins_and_checked(session, actors):
    assert settings.thresholds(session)["quality.available_unmatched_days"] == 30
    with pytest.raises(AccessDenied):
        settings.set_threshold(session, actors["coordinator"], "quality.timely_days", 10)
    for bad in ("0", "tien", "4000"):
        with pytest.raises(RuleError) as refused:
            settings.set_threshold(session, SYSTEM, "quality.timely_days", bad)
        assert [e.field for e in refused.value.errors] == ["quality.timely_days"]
    with pytest.raises(RuleError):
        settings.set_threshold(session, SYSTEM, "quality.nonsense", 10)
    settings.set_threshold(session, SYSTEM, "quality.timely_days", 14)
    settings.set_threshold(session, SYSTEM, "quality.timely_days", 21)
    assert settings.thresholds(session)["quality.timely_days"] == 21


def _recorded(session, code, kind, moment):
    """Set when a participant's step was recorded (the history is entered now, dated in 2021)."""
    with maintenance("test: a history recorded in the past"):
        _set_recorded(session, code, kind, moment)


def _set_recorded(session, code, kind, moment):
    session.execute(update(ParticipantEvent).where(
        ParticipantEvent.participant_id == select(Participant.id).where(Participant.code == code).scalar_subquery(),
        ParticipantEvent.kind == kind).values(recorded_at=moment))


def test_timeliness_month_by_month_and_the_last_update(session, actors):
    utc = timezone.utc
    participant(session, "P-1", D(2021, 3, 1), municipality="Utrecht")
    event(session, "P-1", "assessed", D(2021, 3, 10), "eligible")
    participant(session, "P-2", D(2021, 3, 1), municipality="Zeist")
    event(session, "P-2", "assessed", D(2021, 3, 20), "eligible")
    participant(session, "P-3", D(2021, 4, 1), municipality="Utrecht")
    event(session, "P-3", "assessed", D(2021, 4, 5), "not_eligible")
    _recorded(session, "P-1", "assessed", datetime(2021, 4, 9, 12, tzinfo=utc))  # 30 days: in time
    _recorded(session, "P-2", "assessed", datetime(2021, 4, 20, 12, tzinfo=utc))  # 31 days: late
    _recorded(session, "P-3", "assessed", datetime(2021, 6, 1, 12, tzinfo=utc))  # 57 days: late
    session.flush()
    months = timeliness.timeliness(session, SYSTEM)
    assert [(m.month, m.steps, m.timely) for m in months] == [("2021-03", 2, 1), ("2021-04", 1, 0)]
    assert months[0].share == 0.5
    mine = timeliness.timeliness(session, actors["coordinator"])
    assert [(m.month, m.steps, m.timely) for m in mine] == [("2021-03", 1, 1), ("2021-04", 1, 0)]
    settings.set_threshold(session, SYSTEM, "quality.timely_days", 60)
    assert [m.timely for m in timeliness.timeliness(session, SYSTEM)] == [2, 1]
    # Last update: the latest moment any of the organisation's rows was recorded.
    zeist = timeliness.last_update(session, SYSTEM, _org(session, "Zeist"))
    everyone = timeliness.last_update(session, SYSTEM)
    assert zeist is not None and everyone >= zeist
    assert timeliness.last_update(session, SYSTEM, _org(session, "Houten")) is None
    rows = {r["organisation"]: r for r in timeliness.per_organisation(session, SYSTEM)}
    assert (rows["Utrecht"]["steps"], rows["Utrecht"]["timely"]) == (2, 2)
    assert rows["Houten"]["share"] is None and rows["Houten"]["last_update"] is None
    with pytest.raises(AccessDenied):
        timeliness.per_organisation(session, actors["coordinator"])
    assert everyone > datetime.now(utc) - timedelta(minutes=5)


def _org(session, name):
    from eet.store.models import Organisation
    return session.exec(select(Organisation).where(Organisation.name == name)).one().id


def test_timeliness_and_last_update_read_the_as_of_dates_state(session):
    """The demo's table showed 0,0% and a last update after the as-of date (issue 14): at a date D
    only what was recorded by the end of D counts, and no later moment is shown."""
    utc = timezone.utc
    participant(session, "P-1", D(2021, 3, 1), municipality="Utrecht")
    event(session, "P-1", "assessed", D(2021, 3, 10), "eligible")
    participant(session, "P-3", D(2021, 4, 1), municipality="Utrecht")
    event(session, "P-3", "assessed", D(2021, 4, 5), "not_eligible")
    _recorded(session, "P-1", "assessed", datetime(2021, 4, 9, 12, tzinfo=utc))  # in time
    _recorded(session, "P-3", "assessed", datetime(2021, 6, 1, 12, tzinfo=utc))  # after 30 April
    session.flush()
    at_april = timeliness.timeliness(session, SYSTEM, until=D(2021, 4, 30))
    assert [(m.month, m.steps, m.timely) for m in at_april] == [("2021-03", 1, 1)]
    assert [(m.month, m.steps) for m in timeliness.timeliness(session, SYSTEM, until=D(2021, 6, 30))] == [
        ("2021-03", 1), ("2021-04", 1)]
    # The rows themselves (participants) were created now: by 15 April only P-1's step was there.
    last = timeliness.last_update(session, SYSTEM, as_of=D(2021, 4, 15))
    assert last is not None and last.replace(tzinfo=None) == datetime(2021, 4, 9, 12)
    assert timeliness.last_update(session, SYSTEM, as_of=D(2021, 4, 8)) is None
    rows = {r["organisation"]: r for r in timeliness.per_organisation(session, SYSTEM, D(2021, 4, 30))}
    assert (rows["Utrecht"]["steps"], rows["Utrecht"]["timely"]) == (1, 1)
