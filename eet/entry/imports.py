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

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from eet.store import audit
from eet.store.contents import REMOVE_COMMAND, demo_blocks
from eet.store.engine import is_busy

from eet.entry import services
from eet.accounts.access import SYSTEM, AccessDenied, Actor
from eet.entry.data_entry import prepare_write
from eet.texts.messages import ColumnName, Localised, Term, message
from eet.entry.schemas import DwellingIn, EventIn, InputModel, ParticipantIn, RuleError
from eet.entry.tabular import Table, TableError, read_table
from eet.entry.writecache import cached_writes

Kind = Literal["dwellings", "participants", "events"]
KINDS: tuple[str, ...] = ("dwellings", "participants", "events")
Progress = Callable[[int, int], None]  # (rows done, rows in all)


@dataclass(frozen=True)
class Column:
    field: str  # the input model's field
    dutch: str | None = None
    required: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.field,) + ((self.dutch,) if self.dutch else ())

    def label(self) -> ColumnName:
        """'ref' (kenmerk) in an English message, 'kenmerk' (ref) in a Dutch one."""
        return ColumnName(self.field, self.dutch)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "dwellings": (
        Column("ref", "kenmerk", True), Column("municipality", "gemeente", True),
        Column("corporation", "corporatie"), Column("care_provider", "zorgaanbieder"),
        Column("site", "locatie"), Column("building_type", "bouwtype"), Column("route"),
        Column("status", None, True), Column("status_date", "statusdatum", True),
        Column("expected_date", "verwachte_oplevering"),
    ),
    "participants": (
        Column("code", None, True), Column("referrer", "toeleider", True),
        Column("care_provider", "zorgaanbieder"), Column("municipality", "gemeente"),
        Column("central_waiting_list", "centrale_wachtlijst"), Column("referred_on", "aangemeld_op", True),
        Column("age_band", "leeftijdsgroep"),
    ),
    "events": (
        Column("code", None, True), Column("event", "gebeurtenis", True), Column("date", "datum", True),
        Column("outcome", "uitkomst"), Column("dwelling_ref", "woning"), Column("note", "toelichting"),
    ),
}
MODELS: dict[str, type[InputModel]] = {"dwellings": DwellingIn, "participants": ParticipantIn, "events": EventIn}
ORGANISATION_FIELDS = {"dwellings": services.DWELLING_ORGANISATIONS,
                       "participants": services.PARTICIPANT_ORGANISATIONS, "events": {}}
KEY_FIELD = {"dwellings": "ref", "participants": "code", "events": "code"}

# Columns that would bring personal data into the monitor. The monitor keeps pseudonymous codes only,
# so a list holding them is refused rather than silently stripped: the coordinator removes them.
# The values are codes of eet.messages.TERMS["personal"] ("a name" / "een naam").
PERSONAL_COLUMNS = {
    "naam": "name", "name": "name", "voornaam": "name", "achternaam": "name",
    "first_name": "name", "last_name": "name", "full_name": "name", "roepnaam": "name",
    "bsn": "bsn", "burgerservicenummer": "bsn",
    "geboortedatum": "birth_date", "birth_date": "birth_date", "date_of_birth": "birth_date",
    "dob": "birth_date", "adres": "address", "address": "address",
    "telefoon": "phone", "telefoonnummer": "phone", "phone": "phone",
    "email": "email", "e_mail": "email",
}
# Same-day steps are applied in the order a route takes them; a move from one dwelling to
# another on one day is an exit before a move-in.
EVENT_ORDER = {"assessed": 0, "matched": 1, "exited": 2, "housed": 3, "withdrawn": 4}


@dataclass(frozen=True)
class Issue:
    """One error: the spreadsheet row (None for the file as a whole), the column as the file
    spells it (None for the row as a whole), and the refusal itself (a FieldError of the input
    model or the services, an AccessDenied, a TableError or a message of the import), so that a page
    can show it in its own language with `text(lang)`. `str()` is the command line's English
    `row N, column C: message`."""

    row: int | None
    column: str | None
    error: Localised

    @property
    def message(self) -> str:
        return self.error.message

    def text(self, lang: str) -> str:
        return self.error.text(lang)

    def __str__(self) -> str:
        # Always the spec's shape, so scripts can parse every line: a refusal of the whole file
        # stands at row 1, and one of no particular column names the column "-".
        return f"row {self.row or 1}, column {self.column or '-'}: {self.message}"


