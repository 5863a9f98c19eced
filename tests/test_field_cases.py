"""Coordinators' real files (issue 11): each file of ../shared/field-cases/ gives the outcome its
README names, and a case of our own for each kind that has no file there (merged cells, an
instruction sheet before the list, several lists, Dutch Excel booleans, several wrong organisations
in one row, .xls and .ods, a move between dwellings on one day)."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from eet.entry.imports import import_file
from eet.entry.tabular import read_table, visible_sheets
from eet.figures.report import build_report
from import_helpers import counts, run_cli, write_csv

# shared/ lies beside the checkout (/work/main), or beside the folder of worktrees (/work/wt/issue24)
CASES = next((folder / "shared" / "field-cases" for folder in Path(__file__).resolve().parents
              if (folder / "shared" / "field-cases").is_dir()), Path("shared") / "field-cases")
pytestmark = pytest.mark.skipif(not CASES.is_dir(), reason="../shared/field-cases is not beside the checkout")


def report(engine, on: str) -> dict:
    with Session(engine) as session:
        return build_report(session, date.fromisoformat(on))


def imported(engine, kind: str, name: str, **kw):
    result = import_file(engine, kind, CASES / name, **kw)
    assert result.ok, [str(e) for e in result.errors]
    return result


# --- the files of ../shared/field-cases ----------------------------------------------------------

def test_c06_the_visible_active_sheet_is_read_never_the_hidden_one(engine):
    result = imported(engine, "dwellings", "c06_hidden_sheet.xlsx")
    assert result.sheet == "maart" and result.counts["created"] == 3
    dwellings = report(engine, "2021-06-01")["dwellings"]
    assert (dwellings["counter"], dwellings["pipeline"]) == (3, 0)
    # Nothing in silence: the summary names the sheet, a warning names the hidden one not read.
    assert "(sheet 'maart')" in result.summary() and "1 warning" in result.summary()
    assert "hidden, never read: januari (oud)" in result.warnings[0].message


def test_c11_a_move_in_and_an_exit_on_one_day_in_one_file(engine):
    imported(engine, "dwellings", "base_dwellings.csv")
    imported(engine, "participants", "base_participants.csv")
    result = imported(engine, "events", "c11_same_day_exit.csv")
    assert result.counts["created"] == 4
    funnel = report(engine, "2021-02-02")["participants"]["funnel"]
    assert (funnel["housed"], funnel["housed_now"]) == (1, 0)
    # Idempotent: the same file again changes nothing.
    assert import_file(engine, "events", CASES / "c11_same_day_exit.csv").counts["unchanged"] == 4


def test_c11_split_over_two_files_gives_the_same_figures(engine, tmp_path):
    imported(engine, "dwellings", "base_dwellings.csv")
    imported(engine, "participants", "base_participants.csv")
    lines = (CASES / "c11_same_day_exit.csv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "a.csv").write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("\n".join([lines[0], lines[4]]) + "\n", encoding="utf-8")
    for name in ("a.csv", "b.csv"):
        assert import_file(engine, "events", tmp_path / name).ok
    funnel = report(engine, "2021-02-02")["participants"]["funnel"]
    assert (funnel["housed"], funnel["housed_now"]) == (1, 0)


def test_c25_a_styled_far_row_costs_nothing(engine):
    started = time.perf_counter()
    table = read_table(CASES / "c25_styled_far_row.xlsx", known={"kenmerk", "gemeente", "status"})
    assert time.perf_counter() - started < 1.0
    assert [row.number for row in table.rows] == [2, 3]
    result = imported(engine, "dwellings", "c25_styled_far_row.xlsx")
    assert result.counts["created"] == 2 and not result.warnings


def test_c08_odd_spaces_are_folded_and_said(engine):
    result = imported(engine, "dwellings", "c08_nbsp.csv")
    dwellings = report(engine, "2021-01-16")["dwellings"]
    assert (dwellings["counter"], dwellings["pipeline"]) == (4, 2)
    warned = {issue.column: issue.message for issue in result.warnings}
    assert "gemeente" in warned and "'Stichtse\u2423Vecht'" in warned["gemeente"]
    assert "corporatie" in warned and "Vecht en  Omstreken" in warned["corporatie"]


@pytest.mark.parametrize("name", ["c15_datetime_events.xlsx", "c15b_datetime_events.csv"])
def test_c15_a_date_with_a_time_of_day_gives_the_date(engine, name):
    imported(engine, "participants", "c15_participants.csv")
    result = imported(engine, "events", name)
    assert [r.summary for r in result.rows] == ["P-1501: assessed eligible on 2021-02-01",
                                                "P-1502: assessed eligible on 2021-02-02"]


def test_c04_a_formula_without_a_stored_value_is_named(engine):
    result = import_file(engine, "dwellings", CASES / "c04_formula.xlsx")
    lines = [str(e) for e in result.errors]
    assert lines == [
        "row 3, column kenmerk: cell A3 holds a formula without a stored value; open the file in Excel or "
        "LibreOffice and save it, so the value is stored",
        "row 3, column statusdatum: cell D3 holds a formula without a stored value; open the file in Excel or "
        "LibreOffice and save it, so the value is stored",
        "row 4, column gemeente: cell B4 holds a formula without a stored value; open the file in Excel or "
        "LibreOffice and save it, so the value is stored"]
    assert not any("required" in line for line in lines) and counts(engine)["Dwelling"] == 0


def test_c09_a_title_row_above_the_header(engine):
    result = imported(engine, "dwellings", "c09_title_row.xlsx")
    assert result.counts["created"] == 1 and result.rows[0].row == 4
    assert [(w.row, w.message) for w in result.warnings] == [
        (3, "the column names stand in row 3; the rows above it (a title) were skipped")]


def test_c17b_excels_sep_line_is_skipped(engine):
    result = imported(engine, "dwellings", "c17b_sep_line.csv")
    assert result.counts["created"] == 1 and not result.warnings


# --- kinds without a file there ------------------------------------------------------------------

D_HEAD = ["kenmerk", "gemeente", "status", "statusdatum"]


def workbook(path: Path, sheets: dict[str, list[list]], active: str | None = None, hidden=(), merge=()) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
        for cells in merge if name == (active or next(iter(sheets))) else ():
            sheet.merge_cells(cells)
    if active:
        book.active = list(sheets).index(active)
    book.save(path)
    return path


def test_merged_cells_are_filled_from_their_first_cell(engine, tmp_path):
    path = workbook(tmp_path / "m.xlsx", {"lijst": [D_HEAD, ["UTR-1", "Utrecht", "zoekend", date(2021, 3, 1)],
                                                    ["UTR-2", None, "zoekend", date(2021, 3, 1)]]},
                    merge=["B2:B3"])
    result = import_file(engine, "dwellings", path)
    assert result.ok and result.counts["created"] == 2
    assert [w.message for w in result.warnings] == [
        "the merged cells B2:B3 were filled with the value of their first cell"]
    assert report(engine, "2021-03-02")["dwellings"]["by_municipality"]["Utrecht"]["searching"] == 2


def test_an_instruction_sheet_before_the_list(engine, tmp_path):
    path = workbook(tmp_path / "i.xlsx", {
        "uitleg": [["Vul de lijst in op het blad 'lijst'."], ["Eén rij per woning."]],
        "lijst": [D_HEAD, ["UTR-1", "Utrecht", "beschikbaar", date(2021, 3, 1)]]}, active="uitleg")
    result = import_file(engine, "dwellings", path)
    assert result.ok and result.sheet == "lijst"
    assert result.warnings[0].message.startswith("sheet 'lijst' was read (the only sheet with these columns); "
                                                 "not read: uitleg")


def test_several_lists_are_refused_naming_them_and_one_can_be_picked(engine, tmp_path, monkeypatch, capsys):
    rows = [D_HEAD, ["UTR-1", "Utrecht", "beschikbaar", date(2021, 3, 1)]]
    path = workbook(tmp_path / "s.xlsx", {"uitleg": [["lees mij"]], "januari": rows, "maart": rows},
                    active="uitleg")
    result = import_file(engine, "dwellings", path)
    assert [str(e) for e in result.errors] == [
        "row 1, column -: s.xlsx holds a list on more than one sheet: januari, maart; nothing was read. Pick a sheet "
        "(on the page, or with --sheet januari) and import the sheets one by one, or put the list on one sheet"]
    assert visible_sheets(path.read_bytes(), "s.xlsx") == ["uitleg", "januari", "maart"]
    code, out, err = run_cli(monkeypatch, capsys, engine, "dwellings", str(path), "--sheet", "maart")
    assert code == 0 and out.startswith("s.xlsx (sheet 'maart'): created 1 dwellings")
    assert "warning: row 1, column -: sheet 'maart' was read (as picked)" in err
    # An error names the sheet it stands on.
    bad = workbook(tmp_path / "b.xlsx", {"uitleg": [["x"]], "lijst": [D_HEAD, ["UTR-2", "Nergens", "zoekend",
                                                                              date(2021, 3, 1)]]})
    assert str(import_file(engine, "dwellings", bad).errors[0]).endswith("(sheet 'lijst')")


def test_a_hidden_sheet_is_never_read_even_when_it_is_the_only_list(engine, tmp_path):
    path = workbook(tmp_path / "h.xlsx", {"oud": [D_HEAD, ["UTR-1", "Utrecht", "zoekend", date(2021, 1, 1)]],
                                          "leeg": [["nog in te vullen"]]}, active="leeg", hidden=("oud",))
    result = import_file(engine, "dwellings", path)
    assert not result.ok and counts(engine)["Dwelling"] == 0
    assert "missing" in str(result.errors[0]) and result.sheet == "leeg"


def test_data_starting_further_right_keeps_its_columns(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"], sheet["C4"], sheet["D4"] = "kenmerk", "gemeente", "UTR-1", "Utrecht"
    book.save(tmp_path / "r.xlsx")
    table = read_table(tmp_path / "r.xlsx", known={"kenmerk", "gemeente"})
    assert (table.header_row, table.columns) == (3, ["kenmerk", "gemeente"])
    assert [(row.number, row.values) for row in table.rows] == [(4, {"kenmerk": "UTR-1", "gemeente": "Utrecht"})]


def test_dutch_excel_booleans(engine, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["code", "toeleider", "centrale_wachtlijst", "aangemeld_op"],
                                          ["P-1", "Stadsteam Back Up", "WAAR", "15-1-2021"],
                                          ["P-2", "Stadsteam Back Up", "ONWAAR", "15-1-2021"]], delimiter=";")
    assert import_file(engine, "participants", path).ok
    from sqlmodel import select

    from eet.store.models import Participant
    with Session(engine) as session:
        assert {p.code: p.central_waiting_list for p in session.exec(select(Participant))} == {"P-1": True, "P-2": False}


def test_several_wrong_organisations_in_one_row_give_one_line_each(engine, tmp_path):
    path = write_csv(tmp_path / "p.csv", [["code", "referrer", "care_provider", "municipality", "referred_on"],
                                          ["P-1", "Nergens", "Niemand", "Atlantis", "2021-01-15"]])
    lines = [str(e) for e in import_file(engine, "participants", path).errors]
    assert [line.split(":")[0] for line in lines] == ["row 2, column referrer", "row 2, column care_provider",
                                                      "row 2, column municipality"]
    # With a bad date beside them, all four are said at once.
    path = write_csv(tmp_path / "q.csv", [["code", "referrer", "care_provider", "municipality", "referred_on"],
                                          ["P-1", "Nergens", "Niemand", "Atlantis", "gisteren"]])
    assert len(import_file(engine, "participants", path).errors) == 4


def test_a_move_between_two_dwellings_and_a_handover_on_one_day(engine, tmp_path):
    imported(engine, "dwellings", "base_dwellings.csv")
    imported(engine, "participants", "base_participants.csv")
    rows = [["code", "gebeurtenis", "datum", "uitkomst", "woning"],
            # P-0001 moves from UTR-1001 to UTR-1002 on 1 March; P-0002 moves into UTR-1001 that day.
            ["P-0001", "uitgestroomd", "01-03-2021", "positief", ""],
            ["P-0001", "gehuisvest", "01-03-2021", "", "UTR-1002"],
            ["P-0002", "gehuisvest", "01-03-2021", "", "UTR-1001"],
            ["P-0001", "gematcht", "01-03-2021", "", "UTR-1002"],
            ["P-0002", "gematcht", "20-02-2021", "", "UTR-1001"],
            ["P-0001", "beoordeeld", "20-01-2021", "geschikt", ""],
            ["P-0001", "gematcht", "25-01-2021", "", "UTR-1001"],
            ["P-0001", "gehuisvest", "01-02-2021", "", "UTR-1001"],
            ["P-0002", "beoordeeld", "20-01-2021", "geschikt", ""]]
    result = import_file(engine, "events", write_csv(tmp_path / "e.csv", rows, delimiter=";"))
    assert result.ok, [str(e) for e in result.errors]
    funnel = report(engine, "2021-03-02")["participants"]["funnel"]
    assert (funnel["housed"], funnel["housed_now"]) == (2, 2)


def test_a_repeated_step_with_another_note_is_said(engine, tmp_path):
    imported(engine, "dwellings", "base_dwellings.csv")
    imported(engine, "participants", "base_participants.csv")
    head = ["code", "event", "date", "outcome", "note"]
    assert import_file(engine, "events", write_csv(tmp_path / "a.csv", [head, ["P-0001", "assessed", "2021-01-20",
                                                                             "eligible", "eerste gesprek"]])).ok
    result = import_file(engine, "events", write_csv(tmp_path / "b.csv", [head, ["P-0001", "assessed", "2021-01-20",
                                                                              "eligible", "tweede gesprek"]]))
    assert result.ok and result.counts["unchanged"] == 1
    assert [str(w) for w in result.warnings] == [
        "row 2, column note: this step is recorded already with another note ('eerste gesprek'); the step was not "
        "saved again and the note in the file was not taken over"]


def ods(path: Path, sheets: dict[str, list[list]], active: str) -> Path:
    """A minimal OpenDocument spreadsheet, as LibreOffice reads it."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"')
    tables = ""
    for name, rows in sheets.items():
        body = ""
        for row in rows:
            cells = ""
            for value in row:
                if isinstance(value, (int, float)):  # a number cell, as LibreOffice stores 345
                    cells += (f'<table:table-cell office:value-type="float" office:value="{value}">'
                              f"<text:p>{value}</text:p></table:table-cell>")
                elif isinstance(value, date):
                    cells += (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                              f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
                else:
                    cells += f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
            body += f"<table:table-row>{cells}</table:table-row>"
        tables += f'<table:table table:name="{name}">{body}</table:table>'
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    settings = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-settings {ns} office:version="1.2">'
                f'<office:settings><config:config-item config:name="ActiveTable" config:type="string">{active}'
                f"</config:config-item></office:settings></office:document-settings>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("settings.xml", settings, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_libreoffice_ods_is_read_on_the_sheet_with_its_list(engine, tmp_path):
    rows = [D_HEAD, ["UTR-1", "Utrecht", "beschikbaar", date(2021, 3, 1)]]
    path = ods(tmp_path / "l.ods", {"uitleg": [["lees mij"]], "maart": rows + [["UTR-2", "Zeist", "zoekend",
                                                                                date(2021, 3, 1)]]}, active="uitleg")
    result = import_file(engine, "dwellings", path)
    assert result.ok and result.sheet == "maart" and result.counts["created"] == 2


def test_old_excel_xls_is_read_and_its_hidden_sheet_skipped(engine, tmp_path):
    import xlwt

    book = xlwt.Workbook()
    old = book.add_sheet("oud")
    new = book.add_sheet("nieuw")
    for sheet, rows in ((old, [D_HEAD, ["UTR-9", "Utrecht", "zoekend", "1-1-2021"]]),
                        (new, [D_HEAD, ["UTR-1", "Utrecht", "beschikbaar", datetime(2021, 3, 1, 9, 30)]])):
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                style = xlwt.easyxf(num_format_str="DD-MM-YYYY HH:MM") if isinstance(value, datetime) else None
                sheet.write(r, c, value, style) if style else sheet.write(r, c, value)
    old.visibility = 1
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_file(engine, "dwellings", buffer.getvalue(), "oud.xls")
    assert result.ok and result.sheet == "nieuw"
    assert [r.summary for r in result.rows] == ["UTR-1: available from 2021-03-01"]


def test_no_message_ends_in_an_empty_list_of_choices(session):
    from eet.entry.schemas import RuleError
    from eet.entry.state import find_organisation

    for name in ("Nergens", "Utrecht"):  # unknown, and known but of a kind nobody is
        with pytest.raises(RuleError) as refused:
            find_organisation(session, name, "referrer", "no_such_kind")
        text = refused.value.errors[0].message
        assert not text.rstrip().endswith(":") and "registered yet" in text, text
    # Odd spaces in a form's name are folded as an import's are.
    assert find_organisation(session, "Stichtse\u00a0 Vecht", "municipality", "municipality").name == "Stichtse Vecht"


def test_a_merged_title_and_a_blank_first_row_are_no_warnings(engine, tmp_path):
    path = workbook(tmp_path / "t.xlsx", {"lijst": [["Woningen maart"], [], D_HEAD,
                                                    ["UTR-1", "Utrecht", "zoekend", date(2021, 3, 1)]]},
                    merge=["A1:D1"])
    result = import_file(engine, "dwellings", path)
    assert result.ok and [w.message for w in result.warnings] == [
        "the column names stand in row 3; the rows above it (a title) were skipped"]
    path = workbook(tmp_path / "b.xlsx", {"lijst": [[], D_HEAD, ["UTR-2", "Utrecht", "zoekend", date(2021, 3, 1)]]})
    result = import_file(engine, "dwellings", path)
    assert result.ok and result.rows[0].row == 3 and not result.warnings


# --- second round (issue 24): every file, through the import, the command line and the page -------

BASE = (("dwellings", "base_dwellings.csv"), ("participants", "base_participants.csv"))
# file, kind, the files imported before it, and what a careful user expects: ("ok", created, changed,
# warnings that must be said, as the lines start) or ("refused", row, column, the message's start).
ZEROS = "Excel drops leading zeros; format the column as Text in Excel to keep them"
SECOND_ROUND = [
    ("c31a_bedrag_punt_duizend.csv", "costs", (), ("ok", 3, 0, [])),
    ("c31c_bedrag_punt_decimaal.csv", "costs", (), ("ok", 3, 0, [])),
    ("c48b_vhe_maart.xlsx", "dwellings", (("dwellings", "c48a_vhe_januari.csv"),),
     ("ok", 0, 2, [("2", "kenmerk", f"'345' (cell A2) was read as the known dwelling '000345': {ZEROS}"),
                   ("3", "kenmerk", f"'346' (cell A3) was read as the known dwelling '000346': {ZEROS}")])),
    ("c41_dubbele_bom.csv", "dwellings", (), ("ok", 3, 0, [])),
    ("c42_maanden.xlsx", "events", BASE,
     ("refused", "1", "-", "c42_maanden.xlsx holds a list on more than one sheet: jan, feb, mrt; nothing was "
                           "read. Pick a sheet (on the page, or with --sheet jan) and import the sheets one by one")),
    ("c43_aanhalingsteken.csv", "events", BASE,
     ("refused", "7", "toelichting", "c43_aanhalingsteken.csv cannot be read as CSV here (';' expected after '\"'): a "
                                     "quote (\") in this cell is not closed, or more text follows the closing quote")),
    ("c33_tabs.csv", "dwellings", (), ("ok", 3, 0, [])),
    ("c36_wachtwoord.xlsx", "dwellings", (),
     ("refused", "1", "-", "c36_wachtwoord.xlsx is protected with a password (or encrypted by a sensitivity label); "
                           "open it in Excel, remove the password")),
]


@pytest.mark.parametrize("name, kind, before, expected", SECOND_ROUND, ids=[c[0] for c in SECOND_ROUND])
def test_second_round_files_give_their_outcome_on_the_command_line(engine, monkeypatch, capsys, name, kind, before,
                                                                   expected):
    for earlier_kind, earlier in before:
        imported(engine, earlier_kind, earlier)
    written = counts(engine)
    code, out, err = run_cli(monkeypatch, capsys, engine, kind, str(CASES / name))
    if expected[0] == "ok":
        _, created, changed, warnings = expected
        assert code == 0 and out.startswith(f"{name}: created {created} {kind}, changed {changed}, "), (out, err)
        said = [line for line in err.splitlines() if line.startswith("warning:")]
        assert len(said) == len(warnings) and all(
            line.startswith(f"warning: row {row}, column {column}: {text}")
            for line, (row, column, text) in zip(said, warnings)), err
    else:
        _, row, column, text = expected
        assert code == 1 and err.splitlines()[0].startswith(f"row {row}, column {column}: {text}"), err
        assert counts(engine) == written  # nothing half-read, nothing written


def test_c31a_a_thousands_point_gives_the_amounts_of_the_control_file(engine):
    from sqlmodel import select

    from eet.store.models import CostParameter

    imported(engine, "costs", "c31a_bedrag_punt_duizend.csv")
    with Session(engine) as session:
        amounts = {c.label: c.amount_eur for c in session.exec(select(CostParameter))}
    assert amounts == {"Begeleiding HF-team": 12500, "Huurcomponent": 9000, "Plek nachtopvang": 35000}
    # The control file, written without a thousands separator, is the same list: nothing changes.
    assert imported(engine, "costs", "c31c_bedrag_punt_decimaal.csv").counts == {
        "created": 0, "changed": 0, "unchanged": 3}


def test_c48_refs_excel_made_numbers_update_the_same_two_dwellings(engine):
    imported(engine, "dwellings", "c48a_vhe_januari.csv")
    result = imported(engine, "dwellings", "c48b_vhe_maart.xlsx")
    assert [row.key for row in result.rows] == ["000345", "000346"]
    assert counts(engine)["Dwelling"] == 2  # never two phantom dwellings 345 and 346
    dwellings = report(engine, "2021-06-01")["dwellings"]
    assert (dwellings["counter"], dwellings["pipeline"]) == (2, 0)


def test_c42_a_sheet_per_month_is_refused_whole_and_each_sheet_can_be_imported(engine, monkeypatch, capsys):
    for kind, name in BASE:
        imported(engine, kind, name)
    result = import_file(engine, "events", CASES / "c42_maanden.xlsx")
    assert not result.ok and not result.rows and counts(engine)["ParticipantEvent"] == 0
    for month in ("jan", "feb", "mrt"):  # as the message says: one by one with --sheet
        code, out, err = run_cli(monkeypatch, capsys, engine, "events", str(CASES / "c42_maanden.xlsx"),
                                 "--sheet", month)
        assert code == 0 and out.startswith(f"c42_maanden.xlsx (sheet '{month}'): created 2 events"), err
    funnel = report(engine, "2021-06-01")["participants"]["funnel"]
    assert (funnel["assessed"], funnel["matched"]) == (4, 2)


def test_c41_two_byte_order_marks_before_the_header(engine):
    result = imported(engine, "dwellings", "c41_dubbele_bom.csv")
    assert result.counts["created"] == 3 and [r.key for r in result.rows] == ["UTR-4101", "UTR-4102", "UTR-4103"]


def test_c33_a_tab_separated_csv_is_read(engine):
    result = imported(engine, "dwellings", "c33_tabs.csv")
    assert result.counts["created"] == 3 and not result.warnings and not result.ignored_columns


@pytest.mark.parametrize("name, kind, before, expected", SECOND_ROUND, ids=[c[0] for c in SECOND_ROUND])
def test_second_round_files_give_their_outcome_on_the_upload_page(engine, monkeypatch, name, kind, before, expected):
    from eet.accounts.access import Actor
    from test_forms import page

    monkeypatch.setenv("EET_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    for earlier_kind, earlier in before:
        imported(engine, earlier_kind, earlier)
    written = counts(engine)
    at = page("pages/upload.py", Actor("test-admin", "admin"), lang="en")
    at.radio(key="up_kind").set_value(kind).run()
    at.file_uploader(key=f"up_file_{kind}").set_value((name, (CASES / name).read_bytes(),
                                                       "application/octet-stream")).run()
    at.button(key="up_check").click().run()
    assert not at.exception, at.exception
    if expected[0] == "refused":
        _, row, column, text = expected
        shown = [tuple(r) for r in at.dataframe[-1].value.itertuples(index=False)]
        dash = lambda place: "\u2013" if place in ("-", "1") and column == "-" else place  # noqa: E731
        assert shown[0][:2] == (dash(row), dash(column)) and shown[0][2].startswith(text), shown
        assert not [b for b in at.button if b.key == "up_confirm"] and counts(engine) == written
        return
    _, created, changed, warnings = expected
    assert at.success[0].value.startswith(f"Check passed: {created} new, {changed} changed"), at.success[0].value
    if warnings:
        shown = [tuple(r) for r in at.dataframe[0].value.itertuples(index=False)]
        assert len(shown) == len(warnings) and all(s[:2] == w[:2] and s[2].startswith(w[2])
                                                   for s, w in zip(shown, warnings)), shown
    at.button(key="up_confirm").click().run()
    assert not at.exception and f"{created} new, {changed} changed" in at.success[-1].value
