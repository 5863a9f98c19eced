"""The kinds of issue 24, over their variants (not one file each): amounts as people write them in
Dutch and English, refs and codes that Excel turned into numbers (1 to 6 leading zeros, in csv,
xlsx and ods), invisible characters in any column name, a list on several sheets (xlsx and ods),
and the messages that point at the cell: a stray quote, tabs, UTF-16, a password, Excel's lock file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlmodel import Session, select

from eet.entry.amounts import parse_amount
from eet.entry.imports import import_file
from eet.entry.tabular import read_table
from eet.store.models import CostParameter, Dwelling, Participant
from eet.texts.messages import Refusal
from import_helpers import counts, write_csv, write_xlsx
from test_field_cases import ods, workbook

# --- 1. amounts --------------------------------------------------------------------------------

# (as written, the column's language, euro); None: refused.
SPELLINGS = [
    ("12.500", "nl", 12500), ("12.500,00", "nl", 12500), ("€ 9.000,-", "nl", 9000), ("35000,50", "nl", 35000.5),
    ("1,5 mln", "nl", 1_500_000), ("12500.00", "nl", 12500), ("12 500", "nl", 12500), ("12\u00a0500,50", "nl", 12500.5),
    ("€ 1.234.567,89", "nl", 1234567.89), ("12,50 €", "nl", 12.5), ("EUR 9.000", "nl", 9000), ("12,500", "en", 12500),
    ("12500.00", "en", 12500), ("12,500.00", "en", 12500), ("1,234,567.89", "en", 1234567.89),
    ("€12,500.50", "en", 12500.5), ("1.5 million", "en", 1_500_000), ("35000,50", "en", 35000.5),
    ("12.500,00", "en", 12500), ("€ 9.000,-", "en", 9000), ("12.5", "en", 12.5), ("0,5", "en", 0.5),
    # two readings, and the separator is no thousands separator of the column's language
    ("12.500", "en", None), ("9.000", "en", None), ("12,500", "nl", None), ("1,000", "nl", None),
    ("1E5", "nl", None), ("NaN", "en", None), ("twaalf", "nl", None), ("12.5.0", "nl", None), ("1,2,3", "en", None),
]


@pytest.mark.parametrize("written, language, euro", SPELLINGS, ids=[f"{s[1]}:{s[0]}" for s in SPELLINGS])
def test_an_amount_is_read_as_a_reader_of_its_language_reads_it_or_refused_showing_it(written, language, euro):
    if euro is not None:
        assert parse_amount(written, language) == pytest.approx(euro)
        return
    with pytest.raises(Refusal) as refused:
        parse_amount(written, language)
    assert f"'{' '.join(written.split())}'" in refused.value.message  # the value is shown
    assert refused.value.key in ("amount_two_ways", "not_an_amount")
    if refused.value.key == "amount_two_ways":  # and how to write it, both ways, in both languages
        assert "without a thousands separator" in refused.value.message
        assert "zonder scheidingsteken voor duizendtallen" in refused.value.text("nl")


cents = st.integers(min_value=1, max_value=10**11).map(lambda c: Decimal(c) / 100)


@settings(max_examples=300, deadline=None)
@given(amount=cents, language=st.sampled_from(["nl", "en"]), grouped=st.booleans(), whole=st.booleans())
def test_an_amount_written_by_a_reader_of_the_columns_language_is_never_read_wrong(amount, language, grouped, whole):
    """Babel writes the amount as a Dutch or English hand does (with or without thousands
    separators, with or without cents); read under a column name of that language it gives the
    amount, or is refused naming the amount as one of its two readings: never another value in
    silence."""
    amount = amount.to_integral_value() if whole else amount
    written = format_decimal(amount, format="#,##0.##" if grouped else "0.##", locale=language)
    try:
        read = parse_amount(written, language)
    except Refusal as refused:
        assert refused.key == "amount_two_ways", (written, refused)
        assert refused.params["big"].value == amount or refused.params["small"].value == amount
        return
    assert Decimal(str(read)).quantize(Decimal("0.01")) == amount.quantize(Decimal("0.01")), written


COST_HEAD = {"nl": ["model", "categorie", "omschrijving", "bedrag", "eenheid", "bron", "geldig_vanaf"],
             "en": ["model", "category", "label", "amount_eur", "unit", "source", "valid_from"]}


def cost_rows(language: str, amounts: list, label: str = "post") -> list[list]:
    return [COST_HEAD[language]] + [["housing_first", "support", f"{label} {i}", amount, "per_participant_year",
                                     "begroting", "2021-01-01"] for i, amount in enumerate(amounts)]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_amounts_of_a_csv_and_of_number_cells_are_imported_as_read(engine, tmp_path, language):
    written = ["12.500,00", "12500.00", "€ 9.000,-", "35000,50"]
    result = import_file(engine, "costs", write_csv(tmp_path / "k.csv", cost_rows(language, written), ";"))
    assert result.ok, [str(e) for e in result.errors]
    # A number cell is its number: 12.525 in a Dutch column is not twelve thousand five hundred.
    path = write_xlsx(tmp_path / "k.xlsx", cost_rows(language, [12.525, 9000], "cel"))
    result = import_file(engine, "costs", path)
    assert result.ok, [str(e) for e in result.errors]
    with Session(engine) as session:
        amounts = sorted(c.amount_eur for c in session.exec(select(CostParameter)))
    assert amounts == [12.525, 9000, 9000, 12500, 12500, 35000.5]


def test_an_amount_that_reads_two_ways_is_refused_at_its_row_and_column(engine, tmp_path):
    path = write_csv(tmp_path / "k.csv", cost_rows("en", ["12500", "12.500", "twaalf"]))
    result = import_file(engine, "costs", path)
    assert [str(e) for e in result.errors] == [
        "row 3, column amount_eur: '12.500' can be read two ways: as 12500 or as 12.5; write the amount without a "
        "thousands separator (12500 or 12.5)",
        "row 4, column amount_eur: 'twaalf' is not an amount; write an amount in euro in digits, for instance 12500 "
        "or 12500.50"]
    assert result.errors[0].text("nl") == ("'12.500' is op twee manieren te lezen: als 12500 of als 12,5; schrijf het "
                                           "bedrag zonder scheidingsteken voor duizendtallen (12500 of 12,5)")
    assert counts(engine) == counts(engine) and not result.written


# --- 2. refs and codes that Excel turned into numbers ---------------------------------------------

D_HEAD = ["kenmerk", "gemeente", "status", "statusdatum"]


def dwelling_list(tmp_path: Path, form: str, refs: list, status: str = "beschikbaar") -> Path:
    rows = [D_HEAD] + [[ref, "Utrecht", status, "01-03-2021" if form == "csv" else date(2021, 3, 1)]
                       for ref in refs]
    if form == "csv":
        return write_csv(tmp_path / "l.csv", rows, ";")
    if form == "xlsx":
        return write_xlsx(tmp_path / "l.xlsx", rows)
    return ods(tmp_path / "l.ods", {"lijst": rows}, active="lijst")


@pytest.mark.parametrize("zeros", range(1, 7))
@pytest.mark.parametrize("form", ["csv", "xlsx", "ods"])
def test_a_ref_that_lost_its_leading_zeros_updates_the_known_dwelling_with_a_warning(engine, tmp_path, zeros, form):
    known = "0" * zeros + "345"
    assert import_file(engine, "dwellings", write_csv(tmp_path / "a.csv", [D_HEAD, [known, "Utrecht", "zoekend",
                                                                                   "15-01-2021"]], ";")).ok
    result = import_file(engine, "dwellings", dwelling_list(tmp_path, form, ["345" if form == "csv" else 345]))
    assert result.ok and result.counts == {"created": 0, "changed": 1, "unchanged": 0}
    assert [(w.row, w.column, w.message) for w in result.warnings if "A2" in w.message] == [
        (2, "kenmerk", f"'345' (cell A2) was read as the known dwelling '{known}': Excel drops leading zeros; "
                       "format the column as Text in Excel to keep them")]
    with Session(engine) as session:
        assert [d.ref for d in session.exec(select(Dwelling))] == [known]


@pytest.mark.parametrize("form", ["csv", "xlsx", "ods"])
def test_a_ref_that_could_be_two_known_ones_is_refused_naming_both(engine, tmp_path, form):
    assert import_file(engine, "dwellings", dwelling_list(tmp_path, "csv", ["0345", "000345"], "zoekend")).ok
    result = import_file(engine, "dwellings", dwelling_list(tmp_path, form, ["345" if form == "csv" else 345]))
    assert [str(e) for e in result.errors] == [
        "row 2, column kenmerk: '345' (cell A2) differs only by leading zeros from the known dwelling: 000345, 0345; "
        "write it in full (format the column as Text in Excel)"]
    assert counts(engine)["Dwelling"] == 2


@pytest.mark.parametrize("form", ["xlsx", "ods"])
def test_a_new_ref_from_a_number_cell_is_never_created_in_silence(engine, tmp_path, form):
    result = import_file(engine, "dwellings", dwelling_list(tmp_path, form, [345]))
    assert result.ok and result.counts["created"] == 1
    assert [str(w) for w in result.warnings if "A2" in w.message] == [
        "row 2, column kenmerk: cell A2 holds a number (345), not text; read as the new dwelling '345'. If it had "
        "leading zeros, format the column as Text and write them"]


@pytest.mark.parametrize("zeros", [1, 3, 6])
@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_participants_codes_in_every_list_are_matched_by_leading_zeros(engine, tmp_path, zeros, form):
    code = "0" * zeros + "12"  # nine digits would be refused as a BSN
    head = ["code", "toeleider", "aangemeld_op"]
    assert import_file(engine, "participants", write_csv(tmp_path / "p.csv", [head, [code, "Lister", "15-01-2021"]],
                                                         ";")).ok
    write = (lambda rows: write_csv(tmp_path / "x.csv", rows, ";")) if form == "csv" else \
        (lambda rows: write_xlsx(tmp_path / "x.xlsx", rows))
    number = "12" if form == "csv" else 12
    again = import_file(engine, "participants", write([head, [number, "Lister", "15-01-2021"]]))
    assert again.ok and again.counts["unchanged"] == 1 and len(again.warnings) == 1
    events = import_file(engine, "events", write([["code", "gebeurtenis", "datum", "uitkomst"],
                                                  [number, "beoordeeld", "20-01-2021", "geschikt"]]))
    assert events.ok and events.counts["created"] == 1, [str(e) for e in events.errors]
    assert f"read as the known participant '{code}'" in events.warnings[0].message
    measured = import_file(engine, "measurements", write([["code", "datum", "financien"],
                                                          [number, "01-02-2021", "3"]]))
    assert f"read as the known participant '{code}'" in measured.warnings[0].message, measured.warnings
    with Session(engine) as session:
        assert [p.code for p in session.exec(select(Participant))] == [code]


def test_an_events_dwelling_ref_is_matched_too(engine, tmp_path):
    assert import_file(engine, "dwellings", dwelling_list(tmp_path, "csv", ["000777"])).ok
    assert import_file(engine, "participants", write_csv(tmp_path / "p.csv", [
        ["code", "toeleider", "aangemeld_op"], ["P-1", "Lister", "15-01-2021"]], ";")).ok
    result = import_file(engine, "events", write_xlsx(tmp_path / "e.xlsx", [
        ["code", "gebeurtenis", "datum", "uitkomst", "woning"], ["P-1", "beoordeeld", "05-03-2021", "geschikt", None],
        ["P-1", "gematcht", "10-03-2021", None, 777]]))
    assert result.ok, [str(e) for e in result.errors]
    assert [(w.row, w.column) for w in result.warnings] == [(3, "woning")]
    assert result.rows[-1].summary == "P-1: matched (000777) on 2021-03-10"


def test_a_ref_of_another_organisation_is_never_named(engine, tmp_path, actors):
    assert import_file(engine, "dwellings", write_csv(tmp_path / "z.csv", [
        D_HEAD, ["000345", "Zeist", "zoekend", "15-01-2021"]], ";")).ok
    result = import_file(engine, "dwellings", dwelling_list(tmp_path, "xlsx", [345]), actor=actors["coordinator"],
                         dry_run=True)
    assert "000345" not in " ".join(str(issue) for issue in result.warnings + result.errors)


# --- 3. invisible characters in column names ------------------------------------------------------

INVISIBLE = ["\ufeff", "\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u00a0"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(0, 3), char=st.sampled_from(INVISIBLE), where=st.sampled_from(["start", "end", "inside"]),
       form=st.sampled_from(["csv", "xlsx"]), bom=st.booleans())
def test_an_invisible_character_in_any_column_name_is_folded_and_said(tmp_path_factory, position, char, where, form,
                                                                      bom):
    tmp_path = tmp_path_factory.mktemp("h")
    name = D_HEAD[position]
    spelt = {"start": char + name, "end": name + char, "inside": name[:2] + char + name[2:]}[where]
    if char == "\u00a0" and where == "inside":
        spelt = name  # a space inside a name is another name ("ke nmerk")
    head = D_HEAD[:position] + [spelt] + D_HEAD[position + 1:]
    rows = [head, ["UTR-1", "Utrecht", "zoekend", "01-03-2021"]]
    path = write_csv(tmp_path / "h.csv", rows, ";", bom=bom) if form == "csv" else write_xlsx(tmp_path / "h.xlsx",
                                                                                             rows)
    table = read_table(path, known=set(D_HEAD))
    assert table.columns == D_HEAD and table.rows[0].values["kenmerk"] == "UTR-1"
    said = [n for n in table.notices if n.error.key == "name_folded"]
    at_file_start = form == "csv" and position == 0 and where == "start" and char == "\ufeff"
    # A byte-order mark opening a text file is its encoding's mark; spaces around a name are no news.
    if spelt.strip() != name and not at_file_start:
        assert [(n.row, n.column) for n in said] == [(1, name)] and "\u2423" in said[0].error.message


def test_c41_kind_several_byte_order_marks_before_the_header(engine, tmp_path):
    for marks in range(1, 4):
        path = tmp_path / f"b{marks}.csv"
        path.write_bytes(b"\xef\xbb\xbf" * marks + ";".join(D_HEAD).encode() + b"\r\nUTR-1;Utrecht;zoekend;01-03-2021\r\n")
        assert import_file(engine, "dwellings", path).ok


# --- 4. a list on several sheets ----------------------------------------------------------------

@pytest.mark.parametrize("form", ["xlsx", "ods"])
@pytest.mark.parametrize("months", [2, 3, 4])
def test_a_sheet_per_month_is_refused_whatever_is_active_and_each_can_be_picked(engine, tmp_path, form, months):
    names = ["jan", "feb", "mrt", "apr"][:months]
    sheets = {name: [D_HEAD, [f"UTR-{i}", "Utrecht", "zoekend", date(2021, i + 1, 1)]] for i, name in enumerate(names)}
    for active in names:
        path = (workbook(tmp_path / "m.xlsx", sheets, active=active) if form == "xlsx"
                else ods(tmp_path / "m.ods", sheets, active=active))
        result = import_file(engine, "dwellings", path)
        assert not result.ok and not result.rows and counts(engine)["Dwelling"] == 0
        assert result.errors[0].message.startswith(f"{path.name} holds a list on more than one sheet: "
                                                   f"{', '.join(names)}; nothing was read")
    for name in names:
        assert import_file(engine, "dwellings", path, sheet=name).ok
    assert counts(engine)["Dwelling"] == months


@pytest.mark.parametrize("form", ["xlsx", "ods"])
def test_one_list_beside_other_sheets_is_read_and_they_are_named(engine, tmp_path, form):
    sheets = {"uitleg": [["lees mij"]], "lijst": [D_HEAD, ["UTR-1", "Utrecht", "zoekend", date(2021, 3, 1)]],
              "notities": [["iets"]]}
    path = (workbook(tmp_path / "o.xlsx", sheets, active="notities") if form == "xlsx"
            else ods(tmp_path / "o.ods", sheets, active="notities"))
    result = import_file(engine, "dwellings", path)
    assert result.ok and result.sheet == "lijst"
    assert result.warnings[0].message.startswith("sheet 'lijst' was read (the only sheet with these columns); "
                                                 "not read: uitleg, notities")


# --- 5. messages that point the right way ---------------------------------------------------------

@pytest.mark.parametrize("row", [2, 7, 40])
@pytest.mark.parametrize("column", range(4))
@pytest.mark.parametrize("fault", ['"eigen plek" is de wens', '"nooit gesloten'])
def test_a_stray_quote_is_reported_at_its_row_and_column(engine, tmp_path, row, column, fault):
    lines = [";".join(D_HEAD)] + [f"UTR-{i};Utrecht;zoekend;01-03-2021" for i in range(2, 42)]
    cells = lines[row - 1].split(";")
    cells[column] = fault
    lines[row - 1] = ";".join(cells)
    path = tmp_path / "q.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    result = import_file(engine, "dwellings", path)
    assert [(e.row, e.column) for e in result.errors] == [(row, D_HEAD[column])]
    assert "a quote (\") in this cell is not closed, or more text follows the closing quote" in result.errors[0].message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("name", ["lijst.txt", "lijst.csv", "lijst.tsv"])
def test_excels_unicode_text_is_read(engine, tmp_path, encoding, name):
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated, saved as .txt."""
    text = "\r\n".join("\t".join(r) for r in [D_HEAD, ["UTR-1", "Utrecht", "zoekend", "01-03-2021"],
                                              ["UTR-2", "Zeist", "locatie gevonden", "01-03-2021"]]) + "\r\n"
    mark = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    (tmp_path / name).write_bytes(mark + text.encode(encoding))
    result = import_file(engine, "dwellings", tmp_path / name)
    assert result.ok and result.counts["created"] == 2, [str(e) for e in result.errors]


