"""Empty import templates per kind, with the columns of spec/interfaces.md (Dutch names where the
spec has them, for a Dutch user), as csv (semicolons, UTF-8 with BOM, what Dutch Excel opens) or xlsx."""

from __future__ import annotations

import csv
import io

from eet.entry.imports import COLUMNS, KINDS


def header(kind: str, lang: str) -> list[str]:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    return [(c.dutch or c.field) if lang == "nl" else c.field for c in COLUMNS[kind]]


def template_csv(kind: str, lang: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(header(kind, lang))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(kind: str, lang: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(header(kind, lang))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
