"""The sheets of a workbook (.xlsx, .xls, .ods) as a coordinator sees them: which are visible, which
is active, and each sheet's cells, read with python-calamine (Rust), whose cost follows the cells
that hold a value, not the styling (a coloured cell in row 1,048,576 costs nothing).

Before anything is unpacked the zip's declared sizes are checked against `MAX_UNPACKED` (a zip
bomb is refused, not unpacked), and a sheet's size against `MAX_CELLS` before its cells become
Python values. A cell with a formula but no stored value (a list written by a script, never opened
in Excel) is reported as `Formula`, not as an empty cell. Used by `eet.entry.tabular`; nothing here
knows which columns an import needs.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterator

from eet.texts.messages import Refusal

MAX_UNPACKED = 100 * 1024 * 1024  # bytes a workbook may unpack to (100,000 rows of ten columns: ~50 MB)
MAX_CELLS = 2_000_000  # cells of the sheet read (rows x columns up to its last value)
MAX_ROWS = 200_000  # rows below the header; the national bench imports 100,000 events
HEADER_SCAN = 10  # rows in which the column names are looked for
MAX_RATIO = 200  # a part packed more than this tightly, and larger than RATIO_FLOOR, is a bomb
RATIO_FLOOR = 10 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# A workbook encrypted with a password to open (or by a sensitivity label) is no zip but an OLE
# container holding the stream "EncryptedPackage" (MS-OFFCRYPTO 2.3.4.4), its name in UTF-16.
ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


class TableError(Refusal):
    """The file is not a table this monitor can read. Nothing was written. A key of the catalogue
    with its parameters; str() is the English message. (Defined here, used by eet.entry.tabular.)
    `row` and `column`: where in the list the reader stopped, when that is one cell (`field`: its
    0-based position in the row, named by the reader of the header)."""

    row: int | None = None
    column: str | None = None
    field: int | None = None


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula whose result was never stored: `ref` as Excel names it (A3)."""

    ref: str


class Number(str):
    """A number cell's value as text ("345", "12.5": what a code read from it is), keeping the number
    (`value`): a ref Excel turned into a number is told apart from one typed as text, and an amount
    from a number cell is never read again as text."""

    value: float

    def __new__(cls, value: float) -> "Number":
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
        made = super().__new__(cls, text)
        made.value = float(value)
        return made


