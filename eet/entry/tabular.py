"""Reading a coordinator's list (.csv or .xlsx) into rows of cell values, numbered as a spreadsheet
numbers them (the header is row 1), whatever the file holds.

Anything that is not a readable table raises TableError with a message a coordinator can act on;
nothing here knows which columns an import needs (that is `eet.imports`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from eet.texts.messages import Refusal

MAX_BYTES = 20 * 1024 * 1024  # a list of a few hundred dwellings is far below this
UTF8_BOM = b"\xef\xbb\xbf"
XLSX_MAGIC = b"PK\x03\x04"
SUFFIXES = (".csv", ".xlsx")

Cell = str | date | None


class TableError(Refusal):
    """The file is not a table this monitor can read. Nothing was written. A key of
    eet.messages.CATALOGUE with its parameters; str() is the English message."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    values: dict[str, Cell]  # column name as the file spells it -> text, date, or None when blank
    surplus: int = 0  # non-empty cells to the right of the last named column


@dataclass
class Table:
    filename: str
    columns: list[str]  # as the file spells them, blank header cells left out
    rows: list[Row] = field(default_factory=list)


def read_table(source: Path | str | bytes, filename: str | None = None) -> Table:
    """The table in a .csv or .xlsx file (a path, or the bytes of an upload with its name)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        try:
            if path.stat().st_size > MAX_BYTES:
                raise TableError("file_too_large", file=filename, mb=MAX_BYTES // (1024 * 1024))
            data = path.read_bytes()
        except FileNotFoundError:
            raise TableError("file_missing", file=str(path)) from None
        except IsADirectoryError:
            raise TableError("file_is_folder", file=str(path)) from None
        except OSError as exc:
            raise TableError("file_unreadable", file=str(path), reason=exc.strerror or exc) from None
    else:
        data = bytes(source)
        filename = filename or "upload"
    if len(data) > MAX_BYTES:
        raise TableError("file_too_large", file=filename, mb=MAX_BYTES // (1024 * 1024))
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        if suffix == ".xls":
            raise TableError("file_xls", file=filename)
        if not suffix:
            raise TableError("file_no_extension", file=filename)
        raise TableError("file_extension", file=filename, suffix=suffix)
    if not data.strip():
        raise TableError("file_empty", file=filename)
    grid = _xlsx_grid(data, filename) if suffix == ".xlsx" else _csv_grid(data, filename)
    return _table(grid, filename)


# --- csv -----------------------------------------------------------------------------------------

def _csv_grid(data: bytes, filename: str) -> list[list[Cell]]:
    if data.startswith(XLSX_MAGIC):
        raise TableError("xlsx_named_csv", file=filename)
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    if b"\x00" in data[:8192]:
        raise TableError("binary_csv", file=filename)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise TableError("not_utf8", file=filename, line=line) from None
    try:
        return [list(record) for record in csv.reader(io.StringIO(text, newline=""),
                                                      delimiter=_delimiter(text), strict=True)]
    except csv.Error as exc:
        raise TableError("csv_unreadable", file=filename, reason=exc) from None


def _delimiter(text: str) -> str:
    """Semicolon (Dutch Excel) or comma: whichever the header line holds more of, outside quotes."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {",": 0, ";": 0}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


# --- xlsx ----------------------------------------------------------------------------------------

def _xlsx_grid(data: bytes, filename: str) -> list[list[Cell]]:
    if not data.startswith(XLSX_MAGIC):
        raise TableError("not_xlsx", file=filename)
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            workbook = load_workbook(io.BytesIO(data), data_only=True)
        sheet = workbook.worksheets[0]
        return [[_xlsx_cell(value) for value in row] for row in sheet.iter_rows(min_row=1, values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError, EOFError) as exc:
        raise TableError("xlsx_unreadable", file=filename, reason=type(exc).__name__) from None
    except Exception as exc:  # openpyxl raises many kinds on damaged files; none is a bug of ours
        raise TableError("xlsx_unreadable", file=filename, reason=type(exc).__name__) from None


def _xlsx_cell(value: Any) -> Cell:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code or ref Excel stored as a number
    return str(value)


# --- both ----------------------------------------------------------------------------------------

def _table(grid: list[list[Cell]], filename: str) -> Table:
    grid = [[_blank(cell) for cell in row] for row in grid]
    if not grid or all(cell is None for cell in grid[0]):
        raise TableError("header_empty", file=filename)
    header = [str(cell).strip() if cell is not None else "" for cell in grid[0]]
    named = [(index, name) for index, name in enumerate(header) if name]
    table = Table(filename=filename, columns=[name for _, name in named])
    width = max(index for index, _ in named) + 1
    for number, cells in enumerate(grid[1:], start=2):
        if all(cell is None for cell in cells):
            continue  # a blank line between rows; keep numbering as the spreadsheet does
        values = {name: cells[index] if index < len(cells) else None for index, name in named}
        surplus = sum(1 for cell in cells[width:] if cell is not None)
        table.rows.append(Row(number=number, values=values, surplus=surplus))
    return table


def _blank(cell: Cell) -> Cell:
    if isinstance(cell, str):
        cell = cell.strip()
        return cell or None
    return cell
