"""Importing a coordinator's list of dwellings, participants or events (spec/interfaces.md, "Import
files"): all or nothing, every error listed as `row N, column C: message`, idempotent.

Every row goes through the same input models (`eet.schemas`) and services (`eet.services`) as a form
does, so an import refuses exactly what a form refuses. The services decide each row against the
import's write cache (`eet.writecache`): the data as it stood when the import began plus the file's
rows decided so far, so a later row sees an earlier one. Deciding writes nothing, so a refused row
leaves nothing behind and the next rows are still checked; only when no row was refused are the
staged rows written, in bulk, in one transaction with the data version's bump.

Called by `python -m eet import` and by the upload page (preview with `dry_run=True`, `progress`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from eet.store import audit
from eet.store.contents import REMOVE_COMMAND, demo_blocks
from eet.store.engine import is_busy

from eet.entry import leading_zeros, living_lab, measurements, route, services
from eet.accounts.access import SYSTEM, AccessDenied, Actor
from eet.entry.data_entry import prepare_write
from eet.texts.messages import Term, message
from eet.entry.schemas import RuleError
from eet.entry.amounts import parse_amount
from eet.entry.schemas import FieldError
from eet.entry.tabular import Formula, Number, Table, TableError, normal_name, read_table
from eet.entry.upload_templates import NOTES_SHEETS
from eet.entry.writecache import cached_writes
from eet.write import gate

from eet.entry.import_kinds import (  # noqa: F401  (callers read the kinds here too)
    COLUMNS, ENTITY_OF, KEY_FIELD, KINDS, MAX_ERRORS, MODELS, ORGANISATION_FIELDS, ORM_WRITTEN, PERSONAL_COLUMNS,
    SAME_ROW, Column, Kind, Progress,
)
from eet.entry.import_result import (  # noqa: F401
    ImportResult, Issue, RowOutcome, _describe, _described, _Errors, format_errors,
)


def import_file(engine: Engine, kind: Kind, source: Path | str | bytes, filename: str | None = None, *,
                actor: Actor = SYSTEM, dry_run: bool = False, progress: Progress | None = None,
                sheet: str | None = None) -> ImportResult:
    """Validate every row of the file and, when all are right and this is no dry run, write them in
    one transaction. A path, or the bytes of an upload with its file name; `sheet` picks the sheet of
    a workbook with several lists (else `eet.entry.tabular` chooses, or refuses naming them).
    A file too large for the server's memory is refused with a message, never a traceback."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    name = Path(filename or (str(source) if not isinstance(source, bytes) else "upload")).name
    result = ImportResult(kind=kind, filename=name, dry_run=dry_run)
    try:
        _import(engine, kind, source, name, actor, progress, sheet, result)
    except MemoryError:
        result.rows.clear()
        result.errors = _Errors()
        result.errors.append(Issue(None, None, message("out_of_memory", file=name)))
        result.written = False
    return result


def _import(engine: Engine, kind: str, source, name: str, actor: Actor, progress: Progress | None,
            sheet: str | None, result: ImportResult) -> None:
    known = {normal_name(spelt) for column in COLUMNS[kind] for spelt in column.names()}
    try:
        table = read_table(source, name, known=known, sheet=sheet)
    except TableError as exc:  # of the whole file, or of one cell (a stray quote)
        result.errors.append(Issue(exc.row, exc.column, exc))
        return
    result.sheet, result.sheets = table.sheet, table.sheets
    notices = table.notices
    if _template_with_notes(table):  # the template's notes sheet beside the list: nothing to warn of
        notices = [n for n in notices if not (n.row is None and n.error.key.startswith("sheet_"))]
    elif table.sheet_count > 1:  # the sheet read is named in the summary and every error
        result.several_sheets = True
        result.errors.sheet = table.sheet
    result.warnings += [Issue(n.row, n.column, n.error) for n in notices]
    columns = _map_columns(kind, table, result)
    if any(column.required and column.field not in columns for column in COLUMNS[kind]):
        return
    if not table.rows:
        result.errors.append(Issue(table.header_row + 1, None, message("no_rows", file=name)))
        return
    parsed = _parse_rows(kind, table, columns, result)
    parsed = leading_zeros.match(engine, kind, parsed, columns, table.letters, actor, result)
    del table  # the parsed rows hold what is needed: a file of 100,000 rows is not kept twice
    _apply(engine, kind, parsed, columns, actor, result, progress)
    result.errors.sort(key=lambda issue: (issue.row or 0))
    result.warnings.sort(key=lambda issue: (issue.row or 0))
    result.rows.sort(key=lambda row: row.row)


def _template_with_notes(table: Table) -> bool:
    """A workbook whose one other sheet is the notes sheet of our template (eet.entry.upload_templates)."""
    others = [name for name in table.sheets if name != table.sheet]
    return table.sheet_count == 2 and len(others) == 1 and others[0] in NOTES_SHEETS