@dataclass(frozen=True)
class Sheet:
    name: str
    visible: bool
    active: bool


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Workbook:
    """An opened workbook: `sheets` in tab order; `rows(name)` its cells row by row from row 1,
    column A; `merged(name)` its merged ranges."""

    def __init__(self, data: bytes, filename: str, suffix: str) -> None:
        import python_calamine as calamine

        self.filename, self.suffix, self._data = filename, suffix, data
        expected = OLE_MAGIC if suffix == ".xls" else ZIP_MAGIC
        if data.startswith(OLE_MAGIC) and ENCRYPTED in data[:1 << 20]:
            raise TableError("workbook_protected", file=filename)
        if not data.startswith(expected):
            raise TableError("not_xlsx" if suffix == ".xlsx" else "xlsx_unreadable", file=filename,
                                reason="not a workbook")
        self._zip_parts = _check_zip(data, filename) if expected == ZIP_MAGIC else {}
        try:
            self._book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            metadata = self._book.sheets_metadata
        except Exception as exc:  # calamine's errors on a damaged file: none is a bug of ours
            raise TableError("xlsx_unreadable", file=filename, reason=type(exc).__name__) from None
        active = self._active_name([m.name for m in metadata])
        self.sheets = [Sheet(m.name, str(m.visible).endswith(".Visible"), m.name == active)
                       for m in metadata if str(m.typ).endswith("WorkSheet")]

    def _active_name(self, names: list[str]) -> str | None:
        """The sheet Excel or LibreOffice opens on (xlsx: workbook.xml's activeTab; ods:
        settings.xml's ActiveTable); None when the file does not say."""
        if self.suffix == ".ods":
            found = re.search(rb'config:name="ActiveTable"[^>]*>([^<]*)<', self._part("settings.xml"))
            return found.group(1).decode("utf-8", "replace") if found else None
        if self.suffix == ".xls":
            return None
        found = re.search(rb'activeTab="(\d+)"', self._part("xl/workbook.xml"))
        index = int(found.group(1)) if found else 0
        return names[index] if index < len(names) else None

    def _part(self, name: str) -> bytes:
        if name not in self._zip_parts:
            return b""
        with zipfile.ZipFile(io.BytesIO(self._data)) as archive:
            return archive.read(name)

    def _sheet(self, name: str):
        try:
            return self._book.get_sheet_by_name(name)
        except Exception as exc:
            raise TableError("xlsx_unreadable", file=self.filename, reason=type(exc).__name__) from None

    def rows(self, name: str) -> Iterator[list[Any]]:
        """The sheet's rows from row 1, each a list of cells from column A: text, date, number or
        bool as the cell holds it, '' when empty, `Formula` for a formula without a stored value."""
        sheet = self._sheet(name)
        height, width = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
        if height > MAX_ROWS + HEADER_SCAN:
            raise TableError("too_many_rows", file=self.filename, max=MAX_ROWS)
        if height * width > MAX_CELLS:
            raise TableError("too_many_cells", file=self.filename, sheet=name, rows=height, columns=width,
                                max=MAX_CELLS)
        formulas = self._formulas(name)
        offset = [""] * sheet.start[1] if sheet.start else []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            cells = offset + list(row)
            for column in formulas.get(number, ()):
                if column < len(cells) and cells[column] in ("", None):
                    cells[column] = Formula(f"{column_letter(column)}{number}")
            yield cells

    def merged(self, name: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """Merged ranges as ((first row, first column), (last row, last column)), 0-based."""
        try:
            return list(self._sheet(name).merged_cell_ranges or [])
        except Exception:
            return []

    def _formulas(self, name: str) -> dict[int, list[int]]:
        """Row number -> 0-based columns of cells with a formula and no stored value (xlsx only)."""
        if self.suffix not in (".xlsx", ".xlsm"):
            return {}
        xml = self._part(self._sheet_path(name))
        if b"<f" not in xml:
            return {}
        found: dict[int, list[int]] = {}
        for cell in re.finditer(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>(.*?)</c>)', xml, re.S):
            inner = cell.group(3) or b""
            if b"<f" in inner and not re.search(rb"<v>[^<]+</v>", inner):
                found.setdefault(int(cell.group(2)), []).append(_column_index(cell.group(1).decode()))
        return found

    def _sheet_path(self, name: str) -> str:
        workbook, rels = self._part("xl/workbook.xml"), self._part("xl/_rels/workbook.xml.rels")
        for sheet in re.finditer(rb"<sheet\b[^>]*>", workbook):
            tag = sheet.group(0)
            found_name = re.search(rb'name="([^"]*)"', tag)
            rid = re.search(rb'r:id="([^"]*)"', tag)
            if found_name and rid and _unescape(found_name.group(1).decode("utf-8")) == name:
                target = re.search(rb'<Relationship\b[^>]*Id="' + re.escape(rid.group(1)) + rb'"[^>]*>', rels)
                path = re.search(rb'Target="([^"]*)"', target.group(0)) if target else None
                if path:
                    target_path = path.group(1).decode("utf-8")
                    return target_path.lstrip("/") if target_path.startswith("/") else "xl/" + target_path
        return ""


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _check_zip(data: bytes, filename: str) -> set[str]:
    """The zip's part names, after checking what it declares it unpacks to (a bomb is refused
    before anything is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise TableError("xlsx_unreadable", file=filename, reason=type(exc).__name__) from None
    total = sum(info.file_size for info in infos)
    bomb = any(info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1)
               for info in infos)
    if total > MAX_UNPACKED or bomb:
        raise TableError("unpacked_too_large", file=filename, mb=max(1, total // (1024 * 1024)),
                         max=MAX_UNPACKED // (1024 * 1024))
    _check_sizes(data, filename)
    return {info.filename for info in infos}


def _check_sizes(data: bytes, filename: str) -> None:
    """Unpack every part once, in chunks, without keeping it: a part whose real size differs from
    the size it declares (a bomb that lies) fails its length or CRC check here, before the reader
    unpacks it for real."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                with archive.open(info) as part:
                    while part.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise TableError("xlsx_unreadable", file=filename, reason=type(exc).__name__) from None


def cell_value(value: Any) -> Any:
    """A calamine cell as the table keeps it: text, a date (a date-time gives its date: Excel shows
    the date, the time of day is not part of a list's dates), a `Formula`, or None when empty."""
    if value is None or isinstance(value, Formula):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return Number(value)  # a code Excel stored as a number reads "345"; see Number
    if isinstance(value, (time, timedelta)):
        return str(value)
    text = str(value)
    return text if text else None
