"""The by-name list (issue 23): the step each participant is at on a date, since when, the dwelling
and what is due next, on a hand-made history; scoped by organisation; never for a viewer; and the
command line's `worklist` prints what the page offers (both backends)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import Session, select

from eet.accounts.access import SYSTEM, AccessDenied, Actor
from eet.entry import services
from eet.figures import worklist as wl
from eet.quality import settings
from eet.store.models import Organisation
from tests.test_cli import run_eet
from tests.test_figures import D, dwelling, event, participant


def _by_code(rows):
    return {r.code: r for r in rows}


def _route(session):
    """Six participants at six steps on 2021-06-30 (Utrecht unless said)."""
    dwelling(session, "U-1", "available", D(2021, 1, 1))
    dwelling(session, "U-2", "available", D(2020, 1, 1))
    dwelling(session, "Z-1", "available", D(2021, 1, 1), municipality="Zeist")
    participant(session, "P-REF", D(2021, 6, 1), municipality="Utrecht")
    participant(session, "P-ELI", D(2021, 2, 1), municipality="Utrecht")
    event(session, "P-ELI", "assessed", D(2021, 3, 1), "eligible")
    participant(session, "P-MAT", D(2021, 2, 1), municipality="Utrecht")
    event(session, "P-MAT", "assessed", D(2021, 2, 10), "eligible")
    event(session, "P-MAT", "matched", D(2021, 4, 1), dwelling_ref="U-1")
    participant(session, "P-HOU", D(2020, 1, 1), municipality="Utrecht")
    event(session, "P-HOU", "assessed", D(2020, 3, 1), "eligible")
    event(session, "P-HOU", "matched", D(2020, 5, 1), dwelling_ref="U-2")
    event(session, "P-HOU", "housed", D(2020, 6, 1), dwelling_ref="U-2")
    participant(session, "P-NOT", D(2021, 1, 1), municipality="Utrecht")
    event(session, "P-NOT", "assessed", D(2021, 1, 20), "not_eligible")
    participant(session, "P-ZST", D(2021, 1, 1), municipality="Zeist")
    event(session, "P-ZST", "assessed", D(2021, 1, 2), "eligible")
    event(session, "P-ZST", "matched", D(2021, 1, 3), dwelling_ref="Z-1")
    event(session, "P-ZST", "housed", D(2021, 1, 4), dwelling_ref="Z-1")
    event(session, "P-ZST", "exited", D(2021, 5, 1), "positive")
    participant(session, "P-LATER", D(2021, 7, 1), municipality="Utrecht")  # not referred yet on 30-06


def test_each_participant_at_the_latest_step_since_its_date_with_what_is_due(session):
    _route(session)
    rows = _by_code(wl.worklist(session, SYSTEM, D(2021, 6, 30)))
    assert "P-LATER" not in rows  # referred after the date
    got = {code: (r.step, r.since, r.days, r.dwelling_ref, r.due) for code, r in rows.items()}
    assert got == {
        "P-REF": ("referred", D(2021, 6, 1), 29, None, "assessment"),
        "P-ELI": ("eligible", D(2021, 3, 1), 121, None, "match"),
        "P-MAT": ("matched", D(2021, 4, 1), 90, "U-1", "move_in_overdue"),  # beyond 60 days
        "P-HOU": ("housed", D(2020, 6, 1), 394, "U-2", "zrm_12m"),  # 12-month window open, not measured
        "P-NOT": ("not_eligible", D(2021, 1, 20), 161, None, None),
        "P-ZST": ("exited", D(2021, 5, 1), 60, None, None),
    }
    # On an earlier date the steps of that date; the match is not overdue yet.
    early = _by_code(wl.worklist(session, SYSTEM, D(2021, 4, 30)))
    assert (early["P-MAT"].due, early["P-MAT"].days) == ("move_in", 29)
    assert (early["P-ZST"].step, early["P-ZST"].dwelling_ref) == ("housed", "Z-1")
    assert "P-REF" not in early


def test_a_move_in_overdue_follows_the_admins_threshold(session):
    _route(session)
    settings.set_threshold(session, SYSTEM, "quality.match_to_move_in_days", "100")
    assert _by_code(wl.worklist(session, SYSTEM, D(2021, 6, 30)))["P-MAT"].due == "move_in"


def test_a_measurement_in_the_window_means_no_zrm_due(session):
    _route(session)
    from eet.entry.measurements import save_measurement

    save_measurement(session, SYSTEM, {"code": "P-HOU", "date": D(2021, 5, 20), "finances": 3})
    assert _by_code(wl.worklist(session, SYSTEM, D(2021, 6, 30)))["P-HOU"].due is None


def test_a_coordinator_lists_their_own_organisation_only_and_a_viewer_nothing(session, actors):
    _route(session)
    mine = {r.code for r in wl.worklist(session, actors["coordinator"], D(2021, 6, 30))}
    assert mine == {"P-REF", "P-ELI", "P-MAT", "P-HOU", "P-NOT"}  # Utrecht's; not Zeist's P-ZST
    zeist = session.exec(select(Organisation).where(Organisation.name == "Zeist")).one()
    # Asking for another organisation does not widen a coordinator's list.
    assert {r.code for r in wl.worklist(session, actors["coordinator"], D(2021, 6, 30), zeist.id)} == mine
    assert {r.code for r in wl.worklist(session, actors["admin"], D(2021, 6, 30), zeist.id)} == {"P-ZST"}
    assert len(wl.worklist(session, actors["researcher"], D(2021, 6, 30))) == 6
    with pytest.raises(AccessDenied):
        wl.worklist(session, actors["viewer"], D(2021, 6, 30))


def test_a_voided_step_is_not_the_step_anyone_is_at(session):
    _route(session)
    matched = [e for e in services.participant_events(session, services.participant_by_code(session, "P-MAT").id)
               if e.kind == "matched"][0]
    services.void_event(session, SYSTEM, matched.id, "wrong person")
    row = _by_code(wl.worklist(session, SYSTEM, D(2021, 6, 30)))["P-MAT"]
    assert (row.step, row.dwelling_ref, row.due) == ("eligible", None, "match")


def test_the_command_line_prints_the_list_the_page_downloads(demo_engine):
    url = demo_engine.url.render_as_string(hide_password=False)
    coordinator = Actor("c", "coordinator")
    with Session(demo_engine) as session:
        houten = session.exec(select(Organisation).where(Organisation.name == "Houten")).one()
        coordinator = Actor("c", "coordinator", organisation_id=houten.id)
        page = wl.worklist(session, coordinator, D(2021, 5, 31))
        everyone = wl.worklist(session, SYSTEM, D(2021, 5, 31))
    assert page and len(page) < len(everyone)
    printed = run_eet(url, "worklist", "--org", "houten", "--as-of", "2021-05-31")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == wl.csv_text(page)
    assert next(csv.reader(io.StringIO(printed.stdout))) == list(wl.COLUMNS)
    as_json = run_eet(url, "worklist", "--as-of", "2021-05-31", "--format", "json")
    records = json.loads(as_json.stdout)
    assert records == wl.as_records(everyone)
    assert set(records[0]) >= {"code", "step", "since", "days", "dwelling_ref"}
    unknown = run_eet(url, "worklist", "--org", "Utreg")
    assert unknown.returncode == 1 and "Utreg" in unknown.stderr


def test_the_workbook_holds_the_csvs_rows(demo_engine):
    from openpyxl import load_workbook

    with Session(demo_engine) as session:
        rows = wl.worklist(session, SYSTEM, D(2021, 5, 31))
    sheet = load_workbook(io.BytesIO(wl.xlsx_bytes(rows))).active
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == list(wl.COLUMNS) and len(cells) == len(rows) + 1
    assert cells[1][0] == rows[0].code and cells[1][2].date() == rows[0].since


def test_the_list_after_a_write_is_read_from_the_patched_timeline_right(session):
    """A write patches the kept timeline, whose participants then stand in no id order (those
    read again come last): every step must still be its own participant's."""
    _route(session)
    session.commit()
    before = _by_code(wl.worklist(session, SYSTEM, D(2021, 6, 30)))
    event(session, "P-REF", "assessed", D(2021, 6, 10), "eligible")
    session.commit()
    after = _by_code(wl.worklist(session, SYSTEM, D(2021, 6, 30)))
    assert (after["P-REF"].step, after["P-REF"].since, after["P-REF"].due) == ("eligible", D(2021, 6, 10), "match")
    assert {code: row for code, row in after.items() if code != "P-REF"} == \
        {code: row for code, row in before.items() if code != "P-REF"}


