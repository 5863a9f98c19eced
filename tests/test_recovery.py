"""Sustainable recovery at 12 months (eet.figures.recovery), hand-worked on both backends.

Every participant moves in on 2020-01-01 (M) and is referred on 2019-01-01; the figure is asked at
2021-06-30, so everyone housed by 2020-06-30 is in the retention cohort. Scores are on finances (fin)
and housing (hou) unless said otherwise.

| code | what it tests | intake | 12 months | in cohort | measured | judged | recovered |
|---|---|---|---|---|---|---|---|
| P-01 | intake window start (-180 counts) | -180: 2,3 | +365: 2,3 | yes | yes | yes | yes (5 >= 5) |
| P-02 | before the intake window (-181) | -181 | +365 | yes | no | no | no |
| P-03 | intake window end (+30), 12-month start (+275) | +30: 3,3 | +275: 2,3 | yes | yes | yes | no (5 < 6) |
| P-04 | after the intake window (+31) | +31 | +365 | yes | no | no | no |
| P-05 | 12-month window end (+455) | 0: 2,2 | +455: 3,2 | yes | yes | yes | yes |
| P-06 | just outside the 12-month window (+274, +456) | 0 | +274, +456 | yes | no | no | no |
| P-07 | nearest to 365, a tie: the later wins | 0: 3,3 | +355: 1,1 / +375: 4,3 | yes | yes | yes | yes (7 >= 6) |
| P-08 | a death within 365 days | 0 | +365 | no | - | - | - |
| P-09 | a negative exit, no 12-month measurement | 0 | - | yes | no | yes | no |
| P-10 | no measurements at all | - | - | yes | no | no | no |
| P-11 | the latest in the intake window | -100: 5,5 and +10: 1,1 | +365: 2,1 | yes | yes | yes | yes (3 >= 2) |
| P-12 | compared on the domains both scored | 0: fin 3, hou 5 | +365: fin 3, justice 1 | yes | yes | yes | yes (3 >= 3) |
| P-13 | a negative exit with both measurements | 0: 2,2 | +365: 4,4 | yes | yes | yes | no (not retained) |
| P-14 | housed after the cohort's cut-off | 0 | - | no | - | - | - |

cohort 12, measured 7, judged 8, recovered 5: rate 5/8. Finances: improved P-05, P-07, P-11, P-13
(4), same P-01, P-12 (2), declined P-03 (1). Housing: same P-01, P-03, P-05, P-07, P-11 (5),
improved P-13 (1); P-12 did not score housing twice.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from eet.accounts.access import SYSTEM
from eet.entry import services
from eet.entry.measurements import MeasurementIn, record_measurement
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn
from eet.figures.recovery import recovery_12m
from eet.write.guard import maintenance

M = date(2020, 1, 1)
AS_OF = date(2021, 6, 30)


def _day(offset: int) -> date:
    return M + timedelta(days=offset)


def _house(session: Session, n: int, code: str, move_in: date = M) -> None:
    ref = f"UTR-{n:04d}"
    services.upsert_dwelling(session, SYSTEM, DwellingIn(ref=ref, municipality="Utrecht", status="available",
                                                         status_date=date(2019, 1, 1)))
    services.register_participant(session, SYSTEM, ParticipantIn(
        code=code, referrer="Stadsteam Back Up", care_provider="Lister", referred_on=date(2019, 1, 1)))
    for event in (dict(event="assessed", date=move_in - timedelta(days=20), outcome="eligible"),
                  dict(event="matched", date=move_in - timedelta(days=10), dwelling_ref=ref),
                  dict(event="housed", date=move_in, dwelling_ref=ref)):
        services.record_event(session, SYSTEM, EventIn(code=code, **event))


def _exit(session: Session, code: str, offset: int, outcome: str) -> None:
    services.record_event(session, SYSTEM, EventIn(code=code, event="exited", date=_day(offset), outcome=outcome))


def _measure(session: Session, code: str, offset: int, fin: int | None = None, hou: int | None = None,
             **other: int) -> None:
    record_measurement(session, SYSTEM, MeasurementIn.parse(
        {"code": code, "date": _day(offset), "finances": fin, "housing": hou, **other}))


@pytest.fixture()
def cohort(engine):
    with Session(engine) as s:
        for n in range(1, 15):
            _house(s, n, f"P-{n:02d}", date(2020, 9, 1) if n == 14 else M)
        _measure(s, "P-01", -180, 2, 3); _measure(s, "P-01", 365, 2, 3)
        _measure(s, "P-02", -181, 2, 3); _measure(s, "P-02", 365, 4, 4)
        _measure(s, "P-03", 30, 3, 3); _measure(s, "P-03", 275, 2, 3)
        _measure(s, "P-04", 31, 2, 2); _measure(s, "P-04", 365, 4, 4)
        _measure(s, "P-05", 0, 2, 2); _measure(s, "P-05", 455, 3, 2)
        _measure(s, "P-06", 0, 2, 2); _measure(s, "P-06", 274, 4, 4); _measure(s, "P-06", 456, 4, 4)
        _measure(s, "P-07", 0, 3, 3); _measure(s, "P-07", 355, 1, 1); _measure(s, "P-07", 375, 4, 3)
        _measure(s, "P-08", 0, 2, 2); _measure(s, "P-08", 150, 4, 4); _exit(s, "P-08", 200, "deceased")
        _measure(s, "P-09", 0, 4, 4); _exit(s, "P-09", 100, "negative")
        _measure(s, "P-11", -100, 5, 5); _measure(s, "P-11", 10, 1, 1); _measure(s, "P-11", 365, 2, 1)
        _measure(s, "P-12", 0, 3, 5); _measure(s, "P-12", 365, 3, None, justice=1)
        _measure(s, "P-13", 0, 2, 2); _exit(s, "P-13", 300, "negative"); _measure(s, "P-13", 365, 4, 4)
        _measure(s, "P-14", 0, 1, 1)
        s.commit()
    return engine


def test_the_hand_worked_cohort(cohort):
    with Session(cohort) as s:
        r = recovery_12m(s, AS_OF)
    assert (r.cohort, r.measured, r.judged, r.recovered) == (12, 7, 8, 5)
    assert r.rate == pytest.approx(5 / 8)
    assert r.coverage == pytest.approx(7 / 12)
    assert r.target == 0.9
    by = {d.domain: d for d in r.domains}
    assert (by["finances"].improved, by["finances"].same, by["finances"].declined) == (4, 2, 1)
    assert (by["housing"].improved, by["housing"].same, by["housing"].declined) == (1, 5, 0)
    assert by["justice"].scored == 0


def test_a_measurement_after_the_date_asked_is_not_seen(cohort):
    # At M + 365 + 200 days (2021-07-19 > AS_OF) ... asked earlier: at M+400 the +455 of P-05 is not
    # there yet, and P-05 has no 12-month measurement (its only one lies after D).
    with Session(cohort) as s:
        r = recovery_12m(s, _day(400))
    # P-14 not in the cohort yet either way; P-05 drops out of measured and judged.
    assert (r.cohort, r.measured, r.judged, r.recovered) == (12, 6, 7, 4)


def test_a_voided_measurement_does_not_count(cohort):
    from sqlalchemy import update

    from eet.store.models import Measurement, Participant, utcnow
    with Session(cohort) as s, maintenance("test: a voided measurement"):
        pid = s.exec(__import__("sqlmodel").select(Participant.id).where(Participant.code == "P-07")).one()
        s.execute(update(Measurement).where(Measurement.participant_id == pid,
                                            Measurement.measured_on == _day(375)).values(voided_at=utcnow()))
        s.commit()
        r = recovery_12m(s, AS_OF)
    # P-07 now compares +355 (1,1) against its intake (3,3): measured, not recovered.
    assert (r.cohort, r.measured, r.judged, r.recovered) == (12, 7, 8, 4)


def test_no_cohort_gives_no_rate(engine):
    with Session(engine) as s:
        r = recovery_12m(s, AS_OF)
    assert (r.rate, r.cohort, r.measured) == (None, 0, 0)
