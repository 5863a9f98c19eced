"""Reading a coordinator's list (.csv, .xlsx, .xls or .ods) into rows of cell values, numbered as a
spreadsheet numbers them, whatever the file holds.

What a careful reader does, and says when it does it (the table's `notices`, shown as warnings):
- the sheet: never a hidden one; the one visible sheet with a recognised header (else the only
  visible sheet); several such sheets (a sheet per month) are refused, naming them, whichever is
  active: `sheet=` picks one, and each is imported in turn;
- the header: Excel's `sep=` line is skipped; the column names are looked for in the first
  `HEADER_SCAN` rows (a title above them is skipped, naming the row where they stood);
- values: a date-time gives its date; non-breaking, repeated and other odd spaces are folded;
  merged cells are filled from their first cell; a formula without a stored value is kept as a
  `Formula` for the import to name;
- limits, checked before the work: file size, rows, cells and a workbook's unpacked size.

Anything that is not a readable table raises TableError with a message a coordinator can act on.
Which column names count as "recognised" is the caller's (`known`); nothing here knows an import's
columns.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from eet.entry.workbook import (HEADER_SCAN, MAX_ROWS, Formula, Number, TableError, Workbook,  # noqa: F401
                                cell_value, column_letter)
from eet.texts.messages import Localised, message

MAX_BYTES = 20 * 1024 * 1024  # a list of a few hundred dwellings is far below this
MAX_CELLS = 2_000_000
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text": UTF-16, tab-separated
LOCK_PREFIX = "~$"  # the lock file Excel keeps beside a workbook that is open
XLSX_MAGIC = b"PK\x03\x04"
WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXTS = (".csv", ".txt", ".tsv")  # .txt: Excel's "Unicode text" and "Text (tab delimited)"
SUFFIXES = TEXTS + WORKBOOKS
# Spaces a copy from a web page or a PDF brings: folded into one plain space.
ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t]")
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")  # and the soft hyphen
REPEATED = re.compile(" {2,}")

Cell = str | date | Formula | None  # str: text, or a `Number` read from a number cell


@dataclass(frozen=True)
class Notice:
    """A warning: something the reader did that the user should know (row and column None when
    it concerns the file). It refuses nothing."""

    row: int | None
    column: str | None
    error: Localised


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet numbers it
    values: dict[str, Cell]  # column name as the file spells it -> text, Number, date, Formula, or None
    surplus: int = 0  # non-empty cells to the right of the last named column


@dataclass
class Table:
    filename: str
    columns: list[str]  # as the file spells them, blank header cells left out
    rows: list[Row] = field(default_factory=list)
    sheet: str | None = None  # the sheet read (a workbook)
    sheets: list[str] = field(default_factory=list)  # a workbook's visible sheets, in tab order
    sheet_count: int = 0  # a workbook's sheets, hidden ones included
    header_row: int = 1
    letters: dict[str, str] = field(default_factory=dict)  # column name -> its letter (A, B, ...)
    notices: list[Notice] = field(default_factory=list)


def normal_name(name: str) -> str:
    """A column name as matched: lower case, '_' for spaces and dashes, odd spaces folded and
    zero-width characters (a second byte-order mark) dropped, as in values."""
    return "_".join(_fold(str(name)).lower().replace("-", " ").replace("_", " ").split())


def read_table(source: Path | str | bytes, filename: str | None = None, *, known: Iterable[str] = (),
               sheet: str | None = None) -> Table:
    """The table in a list file (a path, or the bytes of an upload with its name). `known`: the
    column names (as `normal_name` gives them) that make a row the header; `sheet`: the sheet
    the user picked in a workbook with several lists."""
    data, filename = _load(source, filename)
    if Path(filename).name.startswith(LOCK_PREFIX):
        raise TableError("lock_file", file=Path(filename).name, workbook=Path(filename).name[len(LOCK_PREFIX):])
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        if not suffix:
            raise TableError("file_no_extension", file=filename)
        raise TableError("file_extension", file=filename, suffix=suffix)
    if not data.strip():
        raise TableError("file_empty", file=filename)
    known = frozenset(known)
    if suffix in WORKBOOKS:
        return _from_workbook(Workbook(data, filename, suffix), filename, known, sheet)
    return _table(_csv_rows(data, filename), filename, known)


def _load(source: Path | str | bytes, filename: str | None) -> tuple[bytes, str]:
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
        data, filename = bytes(source), filename or "upload"
    if len(data) > MAX_BYTES:
        raise TableError("file_too_large", file=filename, mb=MAX_BYTES // (1024 * 1024))
    return data, filename


# --- csv -----------------------------------------------------------------------------------------

def _csv_rows(data: bytes, filename: str) -> Iterator[list[Cell]]:
    """The records of a text list: UTF-8 (with or without BOM) or UTF-16 with its BOM (Excel's
    "Unicode text"); comma, semicolon or tab separated (`_delimiter`). A quote that breaks the
    csv rules is refused at the row (as a spreadsheet numbers it) and column where the reader
    stopped (TableError's `row` and `field`, the 0-based position of the cell in its row)."""
    if data.startswith(XLSX_MAGIC):
        raise TableError("xlsx_named_csv", file=filename)
    if data.startswith(UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TableError("binary_csv", file=filename) from None
    else:
        text = _utf8_text(data, filename)
    del data
    text = text.lstrip("\ufeff")
    first, _, rest = text.partition("\n")
    delimiter = None
    if first.strip().lower().startswith("sep=") and len(first.strip()) in (4, 5):
        delimiter = first.strip()[4:5] or ","  # Excel's own line: it names the delimiter and is no row
        text = rest
    delimiter = delimiter or _delimiter(text)
    if text.count("\n") > MAX_ROWS + HEADER_SCAN:  # counted before the work (a quoted line break
        records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)  # is no new row)
        if sum(1 for _ in zip(records, range(MAX_ROWS + HEADER_SCAN + 1))) > MAX_ROWS + HEADER_SCAN:
            raise TableError("too_many_rows", file=filename, max=MAX_ROWS)
    row = 0
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    while True:
        start = records.line_num
        try:
            cells = next(records)
        except StopIteration:
            return
        except csv.Error as exc:
            line = text.splitlines()[start] if start < len(text.splitlines()) else ""
            error = TableError("csv_unreadable", file=filename, reason=exc)
            error.row, error.field = row + 1, _stray_quote(line, delimiter)
            raise error from None
        row += 1
        yield cells


def _utf8_text(data: bytes, filename: str) -> str:
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    start = data[:8192]
    if b"\x00" in start and (start.count(b"\x00") > len(start) // 100 or not _utf8(start)):
        # binary data (or UTF-16 without its mark); a stray NUL in a text file is refused at its cell
        raise TableError("binary_csv", file=filename)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise TableError("not_utf8", file=filename, line=line) from None


def _stray_quote(line: str, delimiter: str) -> int:
    """The 0-based position of the cell where a quote breaks the csv rules in `line`, the first
    line of the record the reader stopped in: a quoted cell followed by more text, or a quote never
    closed. (A quote inside an unquoted cell is text, as Python's reader and Excel take it.)"""
    field, quoted, at_start, closed = 0, False, True, False
    index = 0
    while index < len(line):
        char = line[index]
        if quoted:
            if char == '"':
                if line[index + 1:index + 2] == '"':
                    index += 1
                else:
                    quoted, closed = False, True
        elif char == delimiter:
            field, at_start, closed = field + 1, True, False
            index += 1
            continue
        elif char == '"' and at_start:
            quoted = True
        elif closed:
            return field  # text after a closing quote in the same cell
        at_start = False
        index += 1
    return field


def _utf8(start: bytes) -> bool:
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(start) - 4  # a character cut at the end of the sample is no error
    return True


def _delimiter(text: str) -> str:
    """Semicolon (Dutch Excel), comma or tab (Excel's "Text (tab delimited)" and "Unicode text",
    often saved under a .csv name): whichever the header line holds most of, outside quotes."""
    header = next((line for line in text[:65536].splitlines() if line.strip()), "")
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max((",", ";", "\t"), key=lambda d: counts[d])  # a tie: the comma


# --- workbooks -----------------------------------------------------------------------------------

def _from_workbook(book: Workbook, filename: str, known: frozenset[str], picked: str | None) -> Table:
    visible = [s for s in book.sheets if s.visible]
    names = [s.name for s in visible]
    hidden = [s.name for s in book.sheets if not s.visible]
    if not visible:
        raise TableError("no_visible_sheet", file=filename)
    if picked is not None:
        if picked not in names:
            raise TableError("sheet_unknown", file=filename, sheet=picked, sheets=names)
        chosen, why = picked, "picked"
    else:
        with_list = [s for s in visible if _header_at(_first_rows(book, s.name), known) is not None] \
            if known else []
        if len(with_list) == 1:
            chosen, why = with_list[0].name, "with_list"
        elif len(with_list) > 1:  # a sheet per month, or a copy: never one of them in silence (issue 24)
            raise TableError("several_sheets", file=filename, sheets=[s.name for s in with_list],
                             first=with_list[0].name)
        elif len(visible) == 1:
            chosen, why = visible[0].name, "only"
        else:
            raise TableError("no_sheet_with_list", file=filename, n=HEADER_SCAN, sheets=names)
    table = _table(book.rows(chosen), filename, known, merged=book.merged(chosen))
    table.sheet, table.sheets, table.sheet_count = chosen, names, len(book.sheets)
    if len(book.sheets) > 1:
        others = [n for n in names if n != chosen]
        table.notices.insert(0, Notice(None, None, message(
            "sheet_picked" if why == "picked" else "sheet_with_list" if why == "with_list" else "sheet_only",
            sheet=chosen, others=others or "-", hidden=hidden or "-")))
    return table


def _first_rows(book: Workbook, name: str) -> list[list[Cell]]:
    rows = []
    for cells in book.rows(name):
        rows.append([_cell(c) for c in cells])
        if len(rows) >= HEADER_SCAN:
            break
    return rows


# --- both ----------------------------------------------------------------------------------------

def _header_at(rows: list[list[Cell]], known: frozenset[str]) -> int | None:
    """The index of the first row holding at least two recognised column names (one when the
    row holds only one name), or None."""
    for index, cells in enumerate(rows):
        names = [normal_name(c) for c in cells if isinstance(c, str) and c.strip()]
        hits = sum(1 for n in names if n in known)
        if hits >= 2 or (hits == 1 and len(names) == 1):
            return index
    return None


def _table(records: Iterable[list[Any]], filename: str, known: frozenset[str],
           merged: list | None = None) -> Table:
    """Rows of raw cells (csv text or workbook values) into a Table: limits, header, values. A
    TableError of a cell (`field` set: a stray quote) is given the name of its column."""
    header: list[str] = []
    try:
        return _read(records, filename, known, merged, header)
    except TableError as exc:
        if exc.field is not None:
            named = header[exc.field] if exc.field < len(header) else ""
            exc.column = named or column_letter(exc.field)
        raise


def _read(records: Iterable[list[Any]], filename: str, known: frozenset[str], merged: list | None,
          header: list[str]) -> Table:
    records = iter(records)
    head: list[list[Cell]] = []
    try:
        for cells in records:
            head.append([_cell(c) for c in cells])
            if len(head) >= HEADER_SCAN:
                break
    except TableError:  # a cell below the header broke the file: its column is named all the same
        index = _header_at(head, known) if known else None
        header += [_fold(c) if isinstance(c, str) else "" for c in head[index or 0]] if head else []
        raise
    merged = _Merged(merged or [])
    for index, row in enumerate(head):
        merged.fill(index, row)
    found = _header_at(head, known) if known else None
    first_filled = next((i for i, cells in enumerate(head) if any(c is not None for c in cells)), None)
    if first_filled is None:
        raise TableError("header_empty", file=filename)
    index = found if found is not None else first_filled
    spelt = [str(c).strip() if c is not None and not isinstance(c, Formula) else "" for c in head[index]]
    header += [_fold(name) for name in spelt]  # a byte-order mark or zero-width space in a name goes
    named = [(i, name) for i, name in enumerate(header) if name]
    table = Table(filename=filename, columns=[name for _, name in named], header_row=index + 1,
                  letters={name: column_letter(i) for i, name in named})
    for i, name in named:  # ... and is said, as in values
        if name != spelt[i]:
            table.notices.append(Notice(index + 1, name, message("name_folded", name=name,
                                                                 value=_shown(spelt[i]))))
    if found is not None and any(c is not None for row in head[:index] for c in row):
        table.notices.append(Notice(index + 1, None, message("header_found", row=index + 1)))
    width = max(i for i, _ in named) + 1
    folded: dict[str, list] = {}
    cells_read = 0
    number = index + 1
    for cells in _rest(head[index + 1:], records, merged):
        number += 1
        if number - index - 1 > MAX_ROWS:
            raise TableError("too_many_rows", file=filename, max=MAX_ROWS)
        cells_read += len(cells)
        if cells_read > MAX_CELLS:
            raise TableError("too_many_cells_csv", file=filename, max=MAX_CELLS)
        if all(c is None for c in cells):
            continue  # a blank line between rows; keep numbering as the spreadsheet does
        values = {}
        for i, name in named:
            value = cells[i] if i < len(cells) else None
            if type(value) is str:
                plain = value.strip()
                if not (plain.isascii() and "  " not in plain and "\t" not in plain):  # the common case
                    folded_value = _fold(value)
                    if folded_value != plain:
                        folded.setdefault(name, [number, value, 0])[2] += 1
                    plain = folded_value
                value = plain or None
            values[name] = value
        surplus = sum(1 for c in cells[width:] if c is not None)
        table.rows.append(Row(number=number, values=values, surplus=surplus))
    for name, (row, value, n) in folded.items():
        table.notices.append(Notice(row, name, message("spaces_folded", n=n, value=_shown(value))))
    table.notices += merged.notices(below=index)
    return table


def _rest(head: list[list[Cell]], records: Iterator[list[Any]], merged: "_Merged | None") -> Iterator[list[Cell]]:
    """The rows after the header: those already read, then the rest as they come."""
    yield from head
    for index, cells in enumerate(records, start=HEADER_SCAN):
        row = [_cell(c) for c in cells]
        if merged:
            merged.fill(index, row)
        yield row


class _Merged:
    """A sheet's merged ranges: every cell of a range takes the value of its first cell."""

    def __init__(self, ranges: list) -> None:
        self.ranges = [r for r in ranges if r[1] != r[0]]
        self.first: dict[tuple[int, int], Cell] = {}

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def fill(self, index: int, row: list[Cell]) -> None:
        """Fill the row at 0-based `index` (rows come in order)."""
        for (r0, c0), (r1, c1) in self.ranges:
            if not r0 <= index <= r1:
                continue
            if index == r0:
                self.first[(r0, c0)] = row[c0] if c0 < len(row) else None
            value = self.first.get((r0, c0))
            while len(row) <= c1:
                row.append(None)
            for column in range(c0, c1 + 1):
                if (index, column) != (r0, c0):
                    row[column] = value

    def notices(self, below: int) -> list[Notice]:
        """A notice per range that reaches below the header (0-based row `below`): a merged title
        above the list is no value of it."""
        return [Notice(r0 + 1, None, message("merged_filled", range=f"{column_letter(c0)}{r0 + 1}:"
                                             f"{column_letter(c1)}{r1 + 1}"))
                for (r0, c0), (r1, c1) in self.ranges if r1 > below]


def _cell(cell: Any) -> Cell:
    """A csv cell ('' is blank) or a workbook value as the table keeps it (`cell_value`)."""
    if type(cell) is str:
        return cell if cell and not cell.isspace() else None
    return _text(cell_value(cell))


def _text(cell: Any) -> Cell:
    """A csv cell ('' is blank) or a workbook value, stripped; blank is None."""
    if cell is None or isinstance(cell, (date, Formula, Number)):
        return cell
    text = str(cell)
    return text if text.strip() else None


def _fold(text: str) -> str:
    """Odd spaces as one plain space, zero-width characters gone, the ends stripped."""
    return REPEATED.sub(" ", ODD_SPACES.sub(" ", ZERO_WIDTH.sub("", text))).strip()


def _shown(text: str) -> str:
    """A folded value as a message can show it: the odd characters named."""
    shown = ODD_SPACES.sub(lambda m: "\u2423" if m.group(0) != "\t" else "\\t", text.strip())
    return ZERO_WIDTH.sub("\u2423", shown)[:60]


def visible_sheets(data: bytes, filename: str) -> list[str]:
    """The visible sheets of a workbook upload, in tab order, for a page to let the user pick one;
    [] for a csv or a file that cannot be read (the import then says why)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in WORKBOOKS or len(data) > MAX_BYTES:
        return []
    try:
        return [s.name for s in Workbook(data, filename, suffix).sheets if s.visible]
    except TableError:
        return []
