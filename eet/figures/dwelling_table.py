"""Dwellings row by row with their status on a date, limited in SQL to what the actor may see
(coordinators: their own organisation's dwellings; viewers: none), and the same rows as csv or
xlsx in the columns of the dwellings import, so a downloaded list can be edited and imported again.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from eet import texts
from eet.accounts.access import Actor, row_scope
from eet.figures.query import (
    CHANGE, CHANGES, DWELLING, DWELLINGS, NO_DWELLING_FILTER, DwellingFilter, known_at_of, live,
)
from eet.figures.timeline import day_number, timeline_of
from eet.store.models import Organisation
from eet.entry.spreadsheet import neutralise

COLUMNS = ("ref", "municipality", "corporation", "care_provider", "site", "building_type", "route",
           "status", "status_date", "expected_date")
# Header names the dwellings import accepts (spec/interfaces.md), per language.
IMPORT_HEADERS = {
    "en": COLUMNS,
    "nl": ("kenmerk", "gemeente", "corporatie", "zorgaanbieder", "locatie", "bouwtype", "route", "status",
           "statusdatum", "verwachte_oplevering"),
}
# Values the import accepts in Dutch.
DUTCH_VALUES = {
    "status": {"searching": "zoekend", "location_found": "locatie gevonden", "available": "beschikbaar",
               "occupied": "bewoond", "withdrawn": "vervallen"},
    "building_type": {"existing": "bestaande bouw", "transformation": "transformatie", "new_build": "nieuwbouw"},
    "route": {"scattered": "gespikkeld", "project": "projectmatig"},
}


# The page shows the list in two views of its columns, each read whole on a tablet at 820 px (all
# ten side by side need some 1.050 px: their headers alone are wider than the page, so the last
# columns, the dates among them, were cut off behind a sideways scroll). The ref leads both; the
# status view keeps its rows one line high (a long site, free text, wraps in the other view); the
# downloads hold every column.
VIEWS = {
    "status": ("ref", "municipality", "status", "status_date", "expected_date"),
    "partners": ("ref", "site", "corporation", "care_provider", "building_type", "route"),
}

# The page shows this many rows (the first by ref) with the total; the downloads hold them all.
PAGE_ROWS = 500


def _current_change_id(as_of: date, known=None):
    """The id of the dwelling's latest non-voided change on or before D, as known at K (NULL: it did
    not exist yet): one backward step in the covering index ix_change_current per dwelling."""
    return (select(CHANGE.id)
            .where(CHANGE.dwelling_id == DWELLING.id, live(CHANGE, known), CHANGE.effective_on <= as_of)
            .order_by(CHANGE.effective_on.desc(), CHANGE.id.desc()).limit(1)
            .correlate(DWELLINGS).scalar_subquery())


def _clauses(actor: Actor, scope: DwellingFilter) -> list:
    own = row_scope(actor)
    clauses = scope.clauses()
    if own is not None:
        clauses += DwellingFilter(organisation_id=own).clauses()
    return clauses


def dwelling_rows(session: Session, actor: Actor, as_of: date,
                  scope: DwellingFilter = NO_DWELLING_FILTER, limit: int | None = None,
                  offset: int = 0) -> list[dict]:
    """Every dwelling existing at D that the actor may see, with its status and the date it took
    effect, by ref; `limit`/`offset` page through them in SQL. Raises AccessDenied for a role
    without row-level access."""
    clauses = _clauses(actor, scope)
    municipality, corporation, provider = (aliased(Organisation) for _ in range(3))
    query = (
        select(DWELLING.ref, municipality.name.label("municipality"), corporation.name.label("corporation"),
               provider.name.label("care_provider"), DWELLING.site, DWELLING.building_type, DWELLING.route,
               CHANGE.status, CHANGE.effective_on.label("status_date"), DWELLING.expected_date)
        .select_from(DWELLINGS.join(CHANGES, CHANGE.id == _current_change_id(as_of, known_at_of(session)))
                     .join(municipality, municipality.id == DWELLING.municipality_id)
                     .outerjoin(corporation, corporation.id == DWELLING.corporation_id)
                     .outerjoin(provider, provider.id == DWELLING.care_provider_id))
        .where(*clauses).order_by(DWELLING.ref))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [dict(row) for row in session.execute(query).mappings().all()]


def dwelling_count(session: Session, actor: Actor, as_of: date,
                   scope: DwellingFilter = NO_DWELLING_FILTER) -> int:
    """How many rows dwelling_rows gives without a limit: the dwellings in scope (and the actor's)
    with a status change on or before D, counted from their histories (eet.figures.timeline)."""
    own = row_scope(actor)
    timeline = timeline_of(session)
    exists = timeline.dwelling_first_day() <= day_number(as_of)
    for narrowing in (scope, DwellingFilter(organisation_id=own) if own is not None else NO_DWELLING_FILTER):
        mask = timeline.dwelling_scope(narrowing)
        if mask is not None:
            exists &= mask
    return int(exists.sum())


def export_cells(rows: list[dict], lang: str) -> list[list[object]]:
    """Header and rows in the import's columns and spelling for the language."""
    table: list[list[object]] = [list(IMPORT_HEADERS[lang])]
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row[column]
            if lang == "nl" and column in DUTCH_VALUES and value is not None:
                value = DUTCH_VALUES[column].get(value, value)
            if isinstance(value, date):
                value = value.strftime("%d-%m-%Y") if lang == "nl" else value.isoformat()
            cells.append(neutralise(value))
        table.append(cells)
    return table


def to_csv(rows: list[dict], lang: str) -> bytes:
    """UTF-8 with BOM and semicolons (what Dutch Excel opens correctly); the import reads both."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([["" if cell is None else cell for cell in line] for line in export_cells(rows, lang)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict], lang: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = texts.t("page_dwellings", lang)
    for line in export_cells(rows, lang):
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv_for(session: Session, actor: Actor, as_of: date, scope: DwellingFilter, lang: str) -> bytes:
    return to_csv(dwelling_rows(session, actor, as_of, scope), lang)


def to_xlsx_for(session: Session, actor: Actor, as_of: date, scope: DwellingFilter, lang: str) -> bytes:
    return to_xlsx(dwelling_rows(session, actor, as_of, scope), lang)
