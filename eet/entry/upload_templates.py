"""Import templates per kind, with the columns of spec/interfaces.md (Dutch names where the spec has
them, for a Dutch user), as csv (semicolons, UTF-8 with BOM, what Dutch Excel opens) or xlsx.

The csv is the header row only: a csv carries no notes, and an example row would be imported by
mistake. The xlsx has the header on its first (active) sheet, a pick list of the labels under each
coded column, and a second sheet, "Toelichting" ("Notes"), saying for every column whether it is
required and what goes in it; the importer reads the sheet with the header and says nothing of the
notes sheet (`NOTES_SHEETS`). File and sheet names are in the page's language.
"""

from __future__ import annotations

import csv
import io

from eet.entry import vocabulary as vocab
from eet.entry.import_kinds import COLUMNS, KINDS, Column
from eet.store.models import AGE_BANDS
from eet.texts import LANGUAGES, t

# The file name of a kind's template, without the suffix: "sjabloon-woningen" / "template-dwellings".
FILE_NAMES = {"dwellings": "template_file_dwellings", "participants": "template_file_participants",
              "events": "template_file_events", "measurements": "template_file_measurements",
              "costs": "template_file_costs"}
# The name of the list's sheet (at most 31 characters, Excel's limit).
SHEET_NAMES = {"dwellings": "template_sheet_dwellings", "participants": "template_sheet_participants",
               "events": "template_sheet_events", "measurements": "template_sheet_measurements",
               "costs": "template_sheet_costs"}
# What goes in a column that is not coded (a coded one lists its labels), per kind and field.
_DATE, _PAST = "template_hint_date", "template_hint_past_date"
HINTS = {
    "dwellings": {"ref": "template_hint_ref", "municipality": "template_hint_municipality",
                  "corporation": "template_hint_corporation", "care_provider": "template_hint_care_provider",
                  "site": "template_hint_site", "status_date": _PAST, "expected_date": _DATE},
    "participants": {"code": "template_hint_code", "referrer": "template_hint_referrer",
                     "care_provider": "template_hint_care_provider", "municipality": "template_hint_municipality",
                     "referred_on": _PAST, "age_band": "template_hint_age_band"},
    "events": {"code": "template_hint_participant", "date": _PAST, "dwelling_ref": "template_hint_dwelling",
               "note": "template_hint_note"},
    "measurements": {"code": "template_hint_participant", "date": _PAST},
    "costs": {"label": "template_hint_label", "amount_eur": "template_hint_amount", "source": "template_hint_source",
              "valid_from": _DATE, "valid_to": _DATE, "low_eur": "template_hint_bound",
              "high_eur": "template_hint_bound", "care_provider": "template_hint_cost_care_provider"},
}
# Columns required for some rows only: when.
REQUIRED_WHEN = {("events", "outcome"): "template_required_outcome",
                 ("events", "dwelling_ref"): "template_required_dwelling"}
NOTES_SHEETS = frozenset(t("template_notes_sheet", lang) for lang in LANGUAGES)


def header(kind: str, lang: str) -> list[str]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    return [_name(column, lang) for column in COLUMNS[kind]]


def _name(column: Column, lang: str) -> str:
    return (column.dutch or column.field) if lang == "nl" else column.field


def file_name(kind: str, lang: str, suffix: str) -> str:
    """'sjabloon-woningen.csv' on a Dutch page, 'template-dwellings.csv' on an English one."""
    return f"{t(FILE_NAMES[kind], lang)}.{suffix}"


def template_csv(kind: str, lang: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(header(kind, lang))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def allowed_values(kind: str, column: Column, lang: str) -> str:
    """What goes in a column, as the notes sheet says it: a coded column's labels, else a hint."""
    if kind == "events" and column.field == "outcome":
        return t("template_hint_outcome", lang, assessed=vocab.EVENT.label("assessed", lang),
                 assessment=_labels(vocab.ASSESSMENT, lang), exited=vocab.EVENT.label("exited", lang),
                 exit=_labels(vocab.EXIT, lang), withdrawn=vocab.EVENT.label("withdrawn", lang))
    if column.values:
        return "; ".join(_labels(vocabulary, lang) for vocabulary in column.values)
    if kind == "measurements" and column.field not in HINTS[kind]:
        return t("template_hint_score", lang)
    hint = HINTS[kind][column.field]
    return t(hint, lang, bands=", ".join(AGE_BANDS)) if hint == "template_hint_age_band" else t(hint, lang)


def _labels(vocabulary: vocab.Vocabulary, lang: str) -> str:
    return ", ".join(vocabulary.label(code, lang) for code in vocabulary.codes)


def required(kind: str, column: Column, lang: str) -> str:
    if column.required:
        return t("yes", lang)
    if (kind, column.field) in REQUIRED_WHEN:
        return t(REQUIRED_WHEN[kind, column.field], lang)
    if kind == "measurements" and column.field not in HINTS[kind]:
        return t("template_required_domain", lang)
    return t("no", lang)


def notes(kind: str, lang: str) -> list[list[str]]:
    """The rows of the notes sheet: a heading row, then per column its name, whether it is required
    and what goes in it."""
    rows = [[t("template_notes_column", lang), t("template_notes_required", lang), t("template_notes_values", lang)]]
    rows += [[_name(column, lang), required(kind, column, lang), allowed_values(kind, column, lang)]
             for column in COLUMNS[kind]]
    return rows


def template_xlsx(kind: str, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    names = header(kind, lang)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t(SHEET_NAMES[kind], lang)
    sheet.append(names)
    for index, column in enumerate(COLUMNS[kind], start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(names[index - 1]) + 4)
        if column.required:
            sheet.cell(row=1, column=index).font = Font(bold=True)
        if not column.values:
            continue
        labels = [vocabulary.label(code, lang) for vocabulary in column.values for code in vocabulary.codes]
        listed = '"' + ",".join(labels) + '"'
        if len(listed) > 255 or any("," in label or '"' in label for label in labels):
            continue  # Excel's pick list holds 255 characters, commas separate: the notes say it
        # A pick list of the labels, which still lets other spellings through (a withdrawal's reason,
        # a code): the import is what refuses.
        pick = DataValidation(type="list", formula1=listed, allow_blank=True, showErrorMessage=False)
        pick.add(f"{letter}2:{letter}5000")
        sheet.add_data_validation(pick)
    sheet.freeze_panes = "A2"
    explained = workbook.create_sheet(t("template_notes_sheet", lang))
    table = notes(kind, lang)
    for row in table:
        explained.append(row)
    explained.append([])
    explained.append([t("template_notes_also", lang, sheet=sheet.title)])
    for cell in explained[1]:
        cell.font = Font(bold=True)
    for letter, width in (("A", 26), ("B", 30), ("C", 90)):
        explained.column_dimensions[letter].width = width
    for row in explained.iter_rows(min_row=2, max_row=len(table), max_col=3):  # the last line runs on
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