def test_the_page_lists_what_the_command_line_lists_and_a_viewer_never_sees_it(demo_url):
    from eet.store.engine import get_engine
    from tests.conftest import open_page

    engine = get_engine(demo_url)
    with Session(engine) as s:
        utrecht = s.exec(select(Organisation.id).where(Organisation.name == "Utrecht")).one()
        coordinator = Actor("coordinator.utrecht", "coordinator", organisation_id=utrecht)
        rows = wl.worklist(s, coordinator, D(2021, 5, 31))
        expected = wl.csv_for(s, coordinator, D(2021, 5, 31))
    at = open_page("pages/my_participants.py", coordinator, "2021-05-31")
    shown = at.dataframe[0].value
    assert sorted(shown.iloc[:, 0]) == sorted(r.code for r in rows)  # the same participants
    assert list(shown.iloc[:, 3]) == sorted((r.days for r in rows), reverse=True)  # longest waiting first
    assert expected == wl.csv_text(rows)  # the download is the command line's csv
    viewer = open_page("pages/overview.py", Actor("stuurgroep", "viewer"), "2021-05-31")
    viewer.switch_page("pages/my_participants.py").run()
    assert not viewer.dataframe and "Mijn deelnemers" not in [t.value for t in viewer.title]


def test_narrowed_filters_and_orders_as_the_page_asks():
    from datetime import date as day

    from eet.figures.worklist import WorklistRow, narrowed

    rows = [WorklistRow("P-2", "housed", day(2021, 1, 1), 40, "U-1", None),
            WorklistRow("P-1", "matched", day(2021, 1, 1), 40, "U-2", "move_in"),
            WorklistRow("P-3", "referred", day(2021, 1, 1), 5, None, "assessment")]
    assert [r.code for r in narrowed(rows)] == ["P-1", "P-2", "P-3"]  # longest waiting, then code
    assert [r.code for r in narrowed(rows, order="step")] == ["P-3", "P-1", "P-2"]
    assert [r.code for r in narrowed(rows, ["matched", "referred"], min_days=10)] == ["P-1"]
    assert [r.code for r in narrowed(rows, due_only=True, order="code")] == ["P-1", "P-3"]
