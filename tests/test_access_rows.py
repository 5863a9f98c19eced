"""A write checks the organisation of every row it touches, and no message names another
organisation's rows or keys (issue 18). The coordinator belongs to Utrecht; Zeist is another
municipality with its own participants and dwellings."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from eet.accounts.access import SYSTEM, AccessDenied
from eet.entry import data_entry, services
from eet.entry.imports import import_file
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn, RuleError, StatusChangeIn
from eet.store.engine import session_scope
from eet.store.models import AuditRecord, DwellingStatusChange, ParticipantEvent

D = date(2021, 3, 1)


def _seed(engine) -> None:
    """ZST-0005 (Zeist) lives P-0058 (Zeist); UTR-0002 (Utrecht) lives P-0060, a Zeist participant the
    programme housed there; P-0001 is Utrecht's, eligible."""
    with session_scope(engine) as s:
        for ref, municipality in (("UTR-0001", "Utrecht"), ("UTR-0002", "Utrecht"), ("ZST-0005", "Zeist")):
            services.upsert_dwelling(s, SYSTEM, DwellingIn(ref=ref, municipality=municipality, status="available",
                                                           status_date=D))
        for code, referrer in (("P-0001", "Utrecht"), ("P-0058", "Zeist"), ("P-0060", "Zeist")):
            services.register_participant(s, SYSTEM, ParticipantIn(code=code, referrer=referrer, referred_on=D))
            services.record_event(s, SYSTEM, EventIn(code=code, event="assessed", date=D, outcome="eligible"))
        for code, ref in (("P-0058", "ZST-0005"), ("P-0060", "UTR-0002")):
            services.record_event(s, SYSTEM, EventIn(code=code, event="matched", date=date(2021, 3, 2), dwelling_ref=ref))
            services.record_event(s, SYSTEM, EventIn(code=code, event="housed", date=date(2021, 3, 3), dwelling_ref=ref))


def _written(engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return tuple(s.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (ParticipantEvent, DwellingStatusChange, AuditRecord))


def test_a_step_into_another_organisations_dwelling_is_refused(engine, actors):
    _seed(engine)
    coord = actors["coordinator"]
    before = _written(engine)
    for values in ({"code": "P-0001", "event": "matched", "date": "2021-04-01", "dwelling_ref": "ZST-0005"},
                   {"code": "P-0001", "event": "housed", "date": "2021-04-02", "dwelling_ref": "ZST-0005"}):
        # refused as an unknown ref is (issue 25: no existence oracle), saying nothing of who lives there
        with pytest.raises(RuleError) as denied:
            with session_scope(engine) as s:
                data_entry.record_step(s, coord, values)
        with pytest.raises(RuleError) as unknown:
            with session_scope(engine) as s:
                data_entry.record_step(s, coord, {**values, "dwelling_ref": "ZST-9999"})
        assert str(denied.value).replace("ZST-0005", "ZST-9999") == str(unknown.value)
        assert "P-0058" not in str(denied.value)
    assert _written(engine) == before
    # the same steps into their own dwelling are fine
    with session_scope(engine) as s:
        data_entry.record_step(s, coord, {"code": "P-0001", "event": "matched", "date": "2021-04-01",
                                          "dwelling_ref": "UTR-0001"})


def test_a_dry_run_does_not_say_who_lives_in_another_organisations_dwelling(engine, actors):
    _seed(engine)
    coord = actors["coordinator"]
    rows = ("code,event,date,dwelling_ref\n"
            "P-0001,matched,2021-04-01,ZST-0005\n"
            "P-0001,housed,2021-04-02,ZST-0005\n").encode()
    result = import_file(engine, "events", rows, "steps.csv", actor=coord, dry_run=True)
    assert not result.ok
    lines = [str(issue) for issue in result.errors] + [issue.text("nl") for issue in result.errors]
    assert lines and not any("P-0058" in line or "Zeist" in line for line in lines), lines


def test_an_occupant_of_another_organisation_is_not_named(engine, actors):
    """UTR-0002 is Utrecht's, but its occupant is Zeist's: the refusal says 'another participant'."""
    _seed(engine)
    coord = actors["coordinator"]
    with session_scope(engine) as s:
        data_entry.record_step(s, coord, {"code": "P-0001", "event": "matched", "date": "2021-04-01",
                                          "dwelling_ref": "UTR-0002"})
    refusals = []
    for write in (
        lambda s: data_entry.record_step(s, coord, {"code": "P-0001", "event": "housed", "date": "2021-04-02",
                                                    "dwelling_ref": "UTR-0002"}),
        lambda s: services.change_dwelling_status(s, coord, StatusChangeIn(ref="UTR-0002", status="available",
                                                                           effective_on=date(2021, 4, 3))),
    ):
        with pytest.raises(RuleError) as refused:
            with session_scope(engine) as s:
                write(s)
        refusals.append(refused.value.errors[0])
    for error in refusals:
        for text in (error.message, error.text("nl")):
            assert "P-0060" not in text and "UTR-0002" in text, text
    assert [e.key for e in refusals] == ["dwelling_taken_other", "status_while_occupied_other"]
    # the programme itself still hears who it is
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            services.record_event(s, SYSTEM, EventIn(code="P-0001", event="housed", date=date(2021, 4, 2),
                                                     dwelling_ref="UTR-0002"))
    assert "P-0060" in refused.value.errors[0].message


def test_a_key_of_another_organisation_is_refused_without_details(engine, actors):
    _seed(engine)
    coord = actors["coordinator"]
    texts = []
    for write in (
        lambda s: data_entry.add_dwelling(s, coord, {"ref": "ZST-0005", "municipality": "Utrecht",
                                                     "status": "searching", "status_date": "2021-04-01"}),
        lambda s: data_entry.register(s, coord, {"code": "P-0058", "referrer": "Utrecht",
                                                 "referred_on": "2021-04-01"}),
        lambda s: services.upsert_dwelling(s, coord, DwellingIn(ref="ZST-0005", municipality="Utrecht",
                                                                status="searching", status_date=date(2021, 4, 1))),
        lambda s: services.register_participant(s, coord, ParticipantIn(code="P-0058", referrer="Utrecht",
                                                                        referred_on=date(2021, 4, 1))),
    ):
        with pytest.raises(RuleError) as refused:
            with session_scope(engine) as s:
                write(s)
        error = refused.value.errors[0]
        assert error.key in ("ref_in_use", "code_in_use")
        texts += [error.message, error.text("nl")]
    for kind, rows in (("dwellings", "ref,municipality,status,status_date\nZST-0005,Utrecht,searching,2021-04-01\n"),
                       ("participants", "code,referrer,referred_on\nP-0058,Utrecht,2021-04-01\n")):
        result = import_file(engine, kind, rows.encode(), "list.csv", actor=coord, dry_run=True)
        assert not result.ok
        texts += [str(issue) for issue in result.errors]
    for text in texts:
        assert "exist" not in text and "bestaat" not in text and "Zeist" not in text and "edit" not in text, text
    # their own key still says it exists, so they can edit it
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            data_entry.add_dwelling(s, coord, {"ref": "UTR-0001", "municipality": "Utrecht",
                                               "status": "searching", "status_date": "2021-04-01"})
    assert refused.value.errors[0].key == "ref_exists"
