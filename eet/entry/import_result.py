"""What an import says: every issue as `row N, column C: message` (errors refuse the file,
warnings refuse nothing), the outcome of each row with its preview line in either language, and
the result of a file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable



from eet.entry import services
from eet.texts.messages import Localised

from eet.entry.import_kinds import MAX_ERRORS

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
    if kind == "pledges":
        return f"{data.partner}: {data.dwellings} dwellings from {data.valid_from.isoformat()}"
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
        if kind == "pledges":
            return t("preview_pledge", lang, partner=data.partner, n=data.dwellings, date=day(data.valid_from))
        outcome = (" " + code_label("outcome", data.outcome, lang)) if data.outcome and data.event != "withdrawn" else ""
        where = f" ({data.dwelling_ref})" if data.dwelling_ref else ""
        return t("preview_event", lang, code=data.code, event=event_label(data.event, lang), outcome=outcome,
                 where=where, date=day(data.date))

    return line


def format_errors(result: ImportResult) -> list[str]:
    """Every error as `row N, column C: message`, in row order."""
    return [str(issue) for issue in result.errors]

