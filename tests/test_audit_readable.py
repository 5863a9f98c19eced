"""The audit trail as a person reads it (issue 14): before and after name organisations, dwellings
and participants instead of ids, codes by their label, dates in the page's form and times in
Europe/Amsterdam; the Dutch page shows no English field names or raw codes."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from eet.accounts.access import Actor
from eet.entry import data_entry
from eet.store import audit_trail
from eet.store.engine import get_engine, session_scope
from eet.store.models import Organisation
from eet.texts import label, t

ADMIN = Actor("test-admin", "admin")
ROOT = Path(__file__).resolve().parent.parent


def _dwelling_record(engine):
    with session_scope(engine) as s:
        data_entry.add_dwelling(s, ADMIN, {"ref": "UTR-0777", "municipality": "Utrecht", "status": "searching",
                                           "status_date": "2021-02-01", "building_type": "new_build"})
    with Session(engine) as s:
        rows, _ = audit_trail.audit_rows(s, ADMIN, audit_trail.AuditFilter(entity="dwelling"))
        utrecht = s.exec(select(Organisation.id).where(Organisation.name == "Utrecht")).one()
        return rows[0], audit_trail.names(s, rows), utrecht


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_before_and_after_show_names_and_labels(engine, lang):
    row, named, utrecht = _dwelling_record(engine)
    after = json.loads(row["after"])
    assert after["municipality_id"] == utrecht and after["building_type"] == "new_build"  # stored raw
    shown = {field: new for field, _, new in audit_trail.readable_changes(row, lang, named)}
    assert shown[t("municipality", lang)] == "Utrecht"
    assert shown[t("building_type", lang)] == label("building_type", "new_build", lang)
    assert shown[t("status", lang)] == label("status", "searching", lang)
    assert shown[t("status_date", lang)] == ("01-02-2021" if lang == "nl" else "2021-02-01")
    assert shown[t("audit_field.is_demo", lang)] == t("no", lang)
    assert "is_demo" not in shown and "municipality_id" not in shown and "created_at" not in shown
    assert t("audit_field.id", lang) not in shown  # the row number is no change ("Nr.: – → 5")


def test_times_are_shown_in_amsterdam_time():
    winter = datetime(2021, 1, 15, 23, 30, tzinfo=timezone.utc)  # CET, +1: the next day
    summer = datetime(2021, 7, 1, 12, 0)  # naive as SQLite returns it, UTC; CEST, +2
    assert audit_trail.moment(winter, "nl") == "16-01-2021 00:30:00"
    assert audit_trail.moment(summer, "en") == "2021-07-01 14:00:00"
    assert audit_trail.local_time(summer).utcoffset() == ZoneInfo("Europe/Amsterdam").utcoffset(
        datetime(2021, 7, 1, 12, 0))
    # A recorded datetime inside before/after too.
    assert audit_trail.value_text("dwelling", "created_at", "2021-01-15T23:30:00+00:00", "nl") == "16-01-2021 00:30:00"


def test_a_date_filter_takes_whole_amsterdam_days(engine):
    """A record at 23:30 UTC on 15 January is on 16 January in Amsterdam."""
    row, _, _ = _dwelling_record(engine)
    local = audit_trail.local_time(row["at"]).date()
    with Session(engine) as s:
        on_day, _ = audit_trail.audit_rows(s, ADMIN, audit_trail.AuditFilter(date_from=local, date_to=local))
        assert row["id"] in [r["id"] for r in on_day]
    assert audit_trail._start(date(2021, 1, 16)) == datetime(2021, 1, 15, 23, 0, tzinfo=timezone.utc)
    assert audit_trail._start(date(2021, 7, 1)) == datetime(2021, 6, 30, 22, 0, tzinfo=timezone.utc)




def test_the_dutch_audit_page_shows_words_not_codes(demo_url):
    at = AppTest.from_file(str(ROOT / "pages/audit.py"), default_timeout=60)
    at.session_state["actor"] = Actor("beheerder", "admin")
    at.session_state["lang"] = "nl"
    at.run()
    assert not at.exception, at.exception
    # A decision of the demo meeting and a demo dwelling, in the table and in the detail.
    at.selectbox(key="au_entity").set_value("decision").run()
    changes = " ".join(at.dataframe[0].value[t("changes", "nl")])
    assert "Besluit:" in changes and "decision:" not in changes and "is_demo" not in changes
    assert "Demogegevens: – → ja" in changes and "Vergadering: – → Tussentijdse evaluatie mei 2021" in changes
    at.selectbox(key="au_entity").set_value("dwelling").run()
    detail = at.dataframe[1].value
    fields = dict(zip(detail[t("field", "nl")], detail[t("after", "nl")]))
    with Session(get_engine(demo_url)) as s:
        municipalities = set(s.exec(select(Organisation.name).where(Organisation.kind == "municipality")))
    assert fields["Gemeente"] in municipalities
    assert fields["Bouwtype"] in {label("building_type", c, "nl") for c in ("new_build", "existing", "transformation")}
    assert not any(name.endswith("_id") or name in ("is_demo", "created_at") for name in fields)
    assert "(UTC)" not in " ".join(at.dataframe[0].value.columns)


def test_records_are_named_by_what_a_person_knows_them_by(engine):
    """Not "account 4" or "deelnemersstap 17": the account's name, the step's participant's code;
    a record that has no name (a target) keeps its number."""
    with session_scope(engine) as s:
        data_entry.add_dwelling(s, ADMIN, {"ref": "UTR-0778", "municipality": "Utrecht", "status": "searching",
                                           "status_date": "2021-02-01", "building_type": "new_build"})
    with session_scope(engine) as s:
        data_entry.change_status(s, ADMIN, {"ref": "UTR-0778", "status": "available", "effective_on": "2021-03-01"},
                                 expected_version=1)
    with Session(engine) as s:
        rows, _ = audit_trail.audit_rows(s, ADMIN, audit_trail.AuditFilter())
        named = audit_trail.subjects(s, rows)
    texts = {audit_trail.subject_text(r, "nl", named) for r in rows}
    assert "woning UTR-0778" in texts
    change = next(r for r in rows if r["entity"] == "dwelling_status_change")
    assert audit_trail.subject_text(change, "nl", named).endswith(" UTR-0778")
    gone = {"entity": "target", "entity_id": 999, "action": "create"}
    assert audit_trail.subject_text(gone, "en", named) == "target #999"