@dataclass(frozen=True)
class RowOutcome:
    """What a good row did (or would do, in a dry run): created, changed or unchanged."""

    row: int
    key: str  # the dwelling's ref or the participant's code
    outcome: services.Outcome
    summary: str


@dataclass
class ImportResult:
    kind: str
    filename: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(row.outcome for row in self.rows)
        return {outcome: counts.get(outcome, 0) for outcome in ("created", "changed", "unchanged")}

    def summary(self) -> str:
        """One line: what was created and changed, or that nothing was imported."""
        if self.errors:
            n = len(self.errors)
            return f"{self.filename}: nothing imported, {n} error{'s' if n != 1 else ''}"
        c = self.counts
        if self.dry_run:
            line = (f"{self.filename} (dry run, nothing written): would create {c['created']} "
                    f"{self.kind}, change {c['changed']}, leave {c['unchanged']} unchanged")
        else:
            line = (f"{self.filename}: created {c['created']} {self.kind}, changed {c['changed']}, "
                    f"{c['unchanged']} unchanged")
        if self.ignored_columns:
            line += f"; ignored columns: {', '.join(self.ignored_columns)}"
        return line


def import_file(engine: Engine, kind: Kind, source: Path | str | bytes, filename: str | None = None, *,
                actor: Actor = SYSTEM, dry_run: bool = False, progress: Progress | None = None) -> ImportResult:
    """Validate every row of the file and, when all are right and this is no dry run, write them in
    one transaction. A path, or the bytes of an upload with its file name."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    name = Path(filename or (str(source) if not isinstance(source, bytes) else "upload")).name
    result = ImportResult(kind=kind, filename=name, dry_run=dry_run)
    try:
        table = read_table(source, name)
    except TableError as exc:
        result.errors.append(Issue(None, None, exc))
        return result
    columns = _map_columns(kind, table, result)
    if any(column.required and column.field not in columns for column in COLUMNS[kind]):
        return result
    if not table.rows:
        result.errors.append(Issue(2, None, message("no_rows", file=name)))
        return result
    parsed = _parse_rows(kind, table, columns, result)
    del table  # the parsed rows hold what is needed: a file of 100,000 rows is not kept twice
    _apply(engine, kind, parsed, columns, actor, result, progress)
    result.errors.sort(key=lambda issue: (issue.row or 0))
    result.rows.sort(key=lambda row: row.row)
    return result


# --- columns -------------------------------------------------------------------------------------

def _normal(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").replace("_", " ").split())


def _map_columns(kind: str, table: Table, result: ImportResult) -> dict[str, str]:
    """The file's spelling of each known column, keyed by field; header errors go to `result`."""
    known = {_normal(name): column for column in COLUMNS[kind] for name in column.names()}
    columns: dict[str, str] = {}
    for spelt in table.columns:
        normal = _normal(spelt)
        column = known.get(normal)
        if column is not None:
            if column.field in columns:
                result.errors.append(Issue(1, spelt, message(
                    "same_column", other=columns[column.field], label=column.label())))
            else:
                columns[column.field] = spelt
        elif normal in PERSONAL_COLUMNS:
            result.errors.append(Issue(1, spelt, message(
                "personal_column", what=Term("personal", PERSONAL_COLUMNS[normal]))))
        else:
            result.ignored_columns.append(spelt)
    missing = [column.label() for column in COLUMNS[kind] if column.required and column.field not in columns]
    for label in missing:  # one line per missing column, each naming it
        result.errors.append(Issue(1, label.english, message(
            "missing_column", missing=[label],
            kind=Term("import_kind", kind), columns=[c.label() for c in COLUMNS[kind]])))
    return columns