# --- columns -------------------------------------------------------------------------------------

_normal = normal_name


def _map_columns(kind: str, table: Table, result: ImportResult) -> dict[str, str]:
    """The file's spelling of each known column, keyed by field; header errors go to `result`."""
    known = {_normal(name): column for column in COLUMNS[kind] for name in column.names()}
    columns: dict[str, str] = {}
    for spelt in table.columns:
        normal = _normal(spelt)
        column = known.get(normal)
        if column is not None:
            if column.field in columns:
                result.errors.append(Issue(table.header_row, spelt, message(
                    "same_column", other=columns[column.field], label=column.label())))
            else:
                columns[column.field] = spelt
        elif normal in PERSONAL_COLUMNS:
            result.errors.append(Issue(table.header_row, spelt, message(
                "personal_column", what=Term("personal", PERSONAL_COLUMNS[normal]))))
        else:
            result.ignored_columns.append(spelt)
    missing = [column.label() for column in COLUMNS[kind] if column.required and column.field not in columns]
    for label in missing:  # one line per missing column, each naming it
        result.errors.append(Issue(table.header_row, label.english, message(
            "missing_column", missing=[label],
            kind=Term("import_kind", kind), columns=[c.label() for c in COLUMNS[kind]])))
    return columns


# --- rows ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Parsed:
    number: int  # the spreadsheet's row number
    data: BaseModel | None  # None: refused by the input model; its names are still checked
    values: dict[str, Any] | None  # a refused row's other values (organisation names to check)
    numbers: frozenset[str] = frozenset()  # fields read from a number cell (a ref Excel made a number)


def _parse_rows(kind: str, table: Table, columns: dict[str, str], result: ImportResult) -> list[_Parsed]:
    model, key_field = MODELS[kind], KEY_FIELD[kind]
    amounts = {column.field: "nl" if column.dutch and _normal(columns[column.field]) == _normal(column.dutch)
               else "en" for column in COLUMNS[kind] if column.amount and column.field in columns}
    parsed: list[_Parsed] = []
    first_row_of: dict[str, int] = {}
    for row in table.rows:
        if row.surplus:
            result.errors.append(Issue(row.number, None, message(
                "surplus_values" if row.surplus != 1 else "surplus_value", n=row.surplus)))
        values: dict[str, Any] = {f: row.values.get(spelt) for f, spelt in columns.items()}
        numbers = frozenset(f for f, value in values.items() if isinstance(value, Number))
        formulas = [f for f, value in values.items() if isinstance(value, Formula)]
        for f in formulas:  # said as it is, not as "is required"
            result.errors.append(Issue(row.number, columns[f], message("formula_without_value", cell=values[f].ref)))
            values[f] = None
        before = _amounts(values, amounts)  # read as written, refused with the value (issue 24)
        values = {f: str(v) if isinstance(v, Number) else v for f, v in values.items()}  # "345", plain text
        try:
            data = model.parse(values)
            if formulas or before:
                raise RuleError([])
        except RuleError as exc:
            exc.errors = before + [error for error in exc.errors
                                   if error.field not in formulas and error.field not in {e.field for e in before}]
            _add_rule_errors(result, row.number, exc, columns)
            refused = {error.field for error in exc.errors} | set(formulas)
            parsed.append(_Parsed(row.number, None, {k: v for k, v in values.items() if k not in refused}))
            continue
        if kind != "events":
            key = SAME_ROW[kind](data) if kind in SAME_ROW else getattr(data, key_field).lower()
            if key in first_row_of:
                result.errors.append(Issue(row.number, columns[key_field], message(
                    "duplicate_key", value=getattr(data, key_field), row=first_row_of[key],
                    what=Term("entity", ENTITY_OF.get(kind, "participant")))))
                continue
            first_row_of[key] = row.number
        parsed.append(_Parsed(row.number, data, None, numbers))
    if kind == "events":
        # Chronological, so a file sorted by code or by hand still replays each route in order; the
        # steps of one day are put in the route's order when that day comes (`_in_route_order`).
        parsed.sort(key=lambda p: (p.data.date, p.number) if p.data else (date.max, p.number))
    return parsed


def _amounts(values: dict[str, Any], amounts: dict[str, str]) -> list[FieldError]:
    """Each amount column's text as its number (`eet.entry.amounts`, in the language of the column's
    name), in place; a FieldError for each that cannot be read or reads two ways (value None)."""
    errors = []
    for field, language in amounts.items():
        value = values.get(field)
        if value is None or isinstance(value, Formula):
            continue
        try:
            values[field] = parse_amount(value, language)
        except ValueError as exc:
            errors.append(FieldError(field, exc.key, exc.params))
            values[field] = None
    return errors


