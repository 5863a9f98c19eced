"""The research registers, administration and audit pages through Streamlit's AppTest: every form with
good values writes, with bad values the field is marked, the input kept and nothing written; who may
reach which page; the audit trail's filters."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from eet.accounts import auth
from eet.texts import label, t

from eet.entry import living_lab
from eet.accounts.access import SYSTEM, Actor
from eet.store import session_scope
from eet.store.models import AuditRecord, Bottleneck, CostParameter, Factor, Organisation, Target
from test_forms import count, errors_text, fresh_database, page, shown, snapshot, submit

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard.py"
RESEARCHER = Actor("onderzoeker", "researcher")
ADMIN = Actor("beheerder", "admin")
PASSWORD = "geheim-wachtwoord-1"
TITLES = {"registers": "Registers onderzoek", "admin": "Beheer", "audit": "Audittrail"}


@pytest.fixture()
def db(tmp_path, monkeypatch):
    """A fresh database with the coalition and the targets, no other data."""
    engine = fresh_database(tmp_path, monkeypatch)
    yield engine
    engine.dispose()


def marked(at: AppTest, form: str) -> set[str]:
    """The fields the last submit of this form marked (each drawn under its widget by ui.forms)."""
    return set(at.session_state[f"_errors_{form}"]) if f"_errors_{form}" in at.session_state else set()


def refused(at: AppTest, form: str, *fields: str) -> None:
    """Exactly these fields are marked, each with its message, and the form says nothing was saved."""
    assert marked(at, form) == set(fields), errors_text(at)
    assert len(at.error) == len(fields) + 1, errors_text(at)
    assert at.error[-1].value in ("Niet opgeslagen. Verbeter de gemarkeerde velden; uw invoer staat er nog.",
                                  "Not saved. Correct the marked fields; your input is still there.")


def table(at: AppTest, name: str):
    """The dataframe with a column of this name (a read-only table carries no key in AppTest)."""
    return next(df.value for df in at.dataframe if name in df.value.columns)


def column(at: AppTest, name: str) -> list:
    return list(table(at, name)[name])


def audit_after(engine, entity: str) -> list[dict]:
    with Session(engine) as s:
        rows = s.exec(select(AuditRecord).where(AuditRecord.entity == entity).order_by(AuditRecord.id)).all()
    return [{"actor": r.actor, "action": r.action, "after": json.loads(r.after) if r.after else None} for r in rows]


# --- who may reach which page --------------------------------------------------------------------

@pytest.mark.parametrize("role, reachable", [
    ("admin", {"registers", "admin", "audit"}),
    ("researcher", {"registers"}),
    ("coordinator", set()),
    ("viewer", set()),
])
def test_navigation_by_role(db, entry_script_every_run, role, reachable):
    at = AppTest.from_file(str(APP), default_timeout=60)
    with Session(db) as s:
        utrecht = s.exec(select(Organisation.id).where(Organisation.name == "Utrecht")).one()
    at.session_state["actor"] = Actor(f"test-{role}", role, organisation_id=utrecht if role == "coordinator" else None)
    at.run()
    assert not at.exception, at.exception
    for name in ("registers", "admin", "audit"):
        if name in reachable:
            at.switch_page(f"pages/{name}.py").run()
            assert not at.exception, at.exception
            assert not at.warning, [w.value for w in at.warning]
            assert at.title[0].value == TITLES[name]
        else:  # known to the navigation (a shared link works), but it says this role may not see it
            at.switch_page(f"pages/{name}.py").run()
            assert not at.exception, at.exception
            assert [w.value for w in at.warning] == [t("page_not_allowed", "nl", role=label("role", role, "nl"))]
            assert not at.dataframe and not at.text_input


@pytest.mark.parametrize("path, roles", [
    ("pages/registers.py", ("coordinator", "viewer")),
    ("pages/admin.py", ("researcher", "coordinator", "viewer")),
    ("pages/audit.py", ("researcher", "coordinator", "viewer")),
])
def test_page_run_directly_stops_for_other_roles(db, path, roles):
    """A pages/ file run without the navigation (a Streamlit quirk on a fresh server) stops itself."""
    for role in roles:
        at = page(path, Actor(f"test-{role}", role, organisation_id=1 if role == "coordinator" else None))
        assert at.warning and "alleen voor" in at.warning[0].value
        assert not at.dataframe and not at.button and not at.text_input and not at.title


def test_page_run_directly_without_sign_in_shows_nothing(db):
    for path in ("pages/registers.py", "pages/admin.py", "pages/audit.py"):
        at = AppTest.from_file(str(ROOT / path), default_timeout=30).run()
        assert not at.exception
        assert not at.dataframe and not at.button and not at.text_input


# --- registers: bottlenecks ----------------------------------------------------------------------

def test_researcher_adds_a_bottleneck_good_and_bad(db):
    at = page("pages/registers.py", RESEARCHER)
    assert at.title[0].value == "Registers onderzoek"
    before = snapshot(db)
    title = "<script>alert(1)</script> **wachtlijst** te lang"
    at.text_input(key="bn_title").input(title)
    at.selectbox(key="bn_domain").select("system")
    at.text_input(key="bn_owner").input("Regionale Toegang")
    at.selectbox(key="bn_status").select("resolved")  # resolved, but no date it was resolved
    at.date_input(key="bn_raised_on").set_value(date(2021, 2, 1))
    submit(at, "bottleneck")
    refused(at, "bottleneck", "resolved_on")
    assert (at.text_input(key="bn_title").value, at.selectbox(key="bn_status").value) == (title, "resolved")
    assert at.date_input(key="bn_raised_on").value == date(2021, 2, 1)
    assert snapshot(db) == before
    at.date_input(key="bn_resolved_on").set_value(date(2021, 1, 20))  # before it was raised
    submit(at, "bottleneck")
    refused(at, "bottleneck", "resolved_on")
    assert snapshot(db) == before
    at.text_input(key="bn_title").input("")  # no title either
    submit(at, "bottleneck")
    refused(at, "bottleneck", "title")  # field rules first; the dates are checked once the fields pass
    assert snapshot(db) == before
    # good
    at.text_input(key="bn_title").input(title)
    at.selectbox(key="bn_status").select("open")
    at.date_input(key="bn_resolved_on").set_value(None)
    submit(at, "bottleneck")
    assert not at.error, errors_text(at)
    assert title in shown(at.success[0].value)
    with Session(db) as s:
        row = s.exec(select(Bottleneck)).one()
    assert (row.title, row.domain, row.owner, row.status, row.raised_on) == (
        title, "system", "Regionale Toegang", "open", date(2021, 2, 1))
    assert audit_after(db, "bottleneck")[0]["actor"] == "onderzoeker"
    assert at.text_input(key="bn_title").value == ""  # a saved new row clears the form
    # the user's text is a cell of text in the table
    assert column(at, "Titel") == [title]
    assert not any("<script>" in m.value for m in at.markdown)


def test_edit_a_bottleneck_and_version_conflict(db):
    first, second = page("pages/registers.py", RESEARCHER), page("pages/registers.py", ADMIN)
    first.text_input(key="bn_title").input("Geen briefadres")
    first.date_input(key="bn_raised_on").set_value(date(2021, 2, 1))
    submit(first, "bottleneck")
    with Session(db) as s:
        bottleneck_id = s.exec(select(Bottleneck.id)).one()
    second.run()
    for at in (first, second):  # both open version 1
        at.selectbox(key="bn_id").select(bottleneck_id).run()
        assert at.text_input(key="bn_title").value == "Geen briefadres"
        assert at.session_state["bn_version"] == 1
    first.selectbox(key="bn_status").select("resolved")
    first.date_input(key="bn_resolved_on").set_value(date(2021, 3, 1))
    first.text_area(key="bn_resolution").input("Gemeente regelt een briefadres")
    submit(first, "bottleneck")
    assert not first.error, errors_text(first)
    assert first.session_state["bn_version"] == 2
    before = snapshot(db)
    second.selectbox(key="bn_status").select("in_progress")
    submit(second, "bottleneck")
    assert "Iemand anders heeft dit record intussen opgeslagen" in errors_text(second)
    assert second.selectbox(key="bn_status").value == "in_progress"  # input kept
    assert snapshot(db) == before
    second.button(key="bn_reload").click().run()
    assert second.selectbox(key="bn_status").value == "resolved"
    assert second.text_area(key="bn_resolution").value == "Gemeente regelt een briefadres"
    with Session(db) as s:
        row = s.exec(select(Bottleneck)).one()
    assert (row.status, row.resolved_on, row.version) == ("resolved", date(2021, 3, 1), 2)
    assert [a["action"] for a in audit_after(db, "bottleneck")] == ["create", "update"]


# --- registers: factors and costs ----------------------------------------------------------------

def test_factor_good_and_bad(db):
    at = page("pages/registers.py", RESEARCHER, lang="en")
    assert at.title[0].value == "Research registers"
    before = snapshot(db)
    at.selectbox(key="fc_domain").select("neighbourhood")
    at.selectbox(key="fc_kind").select("failure")
    at.text_input(key="fc_source").input("interview buurtteam")
    submit(at, "factor")  # no description, no date observed
    refused(at, "factor", "description", "observed_on")
    assert at.text_input(key="fc_source").value == "interview buurtteam"
    assert at.selectbox(key="fc_kind").value == "failure"
    assert snapshot(db) == before
    at.text_area(key="fc_description").input("Buren niet geïnformeerd voor de inhuizing")
    at.date_input(key="fc_observed_on").set_value(date(2021, 4, 2))
    submit(at, "factor")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        row = s.exec(select(Factor)).one()
    assert (row.domain, row.kind, row.observed_on, row.source) == (
        "neighbourhood", "failure", date(2021, 4, 2), "interview buurtteam")
    # edit it
    at.selectbox(key="fc_id").select(row.id).run()
    assert at.text_area(key="fc_description").value == "Buren niet geïnformeerd voor de inhuizing"
    at.selectbox(key="fc_kind").select("success")
    submit(at, "factor")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        assert s.exec(select(Factor.kind)).all() == ["success"]
    assert [a["action"] for a in audit_after(db, "factor")] == ["create", "update"]


def test_cost_parameter_good_and_bad(db):
    at = page("pages/registers.py", ADMIN)
    before = snapshot(db)
    at.selectbox(key="cp_model").select("shelter")
    at.selectbox(key="cp_category").select("support")  # not a shelter cost
    at.selectbox(key="cp_unit").select("per_participant_year")
    at.text_input(key="cp_label").input("Nachtopvang")
    at.number_input(key="cp_amount_eur").set_value(-10.0)
    at.text_input(key="cp_source").input("=HYPERLINK(\"x\")")
    at.date_input(key="cp_valid_from").set_value(date(2021, 1, 1))
    at.date_input(key="cp_valid_to").set_value(date(2020, 12, 31))
    submit(at, "cost_parameter")
    refused(at, "cost_parameter", "amount_eur")  # field rules first, then the combined ones
    assert at.number_input(key="cp_amount_eur").value == -10.0
    assert snapshot(db) == before
    at.number_input(key="cp_amount_eur").set_value(31500.5)
    submit(at, "cost_parameter")
    refused(at, "cost_parameter", "category", "valid_to")
    assert at.text_input(key="cp_label").value == "Nachtopvang"
    assert snapshot(db) == before
    at.selectbox(key="cp_category").select("shelter")
    at.date_input(key="cp_valid_to").set_value(None)
    submit(at, "cost_parameter")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        row = s.exec(select(CostParameter)).one()
    assert (row.model, row.category, row.amount_eur, row.source) == ("shelter", "shelter", 31500.5, "=HYPERLINK(\"x\")")
    assert column(at, "Bedrag (€)") == ["31.500,50"]
    # end it through valid_to
    at.selectbox(key="cp_id").select(row.id).run()
    at.date_input(key="cp_valid_to").set_value(date(2021, 12, 31))
    submit(at, "cost_parameter")
    assert not at.error, errors_text(at)
    assert column(at, "Geldig tot en met") == ["31-12-2021"]


# --- administration: partners, targets, accounts -------------------------------------------------

def test_partner_good_and_bad(db):
    at = page("pages/admin.py", ADMIN)
    before = snapshot(db)
    at.text_input(key="og_name").input("utrecht")  # exists (case does not matter)
    at.selectbox(key="og_kind").select("municipality")
    submit(at, "organisation")  # and no date it joined
    refused(at, "organisation", "name", "joined_on")
    assert at.text_input(key="og_name").value == "utrecht"
    assert snapshot(db) == before
    at.text_input(key="og_name").input("Lopik")
    at.date_input(key="og_joined_on").set_value(date(2021, 6, 1))
    submit(at, "organisation")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        lopik = s.exec(select(Organisation).where(Organisation.name == "Lopik")).one()
    assert (lopik.kind, lopik.joined_on) == ("municipality", date(2021, 6, 1))
    assert "Lopik" in column(at, "Naam")
    assert "Nr." not in [c for c in at.dataframe[0].value.columns]  # a partner is known by its name
    assert "Lopik" in at.selectbox(key="og_id").options  # not "#13 · Lopik"
    # edit it: a note, and a clash refused
    at.selectbox(key="og_id").select(lopik.id).run()
    assert at.date_input(key="og_joined_on").value == date(2021, 6, 1)
    at.text_input(key="og_name").input("Zeist")
    submit(at, "organisation")
    refused(at, "organisation", "name")
    at.text_input(key="og_name").input("Lopik")
    at.text_input(key="og_note").input("sluit aan met een corporatie")
    submit(at, "organisation")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        assert s.get(Organisation, lopik.id).note == "sluit aan met een corporatie"


def test_target_good_and_bad(db):
    at = page("pages/admin.py", ADMIN)
    before = snapshot(db)
    at.selectbox(key="tg_key").select("retention")
    at.number_input(key="tg_value").set_value(90.0)  # a percentage, not a share
    at.date_input(key="tg_valid_from").set_value(date(2021, 6, 1))
    submit(at, "target")
    refused(at, "target", "value")
    assert at.number_input(key="tg_value").value == 90.0 and at.selectbox(key="tg_key").value == "retention"
    assert snapshot(db) == before
    at.number_input(key="tg_value").set_value(0.95)
    at.date_input(key="tg_valid_from").set_value(None)
    submit(at, "target")
    refused(at, "target", "valid_from")
    assert snapshot(db) == before
    at.date_input(key="tg_valid_from").set_value(date(2021, 6, 1))
    submit(at, "target")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        rows = s.exec(select(Target.value, Target.valid_from).where(Target.key == "retention")
                      .order_by(Target.valid_from)).all()
    assert len(rows) == 2 and rows[-1] == (0.95, date(2021, 6, 1))  # the earlier target is kept
    shown_values = [v for k, v in zip(column(at, "Doel"), column(at, "Waarde"))
                    if k == "Behoud na 12 maanden"]
    assert shown_values == ["95%", "90%"]


def test_add_account_good_and_bad_password_never_shown(db):
    at = page("pages/admin.py", ADMIN)
    before = snapshot(db)
    at.text_input(key="ac_username").input("coordinator.lopik")
    at.text_input(key="ac_password").input("kort")
    submit(at, "account_new")  # short password, no role
    refused(at, "account_new", "password", "role")
    assert at.text_input(key="ac_username").value == "coordinator.lopik"
    assert snapshot(db) == before
    at.text_input(key="ac_password").input(PASSWORD)
    at.selectbox(key="ac_role").select("coordinator")
    submit(at, "account_new")  # a coordinator without an organisation
    refused(at, "account_new", "org")
    assert snapshot(db) == before
    at.selectbox(key="ac_org").select("Utrecht")
    submit(at, "account_new")
    assert not at.error, errors_text(at)
    assert at.text_input(key="ac_password").value == ""
    assert at.text_input(key="ac_password").proto.type == at.text_input(key="ac_password").proto.PASSWORD
    with session_scope(db) as s:
        assert auth.authenticate(s, "coordinator.lopik", PASSWORD).role == "coordinator"
    with Session(db) as s:
        trail = " ".join(f"{r.before} {r.after}" for r in s.exec(select(AuditRecord)).all())
    page_text = " ".join(str(e.value) for e in (*at.markdown, *at.success, *at.caption)) + " ".join(
        df.value.to_csv() for df in at.dataframe)
    assert PASSWORD not in trail and PASSWORD not in page_text
    assert "coordinator.lopik" in column(at, "Gebruikersnaam")


@pytest.fixture()
def accounts(db):
    with session_scope(db) as s:
        auth.add_user(s, SYSTEM, "beheerder", PASSWORD, "admin")
        auth.add_user(s, SYSTEM, "onderzoeker", PASSWORD, "researcher")
    return db


def test_deactivate_reactivate_and_reset_password(accounts):
    db = accounts
    at = page("pages/admin.py", ADMIN)
    at.selectbox(key="aa_username").select("beheerder")
    before = snapshot(db)
    [b for b in at.button if b.form_id == "account_active"][0].click().run()  # deactivate yourself
    refused(at, "account_active", "username")
    assert snapshot(db) == before
    at.selectbox(key="aa_username").select("onderzoeker")
    [b for b in at.button if b.form_id == "account_active"][0].click().run()
    assert not at.error, errors_text(at)
    with session_scope(db) as s:
        assert auth.authenticate(s, "onderzoeker", PASSWORD) is None
    assert dict(zip(column(at, "Gebruikersnaam"), column(at, "Actief")))["onderzoeker"] == "nee"
    [b for b in at.button if b.form_id == "account_active"][1].click().run()  # reactivate
    assert not at.error, errors_text(at)
    with session_scope(db) as s:
        assert auth.authenticate(s, "onderzoeker", PASSWORD) is not None
    # a new password: too short refused, kept, nothing written; then set
    at.selectbox(key="ap_username").select("onderzoeker")
    at.text_input(key="ap_password").input("kort")
    before = snapshot(db)
    submit(at, "account_password")
    refused(at, "account_password", "password")
    assert at.text_input(key="ap_password").value == "kort"
    assert snapshot(db) == before
    at.text_input(key="ap_password").input("nieuw-wachtwoord-2")
    submit(at, "account_password")
    assert not at.error, errors_text(at)
    assert at.text_input(key="ap_password").value == ""
    with session_scope(db) as s:
        assert auth.authenticate(s, "onderzoeker", "nieuw-wachtwoord-2") is not None
        assert auth.authenticate(s, "onderzoeker", PASSWORD) is None
    assert [a["action"] for a in audit_after(db, "user") if a["action"] in ("deactivate", "activate", "reset_password")
            ] == ["deactivate", "activate", "reset_password"]
    assert "nieuw-wachtwoord-2" not in " ".join(str(a["after"]) for a in audit_after(db, "user"))


def test_admin_ends_sessions_and_links_an_identity(accounts):
    from eet.accounts import sessions

    db = accounts
    with session_scope(db) as s:
        researcher = auth.authenticate(s, "onderzoeker", PASSWORD)
        token = sessions.redeem_ticket(s, sessions.issue_ticket(s, researcher))
    at = page("pages/admin.py", ADMIN)
    at.selectbox(key="as_username").select("onderzoeker")
    [b for b in at.button if b.form_id == "account_sessions"][0].click().run()
    assert not at.error, errors_text(at)
    assert "1" in at.success[0].value
    with session_scope(db) as s:
        assert sessions.lookup(s, token).actor is None
    at.selectbox(key="as_username").select("beheerder")
    at.text_input(key="as_identity").input("Onderzoek@Example.org")
    [b for b in at.button if b.form_id == "account_sessions"][1].click().run()
    assert not at.error, errors_text(at)
    at.selectbox(key="as_username").select("onderzoeker")
    at.text_input(key="as_identity").input("onderzoek@example.org")  # held by beheerder
    [b for b in at.button if b.form_id == "account_sessions"][1].click().run()
    refused(at, "account_sessions", "identity")
    with session_scope(db) as s:
        assert auth.account_for_identity(s, ["onderzoek@example.org", "sub-1"]).username == "beheerder"
        assert auth.account_for_identity(s, ["someone@example.org"]) is None


# --- audit trail ---------------------------------------------------------------------------------

def test_audit_page_filters(db):
    registers = page("pages/registers.py", RESEARCHER)
    registers.text_input(key="bn_title").input("Wachtlijst te lang")
    registers.date_input(key="bn_raised_on").set_value(date(2021, 2, 1))
    submit(registers, "bottleneck")
    admin = page("pages/admin.py", ADMIN)
    admin.selectbox(key="tg_key").select("dwellings")
    admin.number_input(key="tg_value").set_value(220.0)
    admin.date_input(key="tg_valid_from").set_value(date(2021, 6, 1))
    submit(admin, "target")
    assert not registers.error and not admin.error

    at = page("pages/audit.py", ADMIN)
    total = count(db, AuditRecord)
    assert len(table(at, "Wie")) == total
    at.selectbox(key="au_actor").select("onderzoeker").run()
    rows = table(at, "Wie")
    # Who with the role, the kind of record with its number: one cell each (issue 14, 820 px).
    assert list(rows["Wie"]) == ["onderzoeker (onderzoeker)"] and list(rows["Record"])[0].startswith("knelpunt ")
    assert "Titel: – → Wachtlijst te lang" in rows["Voor → na"][0]  # the field by its form name
    at.selectbox(key="au_actor").select(None)
    at.selectbox(key="au_entity").select("target").run()
    rows = table(at, "Wie")
    assert list(rows["Wie"]) == ["beheerder (beheerder)"] and list(rows["Actie"]) == ["toegevoegd"]
    detail = table(at, "Veld")
    assert dict(zip(detail["Veld"], detail["Na"]))["Waarde"] == "220"  # a whole number without ".0" (issue 14)
    at.selectbox(key="au_entity").select(None)
    at.selectbox(key="au_action").select("create").run()
    assert len(table(at, "Wie")) == total  # every record so far is a create
    at.date_input(key="au_from").set_value(date.today() - timedelta(days=1))
    at.date_input(key="au_to").set_value(date.today()).run()
    assert len(table(at, "Wie")) == total
    at.date_input(key="au_to").set_value(date.today() - timedelta(days=1)).run()
    assert not at.dataframe and at.info[0].value == "Geen wijzigingen die aan deze filters voldoen."
    assert not at.get("download_button")


def test_audit_page_shows_a_sign_in_at_once_in_english(accounts):
    """A sign-in is audited without a new data version: the page must not show a cached trail."""
    db = accounts
    with session_scope(db) as s:
        living_lab.save_bottleneck(s, RESEARCHER, {"title": "Geen briefadres", "domain": "system",
                                                   "raised_on": date(2021, 2, 1)})
    at = page("pages/audit.py", ADMIN, lang="en")
    assert "signed in" not in list(table(at, "Who")["Action"])
    with session_scope(db) as s:
        assert auth.authenticate(s, "onderzoeker", PASSWORD) is not None
    at.run()
    rows = table(at, "Who")
    assert (rows["Who"][0], rows["Action"][0]) == ("onderzoeker (researcher)", "signed in")
    assert rows["Record"][0].startswith("account ")
    assert at.title[0].value == "Audit trail"
    assert list(table(at, "Who").columns)[:3] == ["Time", "Who", "Action"]  # Amsterdam time (issue 14)
    assert len(at.get("download_button")) == 1


def test_account_times_in_amsterdam_time_without_utc(db):
    """The accounts table shows its moments as the audit trail does (Amsterdam time, seconds), not
    UTC with "(UTC)" in the header (issue 14, the final walk-through)."""
    at = page("pages/admin.py", ADMIN)
    created = table(at, t("created_at", "nl"))
    assert not any("UTC" in name for name in created.columns)
    assert all(v == "" or len(v.split()) == 2 and v.count(":") == 2 for v in created[t("created_at", "nl")])


def test_chart_axes_write_whole_numbers_not_thousands_as_k():
    from eet.charts import research
    fig = research.payer_bars([("municipality", 30000.0, 45000.0)], "nl")
    assert fig.layout.separators == ",." and fig.layout.xaxis.exponentformat == "none"
    assert fig.layout.xaxis.separatethousands is True


def test_cost_parameter_for_one_care_provider_or_building_type(db):
    """Issue 29: whom a cost applies to, chosen in the form; a pairing that has no group to apply to
    is refused on its field, with what was typed kept; editing shows the chosen care provider."""
    at = page("pages/registers.py", ADMIN)
    before = snapshot(db)
    at.selectbox(key="cp_model").select("housing_first")
    at.selectbox(key="cp_category").select("housing")
    at.selectbox(key="cp_unit").select("per_participant_year")
    at.text_input(key="cp_label").input("Intensieve begeleiding")
    at.number_input(key="cp_amount_eur").set_value(4000.0)
    at.text_input(key="cp_source").input("Rekenmodel")
    at.date_input(key="cp_valid_from").set_value(date(2021, 1, 1))
    at.selectbox(key="cp_care_provider").select("Kwintes")
    submit(at, "cost_parameter")
    refused(at, "cost_parameter", "care_provider")  # a care provider's cost is support
    assert at.selectbox(key="cp_care_provider").value == "Kwintes"
    assert snapshot(db) == before
    at.selectbox(key="cp_category").select("support")
    submit(at, "cost_parameter")
    assert not at.error, errors_text(at)
    with Session(db) as s:
        row = s.exec(select(CostParameter)).one()
        kwintes = s.exec(select(Organisation.id).where(Organisation.name == "Kwintes")).one()
    assert (row.category, row.care_provider_id, row.building_type) == ("support", kwintes, None)
    assert column(at, "Geldt voor") == ["Kwintes"]
    at.selectbox(key="cp_id").select(row.id).run()
    assert at.selectbox(key="cp_care_provider").value == "Kwintes"