@pytest.mark.parametrize("delimiter", ["\t", ";", ","])
def test_the_separator_is_found_tab_semicolon_or_comma(engine, tmp_path, delimiter):
    path = write_csv(tmp_path / "s.csv", [D_HEAD, ["UTR-1", "Utrecht", "locatie gevonden", "01-03-2021"]], delimiter)
    result = import_file(engine, "dwellings", path)
    assert result.ok and not result.warnings


@pytest.mark.parametrize("name", ["~$lijst.xlsx", "~$woningen maart.xlsx", "~$lijst.ods"])
def test_excels_lock_file_is_named_as_such(engine, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x0bJ. de Vries" + b" " * 42 + b"\x0b\x00J\x00.\x00" + b"\x00" * 100)  # as Excel writes it
    result = import_file(engine, "dwellings", path)
    workbook_name = name[2:]
    assert [str(e) for e in result.errors] == [
        f"row 1, column -: {name} is the lock file Excel keeps while {workbook_name} is open, not a list; "
        f"choose {workbook_name} itself"]


def test_a_workbook_protected_with_a_password_is_said_to_be(engine, tmp_path):
    """An encrypted workbook is an OLE container with an EncryptedPackage stream (MS-OFFCRYPTO),
    whatever its name says."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptedPackage".encode("utf-16-le") + b"\x00" * 94 + "EncryptionInfo".encode("utf-16-le")
    for name in ("geheim.xlsx", "geheim.xlsm"):
        (tmp_path / name).write_bytes(header + directory + b"\x00" * 1024)
        result = import_file(engine, "dwellings", tmp_path / name)
        assert result.errors[0].message.startswith(f"{name} is protected with a password"), result.errors[0].message
        assert "verwijder het wachtwoord" in result.errors[0].text("nl")


def test_the_upload_page_takes_unicode_text_and_names_a_lock_file(engine, monkeypatch):
    from eet.accounts.access import Actor
    from test_forms import page

    monkeypatch.setenv("EET_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    text = "\r\n".join("\t".join(r) for r in [D_HEAD, ["UTR-1", "Utrecht", "zoekend", "01-03-2021"]]) + "\r\n"
    at = page("pages/upload.py", Actor("test-admin", "admin"))
    at.file_uploader(key="up_file_dwellings").set_value(("lijst.txt", text.encode("utf-16"), "text/plain")).run()
    at.button(key="up_check").click().run()
    assert not at.exception and at.success[0].value.startswith("Controle geslaagd: 1 nieuw")
    at.file_uploader(key="up_file_dwellings").set_value(("~$lijst.xlsx", b"\x0bJ. de Vries" + b" " * 150,
                                                         "application/octet-stream")).run()
    at.button(key="up_check").click().run()
    assert not at.exception
    assert at.dataframe[-1].value.iloc[0, 2] == ("~$lijst.xlsx is het slotbestand dat Excel aanmaakt zolang "
                                                 "lijst.xlsx open is, geen lijst; kies lijst.xlsx zelf")
