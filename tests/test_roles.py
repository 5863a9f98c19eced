"""Roles are enforced inside eet: each role is refused what it must not read or write, whatever page
it could reach. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from eet.accounts import administration

from eet.store import audit_trail as audit_view

from eet.entry import data_entry

from eet.entry import living_lab

from eet.entry import services
from eet.accounts.access import SYSTEM, AccessDenied
from eet.accounts.auth import add_user, authenticate
from eet.store.engine import session_scope
from eet.store.models import AuditRecord, Bottleneck, Dwelling, Organisation, Participant, Target
from eet.figures.participant_view import participant_view
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn, RuleError

D = date(2021, 3, 1)


def _seed(engine) -> None:
    with session_scope(engine) as s:
        services.upsert_dwelling(s, SYSTEM, DwellingIn(ref="UTR-0001", municipality="Utrecht", corporation="Mitros",
                                                       status="available", status_date=D))
        services.upsert_dwelling(s, SYSTEM, DwellingIn(ref="ZST-0001", municipality="Zeist", corporation="Portaal",
                                                       status="searching", status_date=D))
        services.register_participant(s, SYSTEM, ParticipantIn(code="P-0001", referrer="Utrecht", referred_on=D))
        services.register_participant(s, SYSTEM, ParticipantIn(code="P-0002", referrer="Zeist", referred_on=D))
        services.record_event(s, SYSTEM, EventIn(code="P-0002", event="withdrawn", date=D,
                                                 outcome="reason", note="persoonlijke toelichting"))


def _counts(engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return (len(s.exec(select(Dwelling)).all()), len(s.exec(select(Participant)).all()),
                len(s.exec(select(AuditRecord)).all()))


DWELLING = dict(municipality="Utrecht", status="searching", status_date="2021-02-01")


def test_coordinator_reads_and_writes_own_organisation_only(engine, actors):
    _seed(engine)
    coord = actors["coordinator"]
    with Session(engine) as s:
        assert data_entry.dwelling_refs(s, coord) == ["UTR-0001"]
        assert data_entry.participant_codes(s, coord) == ["P-0001"]
        assert [r["code"] for r in data_entry.participant_rows(s, coord)] == ["P-0001"]
        assert data_entry.dwelling_for_edit(s, coord, "UTR-0001")["version"] == 1
        with pytest.raises(AccessDenied):
            data_entry.dwelling_for_edit(s, coord, "ZST-0001")
        with pytest.raises(AccessDenied):
            data_entry.participant_for_edit(s, coord, "P-0002")
        with pytest.raises(AccessDenied):
            data_entry.events_for_correction(s, coord, "P-0002")
    before = _counts(engine)
    for write in (
        lambda s: data_entry.add_dwelling(s, coord, {**DWELLING, "ref": "ZST-0009", "municipality": "Zeist"}),
        lambda s: data_entry.change_status(s, coord, {"ref": "ZST-0001", "status": "location_found",
                                                      "effective_on": "2021-03-02"}, expected_version=1),
        lambda s: data_entry.register(s, coord, {"code": "P-0003", "referrer": "Zeist", "referred_on": "2021-03-01"}),
        lambda s: data_entry.record_step(s, coord, {"code": "P-0002", "event": "assessed", "date": "2021-03-01",
                                                    "outcome": "eligible"}),
        lambda s: data_entry.add_dwelling_batch(s, coord, {**DWELLING, "municipality": "Zeist"}, "ZST", 3),
        lambda s: living_lab.save_bottleneck(s, coord, {"title": "x", "domain": "system", "raised_on": "2021-03-01"}),
        lambda s: administration.add_target(s, coord, {"key": "dwellings", "value": 250, "valid_from": "2021-06-01"}),
        lambda s: administration.save_organisation(s, coord, {"name": "Nieuw", "kind": "referral"}),
        lambda s: administration.set_active(s, coord, "anyone", False),
    ):
        with pytest.raises(AccessDenied):
            with session_scope(engine) as s:
                write(s)
    with Session(engine) as s:
        with pytest.raises(AccessDenied):
            audit_view.audit_rows(s, coord)
        with pytest.raises(AccessDenied):
            administration.accounts(s, coord)
        with pytest.raises(AccessDenied):
            living_lab.bottlenecks(s, coord)
    assert _counts(engine) == before
    # ... and what is theirs, they may write.
    with session_scope(engine) as s:
        data_entry.add_dwelling(s, coord, {**DWELLING, "ref": "UTR-0002"})
    assert _counts(engine)[0] == before[0] + 1


def test_researcher_reads_pseudonymised_rows_and_writes_registers_only(engine, actors):
    _seed(engine)
    researcher = actors["researcher"]
    with Session(engine) as s:
        rows = data_entry.participant_rows(s, researcher)
    assert [r["code"] for r in rows] == ["P-0001", "P-0002"]
    assert all("note" not in r for r in rows)  # free text may describe a person
    before = _counts(engine)
    for write in (
        lambda s: data_entry.add_dwelling(s, researcher, {**DWELLING, "ref": "UTR-0009"}),
        lambda s: data_entry.register(s, researcher, {"code": "P-0009", "referrer": "Utrecht", "referred_on": "2021-03-01"}),
        lambda s: data_entry.record_step(s, researcher, {"code": "P-0001", "event": "assessed", "date": "2021-03-01",
                                                         "outcome": "eligible"}),
        lambda s: services.upsert_dwelling(s, researcher, DwellingIn(ref="UTR-0010", **DWELLING)),
        lambda s: administration.add_target(s, researcher, {"key": "dwellings", "value": 250, "valid_from": "2021-06-01"}),
        lambda s: administration.add_account(s, researcher, "x.y", "long enough password", "viewer"),
    ):
        with pytest.raises(AccessDenied):
            with session_scope(engine) as s:
                write(s)
    with Session(engine) as s:
        with pytest.raises(AccessDenied):
            data_entry.dwelling_for_edit(s, researcher, "UTR-0001")
        with pytest.raises(AccessDenied):
            audit_view.audit_rows(s, researcher)
    assert _counts(engine) == before
    with session_scope(engine) as s:
        living_lab.save_bottleneck(s, researcher, {"title": "Wachtlijst", "domain": "system", "raised_on": "2021-03-01"})
    with Session(engine) as s:
        assert [b["title"] for b in living_lab.bottlenecks(s, researcher)] == ["Wachtlijst"]


def test_viewer_sees_aggregates_only_with_small_counts_suppressed(engine, actors):
    _seed(engine)
    viewer = actors["viewer"]
    with Session(engine) as s:
        for read in (data_entry.participant_rows, data_entry.dwelling_refs, data_entry.participant_codes,
                     living_lab.bottlenecks, living_lab.cost_parameters, administration.accounts,
                     administration.targets, audit_view.audit_rows):
            with pytest.raises(AccessDenied):
                read(s, viewer)
        view = participant_view(s, viewer, date(2021, 4, 1))
    assert view.funnel["referred"] == "<5"  # two participants
    before = _counts(engine)
    for write in (
        lambda s: data_entry.add_dwelling(s, viewer, {**DWELLING, "ref": "UTR-0009"}),
        lambda s: services.record_event(s, viewer, EventIn(code="P-0001", event="assessed", date=D, outcome="eligible")),
        lambda s: living_lab.save_factor(s, viewer, {"domain": "support", "kind": "success", "description": "x",
                                                     "observed_on": "2021-03-01"}),
    ):
        with pytest.raises(AccessDenied):
            with session_scope(engine) as s:
                write(s)
    assert _counts(engine) == before


def test_admin_manages_accounts_partners_targets_with_audit(engine, actors):
    admin = actors["admin"]
    with session_scope(engine) as s:
        administration.add_account(s, admin, "nieuwe.coordinator", "een lang wachtwoord", "coordinator", "Zeist")
        administration.save_organisation(s, admin, {"name": "Leidsche Rijn Wonen", "kind": "housing_corporation",
                                                    "joined_on": "2021-04-01"})
        administration.add_target(s, admin, {"key": "dwellings", "value": 220, "due_on": "2022-07-01",
                                             "valid_from": "2021-06-01"})
    with session_scope(engine) as s:
        assert authenticate(s, "nieuwe.coordinator", "een lang wachtwoord") is not None
        administration.set_active(s, admin, "nieuwe.coordinator", False)
    with session_scope(engine) as s:
        assert authenticate(s, "nieuwe.coordinator", "een lang wachtwoord") is None
        administration.set_active(s, admin, "nieuwe.coordinator", True)
        administration.reset_password(s, admin, "nieuwe.coordinator", "nog een ander wachtwoord")
    with session_scope(engine) as s:
        assert authenticate(s, "nieuwe.coordinator", "een lang wachtwoord") is None
        assert authenticate(s, "nieuwe.coordinator", "nog een ander wachtwoord") is not None
    with Session(engine) as s:
        accounts = administration.accounts(s, admin)
        assert all("password_hash" not in a for a in accounts)
        rows, total = audit_view.audit_rows(s, admin, audit_view.AuditFilter(entity="user"))
        assert {r["action"] for r in rows} >= {"create", "deactivate", "activate", "reset_password"}
        assert not any("argon2" in (r["after"] or "") + (r["before"] or "") for r in rows)
        assert s.exec(select(Target).where(Target.value == 220)).one().valid_from == date(2021, 6, 1)
        # earlier figures keep the earlier target: there are two dated dwellings targets now
        assert len(s.exec(select(Target).where(Target.key == "dwellings")).all()) == 2
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            administration.set_active(s, admin, admin.username, False)
    assert refused.value.errors[0].field == "username"
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            administration.reset_password(s, admin, "nieuwe.coordinator", "kort")
    assert refused.value.errors[0].field == "password"


def test_sign_in_attempts_are_limited(engine, actors):
    with session_scope(engine) as s:
        add_user(s, actors["admin"], "planner", "correct horse battery", "viewer")
    for _ in range(5):
        with session_scope(engine) as s:
            assert authenticate(s, "planner", "wrong") is None
    with session_scope(engine) as s:  # locked: even the right password fails now
        assert authenticate(s, "planner", "correct horse battery") is None


def test_demo_accounts_are_refused_once_the_data_are_not_demo(engine, actors):
    with session_scope(engine) as s:
        add_user(s, SYSTEM, "coordinator.utrecht", "demo", "coordinator", "Utrecht", is_demo=True)
    with session_scope(engine) as s:  # no demo data in this database: the published password is refused
        assert authenticate(s, "coordinator.utrecht", "demo") is None


def test_demo_accounts_work_on_demo_data_and_entries_stay_demo(demo_engine):
    with session_scope(demo_engine) as s:
        actor = authenticate(s, "coordinator.utrecht", "demo")
    assert actor is not None and actor.role == "coordinator"
    with Session(demo_engine) as s:
        utrecht = s.exec(select(Organisation).where(Organisation.name == "Utrecht")).one()
    assert actor.organisation_id == utrecht.id


def test_audit_filters(engine, actors):
    _seed(engine)
    admin, coord = actors["admin"], actors["coordinator"]
    with session_scope(engine) as s:
        data_entry.add_dwelling(s, coord, {**DWELLING, "ref": "UTR-0002", "site": "=HYPERLINK(\"x\")"})
    with Session(engine) as s:
        rows, total = audit_view.audit_rows(s, admin, audit_view.AuditFilter(actor=coord.username))
        assert total == 1 and rows[0]["entity"] == "dwelling" and rows[0]["action"] == "create"
        assert audit_view.changed_fields(rows[0])["site"] == (None, "=HYPERLINK(\"x\")")
        today = date.today()
        assert audit_view.audit_rows(s, admin, audit_view.AuditFilter(date_from=today, date_to=today))[1] >= 1
        assert audit_view.audit_rows(s, admin, audit_view.AuditFilter(date_to=date(2020, 1, 1)))[1] == 0
        assert audit_view.audit_rows(s, admin, audit_view.AuditFilter(entity="participant_event",
                                                                      action="create"))[1] == 1
        assert "test-coordinator" in audit_view.choices(s, admin)["actor"]
        text = audit_view.to_csv(rows).decode("utf-8-sig")
    assert "=HYPERLINK" in text and ";=HYPERLINK" not in text and "\"'{" not in text
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in text.splitlines() for cell in line.split(";"))


def test_correction_voids_and_links_never_deletes(engine, actors):
    _seed(engine)
    coord = actors["coordinator"]
    with session_scope(engine) as s:
        data_entry.record_step(s, coord, {"code": "P-0001", "event": "assessed", "date": "2021-03-02",
                                          "outcome": "not_eligible"})
    with Session(engine) as s:
        wrong = data_entry.events_for_correction(s, coord, "P-0001")[0]
    with session_scope(engine) as s:
        new_id = data_entry.correct_step(s, coord, wrong["id"], {"event": "assessed", "date": "2021-03-02",
                                                                 "outcome": "eligible"}, "verkeerde uitkomst")
    with Session(engine) as s:
        events = data_entry.events_for_correction(s, coord, "P-0001")
        assert [(e["outcome"], e["voided"], e["corrects_id"]) for e in events] == [
            ("eligible", False, wrong["id"]), ("not_eligible", True, None)]
        assert events[0]["id"] == new_id and events[1]["void_reason"] == "verkeerde uitkomst"
        actions = [r["action"] for r in audit_view.audit_rows(s, actors["admin"], audit_view.AuditFilter(
            entity="participant_event", actor=coord.username))[0]]
        assert sorted(actions) == ["correct", "create", "void"]  # the correction is recorded once, as such
    # A refused correction leaves the wrong step as it was.
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            data_entry.correct_step(s, coord, new_id, {"event": "housed", "date": "2021-03-02",
                                                       "dwelling_ref": "UTR-0001"}, "test")
    assert refused.value.errors[0].field == "event"
    with Session(engine) as s:
        assert [e["voided"] for e in data_entry.events_for_correction(s, coord, "P-0001")] == [False, True]
        with pytest.raises(RuleError):
            data_entry.correct_step(s, coord, new_id, {"event": "assessed", "date": "2021-03-02",
                                                       "outcome": "eligible"}, "   ")


def test_batch_is_one_transaction(engine, actors):
    coord = actors["coordinator"]
    with session_scope(engine) as s:
        refs = data_entry.add_dwelling_batch(s, coord, {**DWELLING, "site": "Complex A"}, "UTR", 3)
    assert refs == ["UTR-0001", "UTR-0002", "UTR-0003"]
    with session_scope(engine) as s:
        assert data_entry.add_dwelling_batch(s, coord, DWELLING, "UTR", 2) == ["UTR-0004", "UTR-0005"]
    before = _counts(engine)
    with pytest.raises(RuleError) as refused:  # overlaps existing refs: nothing written
        with session_scope(engine) as s:
            data_entry.add_dwelling_batch(s, coord, DWELLING, "UTR", 5, first_number=3)
    assert refused.value.errors[0].field == "first_number"
    with pytest.raises(RuleError) as refused:  # a bad shared value: named by its field, nothing written
        with session_scope(engine) as s:
            data_entry.add_dwelling_batch(s, coord, {**DWELLING, "status_date": "2999-01-01"}, "UTR", 5)
    assert refused.value.errors[0].field == "status_date"
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            data_entry.add_dwelling_batch(s, coord, DWELLING, "U T R", 0)
    assert {e.field for e in refused.value.errors} == {"prefix", "count"}
    assert _counts(engine) == before


def test_registers_validate_and_lock(engine, actors):
    researcher = actors["researcher"]
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            living_lab.save_bottleneck(s, researcher, {"title": "x", "domain": "system", "status": "resolved",
                                                       "raised_on": "2021-03-01"})
    assert refused.value.errors[0].field == "resolved_on"
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            living_lab.save_cost_parameter(s, researcher, {
                "model": "shelter", "category": "support", "label": "x", "amount_eur": "-3",
                "unit": "per_participant_year", "source": "", "valid_from": "2021-01-01"})
    assert {e.field for e in refused.value.errors} >= {"amount_eur", "source"}
    with session_scope(engine) as s:
        bid = living_lab.save_bottleneck(s, researcher, {"title": "x", "domain": "system", "raised_on": "2021-03-01"})
    values = {"title": "x", "domain": "system", "status": "resolved", "raised_on": "2021-03-01",
              "resolved_on": "2021-04-01", "resolution": "opgelost"}
    with session_scope(engine) as s:
        living_lab.save_bottleneck(s, researcher, values, bid, expected_version=1)
    with pytest.raises(RuleError) as refused:
        with session_scope(engine) as s:
            living_lab.save_bottleneck(s, researcher, {**values, "owner": "B"}, bid, expected_version=1)
    assert refused.value.errors[0].field == "version"
    with Session(engine) as s:
        row = s.get(Bottleneck, bid)
        assert (row.status, row.owner, row.version) == ("resolved", None, 2)
