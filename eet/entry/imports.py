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
from typing import Any, Callable, Iterator, Literal

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from eet.store import audit
from eet.store.contents import REMOVE_COMMAND, demo_blocks
from eet.store.engine import is_busy

from eet.entry import living_lab, measurements, route, services
from eet.store.models import ZRM_DOMAINS
from eet.accounts.access import SYSTEM, AccessDenied, Actor
from eet.entry.data_entry import prepare_write
from eet.texts.messages import ColumnName, Localised, Term, message
from eet.entry.schemas import DwellingIn, EventIn, InputModel, ParticipantIn, RuleError
from eet.entry.tabular import Formula, Table, TableError, normal_name, read_table
from eet.entry.writecache import cached_writes

Kind = Literal["dwellings", "participants", "events", "measurements", "costs"]
KINDS: tuple[str, ...] = ("dwellings", "participants", "events", "measurements", "costs")
Progress = Callable[[int, int], None]  # (rows done, rows in all)
MAX_ERRORS = 1000  # errors kept and shown; the rest are counted ("and N more")


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
# Issue 17: self-sufficiency measurements and cost parameters (spec/interfaces.md).
COLUMNS["measurements"] = (Column("code", None, True), Column("date", "datum", True),
                           *(Column(domain, measurements.DUTCH[domain]) for domain in ZRM_DOMAINS))
COLUMNS["costs"] = (
    Column("model", None, True), Column("category", "categorie", True), Column("label", "omschrijving", True),
    Column("amount_eur", "bedrag", True), Column("unit", "eenheid", True), Column("source", "bron", True),
    Column("valid_from", "geldig_vanaf", True), Column("valid_to", "geldig_tot"),
    Column("payer", "betaler"), Column("low_eur", "laag"), Column("high_eur", "hoog"),
)
MODELS: dict[str, type[InputModel]] = {"dwellings": DwellingIn, "participants": ParticipantIn, "events": EventIn,
                                       "measurements": measurements.MeasurementIn,
                                       "costs": living_lab.CostParameterIn}
ORGANISATION_FIELDS = {"dwellings": services.DWELLING_ORGANISATIONS,
                       "participants": services.PARTICIPANT_ORGANISATIONS, "events": {},
                       "measurements": {}, "costs": {}}
KEY_FIELD = {"dwellings": "ref", "participants": "code", "events": "code", "measurements": "code", "costs": "label"}
# What makes two rows of one file the same thing (a second one is an error): by default the key.
SAME_ROW = {"measurements": lambda d: (d.code.lower(), d.date),
            "costs": lambda d: (d.model, d.category, d.label.lower(), d.valid_from)}

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
# Kinds written row by row through the ORM as they are decided (few rows: a care provider's
# measurements, the programme's cost parameters), not staged in the write cache: their import
# holds the writers' lock from the start instead of deciding without it.
ORM_WRITTEN = ("measurements", "costs")
ENTITY_OF = {"dwellings": "dwelling", "measurements": "measurement", "costs": "cost_parameter"}


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
    sheet: str | None = None  # the sheet read, named in the line when the workbook has several

    @property
    def message(self) -> str:
        return self.error.message

    def text(self, lang: str) -> str:
        return self.error.text(lang)

    def __str__(self) -> str:
        # Always the spec's shape, so scripts can parse every line: a refusal of the whole file
        # stands at row 1, and one of no particular column names the column "-".
        where = f" (sheet '{self.sheet}')" if self.sheet else ""
        return f"row {self.row or 1}, column {self.column or '-'}: {self.message}{where}"


class _Errors(list):
    """A list of Issues that keeps the first MAX_ERRORS and counts the rest (a million bad rows
    must not become a million lines in memory or on a screen)."""

    more = 0
    sheet: str | None = None

    def append(self, issue: Issue) -> None:
        if self.sheet and issue.sheet is None:
            issue = Issue(issue.row, issue.column, issue.error, self.sheet)
        if len(self) >= MAX_ERRORS:
            self.more += 1
        else:
            super().append(issue)


@dataclass(frozen=True)
class RowOutcome:
    """What a good row did (or would do, in a dry run): created, changed or unchanged."""

    row: int
    key: str  # the dwelling's ref or the participant's code
    outcome: services.Outcome
    summary: str  # in English, for the command line and the log
    # The same line in the page's language (codes by label, dates as the language writes them).
    described: Callable[[str], str] | None = field(default=None, compare=False, repr=False)

    def text(self, lang: str) -> str:
        """The preview line in `lang` (issue 14: no English on a Dutch page)."""
        return self.described(lang) if self.described else self.summary


