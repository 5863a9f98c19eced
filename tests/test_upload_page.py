"""The upload page through AppTest: templates with the spec's columns, a check that writes nothing and
lists every error by row and column, and a confirmation that writes the whole file."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from eet.store.models import Dwelling
from test_forms import actor, count, db, page, snapshot  # noqa: F401  (fixture)

GOOD = ("kenmerk;gemeente;status;statusdatum;locatie\r\n"
        "UTR-0101;Utrecht;zoekend;01-03-2021;=HYPERLINK(\"x\")\r\n"
        "UTR-0001;Utrecht;bewoond;05-03-2021;\r\n").encode("utf-8")
BAD = ("kenmerk;gemeente;status;statusdatum\r\n"
       "UTR-0102;Utrecht;zoekend;01-03-2021\r\n"
       "UTR-0103;Nergens;zoekend;01-03-2021\r\n"
       "UTR-0104;Utrecht;gesloopt;2021-13-01\r\n").encode("utf-8")


def test_templates_have_the_spec_columns(db):
    at = page("pages/upload.py", actor(db, "coordinator"))
    assert any("kenmerk, gemeente, corporatie" in c.value for c in at.caption)
    at.radio(key="up_kind").set_value("events").run()
    assert any("code, gebeurtenis, datum, uitkomst, woning, toelichting" in c.value for c in at.caption)
    from eet.entry.upload_templates import template_csv, template_xlsx
    assert template_csv("participants", "en").decode("utf-8-sig").strip() == \
        "code;referrer;care_provider;municipality;central_waiting_list;referred_on;age_band"
    sheet = load_workbook(io.BytesIO(template_xlsx("dwellings", "en"))).active
    assert [c.value for c in sheet[1]] == ["ref", "municipality", "corporation", "care_provider", "site",
                                           "building_type", "route", "status", "status_date", "expected_date"]


def test_bad_file_lists_every_error_and_writes_nothing(db):
    at = page("pages/upload.py", actor(db, "coordinator"))
    before = snapshot(db)
    at.file_uploader(key="up_file_dwellings").set_value(("lijst.csv", BAD, "text/csv")).run()
    at.button(key="up_check").click().run()
    assert not at.exception
    errors = at.dataframe[0].value
    rows = [tuple(r) for r in errors.itertuples(index=False)]
    assert [(r[0], r[1]) for r in rows] == [("3", "gemeente"), ("4", "status"), ("4", "statusdatum")]
    assert "Nergens" in rows[0][2]
    assert not [b for b in at.button if b.key == "up_confirm"]  # nothing to confirm
    assert snapshot(db) == before


def test_good_file_preview_then_confirm(db):
    at = page("pages/upload.py", actor(db, "coordinator"))
    before = snapshot(db)
    at.file_uploader(key="up_file_dwellings").set_value(("lijst.csv", GOOD, "text/csv")).run()
    at.button(key="up_check").click().run()
    preview = at.dataframe[0].value
    assert list(preview.iloc[:, 2]) == ["nieuw", "gewijzigd"]  # in the language of the page
    assert "1 nieuw, 1 gewijzigd" in at.success[0].value
    assert snapshot(db) == before  # the check wrote nothing
    at.button(key="up_confirm").click().run()
    assert not at.exception
    assert "Opgeslagen: 1 nieuw, 1 gewijzigd" in at.success[-1].value
    assert count(db, Dwelling) == before[0] + 1
    # another organisation's rows are refused by the data layer, not only hidden
    at = page("pages/upload.py", actor(db, "coordinator", "Zeist"))
    at.file_uploader(key="up_file_dwellings").set_value(("lijst.csv", GOOD, "text/csv")).run()
    at.button(key="up_check").click().run()
    # ... without saying anything about them (issue 18): the ref "cannot be used"
    refusals = " ".join(at.dataframe[0].value.iloc[:, 2])
    assert "kan niet worden gebruikt" in refusals and "bestaat" not in refusals


def test_the_error_table_speaks_the_language_of_the_page(db):
    """The import keeps each refusal (a FieldError of the row), so the table shows it in the page's
    language; the command line prints the same refusals in English."""
    expected = {
        "nl": ["'Nergens' is geen bekende gemeente; bekend zijn: Houten, Nieuwegein",
               # the labels the page shows for the statuses, not the codes (issue 14)
               "'gesloopt' is geen bekende status; gebruik een van: Zoekend (pijplijn), Locatie gevonden, "
               "Beschikbaar, Bewoond, Vervallen",
               "'2021-13-01' is geen bestaande datum; gebruik DD-MM-JJJJ of JJJJ-MM-DD"],
        "en": ["'Nergens' is not a known municipality; known: Houten, Nieuwegein",
               "'gesloopt' is not a known status; use one of: Searching (pipeline), Location found, Available, "
               "Occupied, Withdrawn",
               "'2021-13-01' is not an existing date; use YYYY-MM-DD or DD-MM-YYYY"],
    }
    for lang, messages in expected.items():
        at = page("pages/upload.py", actor(db, "coordinator"), lang=lang)
        at.file_uploader(key="up_file_dwellings").set_value(("lijst.csv", BAD, "text/csv")).run()
        at.button(key="up_check").click().run()
        assert not at.exception
        table = at.dataframe[0].value
        assert list(table.columns) == (["Rij", "Kolom", "Melding"] if lang == "nl" else ["Row", "Column", "Message"])
        shown = list(table.iloc[:, 2])
        assert len(shown) == 3
        for text, message in zip(shown, messages):
            assert text.startswith(message), (text, message)

    from eet.entry.imports import format_errors, import_file
    result = import_file(db, "dwellings", BAD, "lijst.csv", dry_run=True)
    assert format_errors(result)[1].startswith("row 4, column status: 'gesloopt' is not a known status; use one of:")
    assert result.errors[1].text("nl").startswith("'gesloopt' is geen bekende status")


def _two_lists() -> bytes:
    from datetime import date

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "uitleg"
    book.active.append(["lees mij"])
    for name, ref in (("januari", "UTR-0201"), ("maart", "UTR-0202")):
        sheet = book.create_sheet(name)
        sheet.append(["kenmerk", "gemeente", "status", "statusdatum"])
        sheet.append([ref, "Utrecht", "zoekend", date(2021, 3, 1)])
    hidden = book.create_sheet("oud")
    hidden.append(["kenmerk", "gemeente", "status", "statusdatum"])
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_several_lists_lets_the_user_pick_the_sheet(db):
    at = page("pages/upload.py", actor(db, "coordinator"))
    before = snapshot(db)
    at.file_uploader(key="up_file_dwellings").set_value(("lijst.xlsx", _two_lists(), "application/zip")).run()
    picker = at.selectbox(key="up_sheet_dwellings")
    assert picker.options == ["(automatisch kiezen)", "uitleg", "januari", "maart"]  # never the hidden one
    at.button(key="up_check").click().run()
    assert not at.exception
    shown = " ".join(at.dataframe[0].value.iloc[:, 2])
    assert "januari, maart" in shown and "Kies een blad" in shown and "er is niets gelezen" in shown
    at.selectbox(key="up_sheet_dwellings").set_value("maart").run()
    at.button(key="up_check").click().run()
    assert "1 nieuw" in at.success[0].value
    assert "1 waarschuwing" in at.warning[0].value  # the sheet chosen is said, not hidden
    assert any("Gelezen werkblad: maart" in c.value for c in at.caption)
    at.button(key="up_confirm").click().run()
    assert not at.exception and count(db, Dwelling) == before[0] + 1


def test_the_page_refuses_a_list_over_the_row_limit_with_a_message(db):
    from eet.entry.tabular import MAX_ROWS

    at = page("pages/upload.py", actor(db, "coordinator"))
    data = b"kenmerk;gemeente;status;statusdatum\r\n" + b"=;N;k;1\r\n" * (MAX_ROWS + 20)
    at.file_uploader(key="up_file_dwellings").set_value(("groot.csv", data, "text/csv")).run()
    at.button(key="up_check").click().run()
    assert not at.exception
    assert f"meer dan {MAX_ROWS} rijen" in at.dataframe[0].value.iloc[0, 2]


def test_the_hidden_sheet_case_is_said_on_the_page(db):
    from pathlib import Path

    import pytest

    case = Path(__file__).resolve().parents[2] / "shared" / "field-cases" / "c06_hidden_sheet.xlsx"
    if not case.exists():
        pytest.skip("../shared/field-cases is not beside the checkout")
    at = page("pages/upload.py", actor(db, "admin"))
    at.file_uploader(key="up_file_dwellings").set_value(("c06.xlsx", case.read_bytes(), "application/zip")).run()
    at.button(key="up_check").click().run()
    assert "3 nieuw" in at.success[0].value and "1 waarschuwing" in at.warning[0].value
    assert "verborgen, nooit gelezen: januari (oud)" in at.dataframe[0].value.iloc[0, 2]


def test_an_error_of_the_whole_file_has_no_row_or_column_not_none(db):
    """A damaged workbook is refused as a whole: its row and column cells read "–", never Python's None."""
    at = page("pages/upload.py", actor(db, "coordinator"))
    at.file_uploader(key="up_file_dwellings").set_value(("lijst.xlsx", b"not a workbook", "application/octet-stream")).run()
    at.button(key="up_check").click().run()
    assert not at.exception
    rows = [tuple(r) for r in at.dataframe[0].value.itertuples(index=False)]
    assert rows and all(r[0] == "–" and r[1] == "–" for r in rows), rows
    assert "None" not in str(rows)