# --- rows ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Parsed:
    number: int  # the spreadsheet's row number
    data: BaseModel | None  # None: refused by the input model; its names are still checked
    values: dict[str, Any] | None  # a refused row's other values (organisation names to check)


def _parse_rows(kind: str, table: Table, columns: dict[str, str], result: ImportResult) -> list[_Parsed]:
    model, key_field = MODELS[kind], KEY_FIELD[kind]
    parsed: list[_Parsed] = []
    first_row_of: dict[str, int] = {}
    for row in table.rows:
        if row.surplus:
            result.errors.append(Issue(row.number, None, message(
                "surplus_values" if row.surplus != 1 else "surplus_value", n=row.surplus)))
        values: dict[str, Any] = {f: row.values.get(spelt) for f, spelt in columns.items()}
        try:
            data = model.parse(values)
        except RuleError as exc:
            _add_rule_errors(result, row.number, exc, columns)
            refused = {error.field for error in exc.errors}
            parsed.append(_Parsed(row.number, None, {k: v for k, v in values.items() if k not in refused}))
            continue
        if kind != "events":
            key = getattr(data, key_field).lower()
            if key in first_row_of:
                result.errors.append(Issue(row.number, columns[key_field], message(
                    "duplicate_key", value=getattr(data, key_field), row=first_row_of[key],
                    what=Term("entity", "dwelling" if kind == "dwellings" else "participant"))))
                continue
            first_row_of[key] = row.number
        parsed.append(_Parsed(row.number, data, None))
    if kind == "events":
        # Chronological, so a file sorted by code or by hand still replays each route in order.
        parsed.sort(key=lambda p: (p.data.date, EVENT_ORDER[p.data.event], p.number) if p.data
                    else (date.max, 0, p.number))
    return parsed


def _add_rule_errors(result: ImportResult, row: int, exc: RuleError, columns: dict[str, str]) -> None:
    for error in exc.errors:
        result.errors.append(Issue(row, columns.get(error.field), error))


def _apply(engine: Engine, kind: str, parsed: list[_Parsed], columns: dict[str, str], actor: Actor,
           result: ImportResult, progress: Progress | None) -> None:
    write = {"dwellings": services.upsert_dwelling, "participants": services.register_participant,
             "events": services.record_event}[kind]
    source = f"import:{result.filename}"[:200]
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
            with cached_writes(session) as cache:
                for done, item in enumerate(parsed, start=1):
                    parsed[done - 1] = None  # decided rows live on in the cache only (memory)
                    if item.data is None:
                        errors = services.organisation_errors(session, item.values, ORGANISATION_FIELDS[kind])
                        _add_rule_errors(result, item.number, RuleError(errors), columns)
                        continue
                    try:  # decided against the cache and staged there: nothing is written yet
                        outcome = write(session, actor, item.data, source=source)
                        result.rows.append(RowOutcome(item.number, getattr(item.data, KEY_FIELD[kind]),
                                                      outcome, _describe(kind, item.data)))
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
                    session.rollback()
                    if not audit.lock_unchanged(session, seen):
                        session.rollback()
                        result.errors.append(Issue(None, None, message("data_changed_meanwhile")))
                        return
                    cache.write()
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


def _describe(kind: str, data: Any) -> str:
    """A short line for the preview of a row."""
    if kind == "dwellings":
        return f"{data.ref}: {data.status} from {data.status_date.isoformat()}"
    if kind == "participants":
        return f"{data.code}: referred on {data.referred_on.isoformat()} by {data.referrer}"
    where = f" ({data.dwelling_ref})" if data.dwelling_ref else ""
    outcome = f" {data.outcome}" if data.outcome and data.event != "withdrawn" else ""
    return f"{data.code}: {data.event}{outcome}{where} on {data.date.isoformat()}"


def format_errors(result: ImportResult) -> list[str]:
    """Every error as `row N, column C: message`, in row order."""
    return [str(issue) for issue in result.errors]


__all__ = ["COLUMNS", "KINDS", "ImportResult", "Issue", "RowOutcome", "import_file", "format_errors"]