@dataclass
class ImportResult:
    kind: str
    filename: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=_Errors)
    ignored_columns: list[str] = field(default_factory=list)
    written: bool = False
    warnings: list[Issue] = field(default_factory=list)  # what was done or seen; refuses nothing
    sheet: str | None = None  # the sheet read (a workbook)
    sheets: list[str] = field(default_factory=list)  # a workbook's visible sheets
    several_sheets: bool = False  # the workbook has more than one sheet (hidden ones included)

    @property
    def more_errors(self) -> int:
        """Errors found beyond the MAX_ERRORS kept."""
        return getattr(self.errors, "more", 0)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = Counter(row.outcome for row in self.rows)
        return {outcome: counts.get(outcome, 0) for outcome in ("created", "changed", "unchanged")}

    def summary(self) -> str:
        """One line: what was created and changed, or that nothing was imported."""
        name = f"{self.filename} (sheet '{self.sheet}')" if self.several_sheets else self.filename
        if self.errors:
            n = len(self.errors) + self.more_errors
            return f"{name}: nothing imported, {n} error{'s' if n != 1 else ''}"
        c = self.counts
        if self.dry_run:
            line = (f"{name} (dry run, nothing written): would create {c['created']} "
                    f"{self.kind}, change {c['changed']}, leave {c['unchanged']} unchanged")
        else:
            line = (f"{name}: created {c['created']} {self.kind}, changed {c['changed']}, "
                    f"{c['unchanged']} unchanged")
        if self.ignored_columns:
            line += f"; ignored columns: {', '.join(self.ignored_columns)}"
        if self.warnings:
            n = len(self.warnings)
            line += f"; {n} warning{'s' if n != 1 else ''}"
        return line


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
    except TableError as exc:
        result.errors.append(Issue(None, None, exc))
        return
    result.sheet, result.sheets = table.sheet, table.sheets
    if table.sheet_count > 1:  # the sheet read is named in the summary and every error
        result.several_sheets = True
        result.errors.sheet = table.sheet
    result.warnings += [Issue(n.row, n.column, n.error) for n in table.notices]
    columns = _map_columns(kind, table, result)
    if any(column.required and column.field not in columns for column in COLUMNS[kind]):
        return
    if not table.rows:
        result.errors.append(Issue(table.header_row + 1, None, message("no_rows", file=name)))
        return
    parsed = _parse_rows(kind, table, columns, result)
    del table  # the parsed rows hold what is needed: a file of 100,000 rows is not kept twice
    _apply(engine, kind, parsed, columns, actor, result, progress)
    result.errors.sort(key=lambda issue: (issue.row or 0))
    result.warnings.sort(key=lambda issue: (issue.row or 0))
    result.rows.sort(key=lambda row: row.row)


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


def _parse_rows(kind: str, table: Table, columns: dict[str, str], result: ImportResult) -> list[_Parsed]:
    model, key_field = MODELS[kind], KEY_FIELD[kind]
    parsed: list[_Parsed] = []
    first_row_of: dict[str, int] = {}
    for row in table.rows:
        if row.surplus:
            result.errors.append(Issue(row.number, None, message(
                "surplus_values" if row.surplus != 1 else "surplus_value", n=row.surplus)))
        values: dict[str, Any] = {f: row.values.get(spelt) for f, spelt in columns.items()}
        formulas = [f for f, value in values.items() if isinstance(value, Formula)]
        for f in formulas:  # said as it is, not as "is required"
            result.errors.append(Issue(row.number, columns[f], message("formula_without_value", cell=values[f].ref)))
            values[f] = None
        try:
            data = model.parse(values)
            if formulas:
                raise RuleError([])
        except RuleError as exc:
            exc.errors = [error for error in exc.errors if error.field not in formulas]
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
        parsed.append(_Parsed(row.number, data, None))
    if kind == "events":
        # Chronological, so a file sorted by code or by hand still replays each route in order; the
        # steps of one day are put in the route's order when that day comes (`_in_route_order`).
        parsed.sort(key=lambda p: (p.data.date, p.number) if p.data else (date.max, p.number))
    return parsed


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
    if kind == "measurements":
        scored = [v for v in data.scores().values() if v is not None]
        return f"{data.code}: ZRM on {data.date.isoformat()}, {len(scored)} domains, total {sum(scored)}"
    if kind == "costs":
        return f"{data.label}: {data.amount_eur:g} EUR {data.unit} ({data.model}, {data.payer or 'other'})"
    where = f" ({data.dwelling_ref})" if data.dwelling_ref else ""
    outcome = f" {data.outcome}" if data.outcome and data.event != "withdrawn" else ""
    return f"{data.code}: {data.event}{outcome}{where} on {data.date.isoformat()}"


def _described(kind: str, data: Any) -> Callable[[str], str]:
    """`_describe` in a language of the catalogue: codes by their label, dates as the language writes them."""
    from eet.texts import code_label, event_label, label, t
    from eet.texts import formatting as fmt

    def line(lang: str) -> str:
        day = lambda value: fmt.short_date(value, lang)  # noqa: E731
        if kind == "dwellings":
            return t("preview_dwelling", lang, ref=data.ref, status=label("status", data.status, lang),
                     date=day(data.status_date))
        if kind == "participants":
            return t("preview_participant", lang, code=data.code, date=day(data.referred_on), referrer=data.referrer)
        if kind == "measurements":
            scored = [v for v in data.scores().values() if v is not None]
            return t("preview_measurement", lang, code=data.code, date=day(data.date), n=len(scored),
                     total=sum(scored))
        if kind == "costs":
            return t("preview_cost", lang, label=data.label, amount=fmt.euro(data.amount_eur, lang),
                     unit=label("cost_unit", data.unit, lang), model=label("cost_model", data.model, lang),
                     payer=label("payer", data.payer or "other", lang))
        outcome = (" " + code_label("outcome", data.outcome, lang)) if data.outcome and data.event != "withdrawn" else ""
        where = f" ({data.dwelling_ref})" if data.dwelling_ref else ""
        return t("preview_event", lang, code=data.code, event=event_label(data.event, lang), outcome=outcome,
                 where=where, date=day(data.date))

    return line


def format_errors(result: ImportResult) -> list[str]:
    """Every error as `row N, column C: message`, in row order."""
    return [str(issue) for issue in result.errors]


__all__ = ["COLUMNS", "KINDS", "ImportResult", "Issue", "RowOutcome", "import_file", "format_errors"]