def _in_route_order(session: Session, kind: str, parsed: list) -> Iterator[_Parsed]:
    """The parsed rows one by one, each day's events in the order of a participant's path
    (`eet.entry.route.same_day_rank`, decided against the days before), each slot freed when
    handed out so decided rows live on in the cache only."""
    index = 0
    while index < len(parsed):
        day = parsed[index].data.date if kind == "events" and parsed[index].data else None
        end = index + 1
        while day is not None and end < len(parsed) and parsed[end].data and parsed[end].data.date == day:
            end += 1
        group = parsed[index:end]
        if day is not None and len(group) > 1:
            group.sort(key=lambda p: (route.same_day_rank(session, p.data), p.number))
        for slot in range(index, end):
            parsed[slot] = None
        yield from group
        index = end


def _add_rule_errors(result: ImportResult, row: int, exc: RuleError, columns: dict[str, str]) -> None:
    for error in exc.errors:
        result.errors.append(Issue(row, columns.get(error.field), error))


def _apply(engine: Engine, kind: str, parsed: list[_Parsed], columns: dict[str, str], actor: Actor,
           result: ImportResult, progress: Progress | None) -> None:
    write = {"dwellings": services.upsert_dwelling, "participants": services.register_participant,
             "events": services.record_event, "measurements": measurements.record_measurement,
             "costs": living_lab.import_cost_parameter}[kind]
    source = f"import:{result.filename}"[:200]
    organisations = ORGANISATION_FIELDS.get(kind, {})  # the fields naming an organisation, and its kinds
    total = len(parsed)
    every = max(1, total // 100)
    with Session(engine, expire_on_commit=False) as session:
        try:
            # Deciding takes no lock (issue 18): on SQLite a slow file would hold every sign-in and
            # form for its whole length. The data version read first tells at the write whether
            # anyone wrote in between (then nothing is written: the file is to be imported again).
            seen = audit.current_version(session)
            if demo_blocks(session, actor.user_id):  # a real list never goes into a demo (issue 18)
                result.errors.append(Issue(None, None, message("demo_accounts_open", command=REMOVE_COMMAND)))
                return
            # Rows imported into a demo database are demo rows, as those of a form are: a database
            # is either a demo or real (eet.auth lets the demo accounts in only while no row is real).
            prepare_write(session)
            orm_written = kind in ORM_WRITTEN and not result.dry_run
            if orm_written:  # these rows are written as they are decided: the lock first
                audit.lock_unchanged(session, seen)
            with cached_writes(session) as cache:
                for done, item in enumerate(_in_route_order(session, kind, parsed), start=1):
                    if item.data is None:
                        errors = services.organisation_errors(session, item.values, organisations)
                        _add_rule_errors(result, item.number, RuleError(errors), columns)
                        continue
                    names = services.organisation_errors(session, item.data.__dict__, organisations)
                    if names:  # every wrong organisation of the row, one line each
                        _add_rule_errors(result, item.number, RuleError(names), columns)
                        continue
                    try:  # decided against the cache and staged there: nothing is written yet
                        outcome = write(session, actor, item.data, source=source)
                        result.rows.append(RowOutcome(item.number, getattr(item.data, KEY_FIELD[kind]),
                                                      outcome, _describe(kind, item.data),
                                                      _described(kind, item.data)))
                        if kind == "events" and outcome == "unchanged":
                            recorded = route.recorded_note_differs(session, item.data)
                            if recorded is not None:
                                result.warnings.append(Issue(item.number, columns.get("note"), message(
                                    "note_differs", recorded=recorded or "-")))
                    except RuleError as exc:
                        _add_rule_errors(result, item.number, exc, columns)
                    except AccessDenied as exc:
                        result.errors.append(Issue(item.number, None, exc))
                    if progress is not None and (done % every == 0 or done == total):
                        progress(done, total)
                writes = any(row.outcome != "unchanged" for row in result.rows)
                if result.errors or result.dry_run or not writes:
                    session.rollback()
                    return
                try:
                    # The writers' lock only now, for the write: the version must be the one decided on.
                    if not orm_written:
                        session.rollback()
                    if not orm_written and not audit.lock_unchanged(session, seen):
                        session.rollback()
                        result.errors.append(Issue(None, None, message("data_changed_meanwhile")))
                        return
                    gate.write_staged(cache)
                    session.commit()
                except SQLAlchemyError as exc:
                    session.rollback()
                    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
                    result.errors.append(Issue(None, None, message(
                        "database_busy" if is_busy(exc) else "database_refused", reason=reason)))
                    return
                result.written = True
        except BaseException:
            session.rollback()
            raise


__all__ = ["COLUMNS", "KINDS", "MAX_ERRORS", "ImportResult", "Issue", "RowOutcome", "import_file", "format_errors"]
