"""Two people editing the same dwelling: no update is lost. Both open version 1; the first save
wins, the later one is told the record changed in between. On SQLite and PostgreSQL, both one
after the other and truly at the same time (two threads)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import Session, select

from eet.entry import data_entry

from eet.entry import services
from eet.accounts.access import SYSTEM
from eet.store.engine import session_scope
from eet.store.models import Dwelling, DwellingStatusChange, Participant
from eet.entry.schemas import DwellingIn, ParticipantIn, RuleError

D = date(2021, 3, 1)


def _dwelling(engine) -> None:
    with session_scope(engine) as s:
        services.upsert_dwelling(s, SYSTEM, DwellingIn(ref="UTR-0001", municipality="Utrecht", site="A",
                                                       status="location_found", status_date=D))


def _state(engine):
    with Session(engine) as s:
        dwelling = s.exec(select(Dwelling).where(Dwelling.ref == "UTR-0001")).one()
        changes = s.exec(select(DwellingStatusChange.status).where(
            DwellingStatusChange.dwelling_id == dwelling.id).order_by(DwellingStatusChange.id)).all()
        return dwelling.version, dwelling.site, changes


def test_second_of_two_edits_is_refused_not_lost(engine, actors):
    _dwelling(engine)
    coord = actors["coordinator"]
    with Session(engine) as a, Session(engine) as b:  # both open the form
        form_a = data_entry.dwelling_for_edit(a, coord, "UTR-0001")
        form_b = data_entry.dwelling_for_edit(b, actors["admin"], "UTR-0001")
    assert form_a["version"] == form_b["version"] == 1
    with session_scope(engine) as s:
        data_entry.edit_dwelling(s, coord, "UTR-0001", {**form_a, "site": "Complex B"}, form_a["version"])
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            data_entry.edit_dwelling(s, actors["admin"], "UTR-0001", {**form_b, "site": "Complex C"}, form_b["version"])
    assert refused.value.errors[0].field == "version"
    assert "changed by someone else" in refused.value.errors[0].message
    assert _state(engine) == (2, "Complex B", ["location_found"])


def test_status_only_edit_moves_the_version_too(engine, actors):
    _dwelling(engine)
    coord = actors["coordinator"]
    with session_scope(engine) as s:
        data_entry.edit_dwelling(s, coord, "UTR-0001", {"municipality": "Utrecht", "status": "available",
                                                        "status_date": "2021-03-05"}, 1)
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            data_entry.change_status(s, coord, {"ref": "UTR-0001", "status": "withdrawn",
                                                "effective_on": "2021-03-06"}, expected_version=1)
    assert refused.value.errors[0].field == "version"
    assert _state(engine) == (2, "A", ["location_found", "available"])


def test_simultaneous_saves_one_wins(engine, actors):
    """A holds its save open (not committed) while B saves the same version: B waits for A, then is
    refused. Without the atomic claim, both would pass the version check and B's change would be
    written on top of A's."""
    _dwelling(engine)
    coord = actors["coordinator"]
    a_claimed, results = threading.Event(), {}

    def save_a():
        with session_scope(engine) as s:
            data_entry.change_status(s, coord, {"ref": "UTR-0001", "status": "available",
                                                "effective_on": "2021-03-05"}, expected_version=1)
            a_claimed.set()
            b_thread.join(timeout=1.5)  # B is now blocked on A's lock (or still trying)
        results["a"] = "saved"

    def save_b():
        # Wait for A however loaded the machine is: B must save second, while A holds its claim.
        if not a_claimed.wait(120):
            results["b"] = "A never claimed"
            return
        try:
            with session_scope(engine) as s:
                data_entry.change_status(s, coord, {"ref": "UTR-0001", "status": "withdrawn",
                                                    "effective_on": "2021-03-06"}, expected_version=1)
            results["b"] = "saved"
        except RuleError as exc:
            results["b"] = exc.errors[0].field

    b_thread = threading.Thread(target=save_b)
    a_thread = threading.Thread(target=save_a)
    b_thread.start()  # first: A joins B while holding its claim, and a thread must be started to join
    a_thread.start()
    a_thread.join(150)
    b_thread.join(150)
    assert results == {"a": "saved", "b": "version"}
    assert _state(engine) == (2, "A", ["location_found", "available"])


def test_participant_edit_is_locked_too(engine, actors):
    coord = actors["coordinator"]
    with session_scope(engine) as s:
        services.register_participant(s, SYSTEM, ParticipantIn(code="P-0001", referrer="Utrecht", referred_on=D))
    values = {"referrer": "Utrecht", "referred_on": "2021-03-01"}
    with session_scope(engine) as s:
        data_entry.edit_participant(s, coord, "P-0001", {**values, "age_band": "23-29"}, 1)
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            data_entry.edit_participant(s, coord, "P-0001", {**values, "age_band": "30-39"}, 1)
    assert refused.value.errors[0].field == "version"
    with Session(engine) as s:
        p = s.exec(select(Participant)).one()
        assert (p.age_band, p.version) == ("23-29", 2)
