"""Monthly sign-off (issue 16, as DHIS2's data approval): after a coordinator signs off a month for
their organisation, a write dated in that month for that organisation is refused, through the
service layer a form calls, an import and the command line alike, until the admin reopens it;
other months and other organisations stay open; both steps are audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from eet.accounts.access import SYSTEM, AccessDenied
from eet.entry import services
from eet.entry.imports import import_file
from eet.entry.schemas import EventIn, RuleError
from eet.quality import signoff
from eet.store.models import AuditRecord, ParticipantEvent
from tests.import_helpers import write_csv
from tests.test_figures import D, dwelling, event, participant, status


def _history(session) -> None:
    participant(session, "P-U", D(2021, 2, 1), municipality="Utrecht")
    participant(session, "P-Z", D(2021, 2, 1), municipality="Zeist")
    dwelling(session, "U-1", "searching", D(2021, 2, 1))
    dwelling(session, "Z-1", "searching", D(2021, 2, 1), municipality="Zeist")
    session.commit()


def test_a_signed_off_month_refuses_writes_for_that_organisation_only(session, actors):
    _history(session)
    coordinator = actors["coordinator"]  # Utrecht
    signoff.sign_off(session, coordinator, "2021-03")
    session.commit()
    with pytest.raises(RuleError, match="2021-03 has been signed off for Utrecht") as refused:
        services.record_event(session, coordinator, EventIn(code="P-U", event="assessed", date=D(2021, 3, 10),
                                                            outcome="eligible"))
    assert [e.field for e in refused.value.errors] == ["date"]
    assert "afgetekend voor Utrecht" in refused.value.errors[0].text("nl")
    with pytest.raises(RuleError, match="signed off"):
        status(session, "U-1", "location_found", D(2021, 3, 31))
    with pytest.raises(RuleError, match="signed off"):  # the admin too: the month is closed
        participant(session, "P-U2", D(2021, 3, 5), municipality="Utrecht")
    session.rollback()
    # Another month, another organisation: open.
    event(session, "P-U", "assessed", D(2021, 4, 1), "eligible")
    event(session, "P-Z", "assessed", D(2021, 3, 10), "eligible")
    status(session, "Z-1", "location_found", D(2021, 3, 31))
    session.commit()
    assert [m["month"] for m in signoff.signed_off(session)] == [D(2021, 3, 1)]

    signoff.reopen(session, SYSTEM, coordinator.organisation_id, "2021-03")
    session.commit()
    event(session, "P-U", "assessed", D(2021, 3, 20), "not_eligible")  # accepted again
    session.commit()
    assert signoff.signed_off(session) == []
    trail = session.exec(select(AuditRecord).where(AuditRecord.entity == "month_sign_off")
                         .order_by(AuditRecord.id)).all()
    assert [(a.action, a.actor) for a in trail] == [("sign_off", "test-coordinator"), ("reopen", "system")]


def test_a_void_dated_in_a_signed_off_month_is_refused(session, actors):
    _history(session)
    event(session, "P-U", "assessed", D(2021, 3, 10), "eligible")
    session.commit()
    signoff.sign_off(session, actors["coordinator"], date(2021, 3, 17))
    session.commit()
    step = session.exec(select(ParticipantEvent)).first()
    with pytest.raises(RuleError, match="signed off"):
        services.void_event(session, SYSTEM, step.id, "typo")


def test_who_may_sign_off_and_reopen_and_when(session, actors):
    _history(session)
    with pytest.raises(AccessDenied):
        signoff.sign_off(session, actors["viewer"], "2021-03")
    with pytest.raises(AccessDenied):
        signoff.reopen(session, actors["coordinator"], actors["coordinator"].organisation_id, "2021-03")
    this_month = date.today().replace(day=1)
    with pytest.raises(RuleError, match="not over"):
        signoff.sign_off(session, actors["coordinator"], this_month)
    with pytest.raises(RuleError, match="not a month"):
        signoff.sign_off(session, actors["coordinator"], "maart")
    with pytest.raises(RuleError, match="has not been signed off"):
        signoff.reopen(session, SYSTEM, actors["coordinator"].organisation_id, "2021-03")
    signoff.sign_off(session, actors["coordinator"], "2021-03")
    with pytest.raises(RuleError, match="already"):
        signoff.sign_off(session, SYSTEM, "2021-03", organisation_id=actors["coordinator"].organisation_id)


def test_an_import_with_a_row_in_a_signed_off_month_writes_nothing(engine, actors, tmp_path):
    with Session(engine) as session:
        _history(session)
        signoff.sign_off(session, actors["coordinator"], "2021-03")
        session.commit()
    rows = [["code", "event", "date", "outcome"], ["P-Z", "assessed", "2021-03-10", "eligible"],
            ["P-U", "assessed", "2021-03-11", "eligible"], ["P-U", "assessed", "2021-04-02", "eligible"]]
    result = import_file(engine, "events", write_csv(tmp_path / "events.csv", rows))
    assert not result.ok
    assert [str(issue) for issue in result.errors] == [
        "row 3, column date: the month 2021-03 has been signed off for Utrecht: nothing dated in it can be "
        "changed until the admin reopens the month"]
    with Session(engine) as session:
        assert session.exec(select(ParticipantEvent)).all() == []
        signoff.reopen(session, SYSTEM, actors["coordinator"].organisation_id, "2021-03")
        session.commit()
    assert import_file(engine, "events", tmp_path / "events.csv").ok


def test_the_command_line_import_is_refused_alike(tmp_path, actors):
    from eet.bootstrap import initialise
    from eet.store.engine import get_engine
    from eet.store.models import Organisation
    from tests.test_cli import run_eet

    url = f"sqlite:///{tmp_path / 'eet.db'}"
    engine = get_engine(url)
    initialise(engine)
    with Session(engine) as session:
        _history(session)
        utrecht = session.exec(select(Organisation).where(Organisation.name == "Utrecht")).one().id
        signoff.sign_off(session, SYSTEM, "2021-03", organisation_id=utrecht)
        session.commit()
    path = write_csv(tmp_path / "dwellings.csv", [["ref", "municipality", "status", "status_date"],
                                                  ["U-1", "Utrecht", "location_found", "2021-03-15"]])
    result = run_eet(url, "import", "dwellings", str(path))
    assert result.returncode == 1
    assert "row 2, column status_date: the month 2021-03 has been signed off for Utrecht" in result.stderr
    path = write_csv(tmp_path / "april.csv", [["ref", "municipality", "status", "status_date"],
                                              ["U-1", "Utrecht", "location_found", "2021-04-15"]])
    assert run_eet(url, "import", "dwellings", str(path)).returncode == 0
    engine.dispose()
