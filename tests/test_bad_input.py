"""Bad input (issue 18): limits on rows, cells, unpacked size and errors kept, checked before the
work with a clear message; a MemoryError is a message, never a traceback; control characters are
refused in every text field at their row and column, on both backends, forms included."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from datetime import date

import pytest
from eet.entry import imports, tabular, workbook
from eet.entry.data_entry import add_dwelling, record_step
from eet.entry.imports import MAX_ERRORS, import_file
from eet.entry.schemas import EventIn, RuleError
from import_helpers import BASE_DWELLINGS, BASE_PARTICIPANTS, counts, run_cli, write_csv

HEAD = "ref,municipality,status,status_date\n"


def test_a_million_rows_are_refused_before_the_work(engine, tmp_path):
    path = tmp_path / "million.csv"
    path.write_text(HEAD + "=,N,k,1\n" * 1_000_000, encoding="utf-8")  # 8 MB of bad rows
    started = time.perf_counter()
    result = import_file(engine, "dwellings", path)
    assert time.perf_counter() - started < 3  # counted, not parsed: 0.2 s on the reference machine
    assert [str(e) for e in result.errors] == [
        f"row 1, column -: million.csv holds more than {tabular.MAX_ROWS} rows; split the list into files of at "
        f"most {tabular.MAX_ROWS} rows"]
    assert counts(engine)["Dwelling"] == 0


def test_at_most_max_errors_are_kept_and_the_rest_counted(engine, tmp_path, monkeypatch, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(HEAD + "UTR-1,Nergens,kapot,2021-01-15\n" * 700, encoding="utf-8")  # 2 errors a row
    result = import_file(engine, "dwellings", path)
    assert len(result.errors) == MAX_ERRORS and result.more_errors == 1400 - MAX_ERRORS
    assert result.summary() == "bad.csv: nothing imported, 1400 errors"
    code, out, err = run_cli(monkeypatch, capsys, engine, "dwellings", str(path))
    lines = err.splitlines()
    assert code == 1 and len(lines) == MAX_ERRORS + 2
    assert lines[-2] == "error: and 400 more errors; correct these first and check the file again"


def _sheet_zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _workbook_parts(sheet_xml: bytes) -> dict[str, bytes]:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active.append(["ref"])
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    return parts


def test_a_zip_bomb_is_refused_before_it_is_unpacked(engine):
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"A" * 1_000_000 + b"</t></is></c></row>"
    xml = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + \
        row * 150 + b"</sheetData></worksheet>"  # 150 MB unpacked, well under 1 MB packed
    data = _sheet_zip(_workbook_parts(xml))
    assert len(data) < 1_000_000
    started = time.perf_counter()
    result = import_file(engine, "dwellings", data, "bom.xlsx")
    assert time.perf_counter() - started < 2
    assert str(result.errors[0]) == (
        "row 1, column -: bom.xlsx unpacks to 143 MB (or is packed unusually tightly); a list may take at most "
        f"{workbook.MAX_UNPACKED // 2**20} MB; split the list or save it as .csv")


def test_a_bomb_that_lies_about_its_size_is_caught(engine):
    xml = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + \
        b" " * 30_000_000 + b"</sheetData></worksheet>"
    data = bytearray(_sheet_zip(_workbook_parts(xml)))
    real = struct.pack("<I", len(xml))
    assert data.count(real) == 2  # the local header and the central directory both declare it
    data = bytes(data).replace(real, struct.pack("<I", 1000))
    result = import_file(engine, "dwellings", data, "lie.xlsx")
    assert str(result.errors[0]).startswith("row 1, column -: lie.xlsx is not a readable Excel workbook")


def test_a_sheet_of_too_many_cells_is_refused_by_its_size(engine, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["ref", "municipality", "status", "status_date"])
    book.active.cell(row=2, column=16000, value="x")  # 2 rows x 16,000 columns is fine ...
    book.active.cell(row=200, column=16000, value="x")  # ... 200 x 16,000 is not
    book.save(tmp_path / "breed.xlsx")
    result = import_file(engine, "dwellings", tmp_path / "breed.xlsx")
    assert str(result.errors[0]).startswith("row 1, column -: breed.xlsx: sheet 'Sheet' reaches row 200 and "
                                            "column 16000, more than 2000000 cells")


def test_running_out_of_memory_is_a_message(engine, tmp_path, monkeypatch, capsys):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(imports, "read_table", exhausted)
    path = write_csv(tmp_path / "d.csv", BASE_DWELLINGS)
    code, out, err = run_cli(monkeypatch, capsys, engine, "dwellings", str(path))
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[0] == ("row 1, column -: d.csv is too large to check with the memory of this server; "
                                   "split the list into smaller files")


def test_a_nul_after_the_first_8_kb_is_refused_at_its_row_and_column(engine, tmp_path):
    rows = [["code", "event", "date", "outcome", "note"]] + [
        ["P-0001", "assessed", "2021-01-20", "eligible", "x" * 100]] * 100 + [
        ["P-0002", "assessed", "2021-01-26", "eligible", "a\x00b"]]
    import_file(engine, "dwellings", write_csv(tmp_path / "d.csv", BASE_DWELLINGS))
    import_file(engine, "participants", write_csv(tmp_path / "p.csv", BASE_PARTICIPANTS))
    path = write_csv(tmp_path / "e.csv", rows)
    assert path.read_bytes().index(b"\x00") > 8192
    before = counts(engine)
    result = import_file(engine, "events", path)
    assert [str(e) for e in result.errors] == [
        "row 102, column note: holds an invisible control character (U+0000) at position 2; remove it (it often "
        "comes along when copying from another program)"]
    assert counts(engine) == before


def test_control_characters_in_every_text_field_beside_the_other_errors(engine, tmp_path):
    path = write_csv(tmp_path / "d.csv", [["ref", "municipality", "site", "status", "status_date"],
                                          ["UTR-1", "Utrecht", "Zon\x1bstraat", "kapot", "2021-01-15"],
                                          ["UTR-2\x7f", "Utr\x00echt", "", "zoekend", "2021-01-15"]])
    lines = [str(e) for e in import_file(engine, "dwellings", path).errors]
    assert [line.split(": ")[0] for line in lines] == ["row 2, column site", "row 2, column status",
                                                       "row 3, column ref", "row 3, column municipality"]
    assert "(U+001B) at position 4" in lines[0] and "(U+007F) at position 6" in lines[2]


def test_forms_refuse_control_characters_too(session, actors):
    with pytest.raises(RuleError) as refused:
        add_dwelling(session, actors["admin"], {"ref": "UTR-1", "municipality": "Utrecht", "site": "a\x00",
                                                "status": "searching", "status_date": date(2021, 1, 15)})
    assert [(e.field, e.key) for e in refused.value.errors] == [("site", "control_character")]
    with pytest.raises(RuleError) as refused:
        record_step(session, actors["admin"], {"code": "P-1\x00", "event": "assessed", "date": date(2021, 2, 1),
                                               "outcome": "eligible", "note": "ok\x01"})
    assert {(e.field, e.key) for e in refused.value.errors} == {("code", "control_character"),
                                                               ("note", "control_character")}
    # A line break or a tab in a note is text, not a control character.
    assert EventIn.parse({"code": "P-1", "event": "assessed", "date": date(2021, 2, 1), "outcome": "eligible",
                          "note": "regel 1\nregel\t2"}).note == "regel 1\nregel\t2"
