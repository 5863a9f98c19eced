"""The review as tables: one list that the review page, the html pack and the xlsx pack all show,
so the three cannot disagree. Cells keep their values (numbers, dates, "<5"); each door formats
them itself (`cell_text` for people, openpyxl number formats for the spreadsheet)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from eet.texts import formatting as fmt
from eet.figures import privacy
from eet.figures.disclosure import COMBINED, Rate, rate_text
from eet.review.comparison import MOVED_MEASURES, Moved, Review
from eet.texts import label, sheet, t


class Percent(float):
    """A fraction shown as a percentage (a rate, or a change of one in points)."""


@dataclass
class Table:
    key: str  # also the sheet of the xlsx pack
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    codes: list[str] | None = None  # per row, the figure's key in the JSON report (headline tables)
    change_columns: tuple[int, ...] = ()  # shown with a sign
    note: str | None = None


HEADLINE_GROUPS = ("dwellings", "status", "coalition", "funnel", "lead_time", "retention")
REPORT_PATHS = {
    "dwellings": "dwellings.{item}", "status": "dwellings.by_status.{item}", "coalition": "coalition.{item}",
    "funnel": "participants.funnel.{item}", "lead_time": "participants.lead_time_days.{item}",
    "retention": "participants.retention_12m.{item}",
}


def cell_text(value, lang: str, signed: bool = False) -> str:
    """A cell as people read it, Dutch or English."""
    if isinstance(value, Percent):
        if signed:  # a change of a rate is in percentage points
            return fmt.signed(value * 100, lang, 1) + (" %-punt" if lang == "nl" else " pt")
        return fmt.percent(value, lang)
    if isinstance(value, date):
        return fmt.short_date(value, lang)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt.figure(value, lang, signed)
    if value is None:
        return fmt.MISSING
    return str(value)


def item_label(group: str, item: str, review: Review, lang: str) -> str:
    if group == "dwellings":
        return t(f"measure_{item}" if item != "ambition" else "ambition", lang)
    if group == "status":
        return label("status", item, lang)
    if group == "funnel":
        return label("step", item, lang)
    if group == "retention" and item == "rate":
        return t("item_rate", lang, target=fmt.percent(review.target["retention"], lang, 0))
    return t(f"item_{item}", lang)


def _percent(value):
    return Percent(value) if isinstance(value, float) else value


def shown_cell(value, lang: str):
    """A cell of the disclosure pass as the tables hold it: a rate exact (Percent) or as its band
    in words, occupied / available shown only in their sum as the words that say so."""
    if isinstance(value, Rate):
        return Percent(value.value) if value.value is not None else (
            rate_text(value, lang) if value.low is not None else None)
    if value == COMBINED:
        return t("combined_cell", lang)
    return value


def headline_tables(review: Review, lang: str) -> list[Table]:
    then, now = fmt.short_date(review.compare_with, lang), fmt.short_date(review.as_of, lang)
    tables = []
    for group in HEADLINE_GROUPS:
        table = Table(group, t(f"group_{group}", lang), [t("figure", lang), then, now, t("change", lang)],
                      codes=[], change_columns=(3,))
        for figure in (f for f in review.headline if f.group == group):
            wrap = _percent if figure.item == "rate" else (lambda v: v)
            table.rows.append([item_label(group, figure.item, review, lang), wrap(shown_cell(figure.then, lang)),
                               wrap(shown_cell(figure.now, lang)), wrap(figure.change)])
            if not review.compared:  # at or before the launch: D alone
                del table.rows[-1][1], table.rows[-1][-1]
            table.codes.append(REPORT_PATHS[group].format(item=figure.item))
        if group == "funnel" and review.suppressed:
            table.note = t("small_counts_note", lang, n=privacy.threshold())
        if review.suppressed and group in ("funnel", "lead_time", "retention") and any(
                f.group == group and None in ((f.then, f.now) if review.compared else (f.now,))
                for f in review.headline):
            table.note = " ".join(filter(None, [table.note, t("withheld_note", lang, n=privacy.threshold() - 1)]))
        if review.suppressed and group == "status" and any(
                f.group == "status" and COMBINED in (f.then, f.now) for f in review.headline):
            table.note = t("combined_note", lang, n=privacy.threshold())
        if not review.compared:
            table.columns, table.change_columns = [table.columns[0], now], ()
        tables.append(table)
    return tables


def moved_table(key: str, rows: list[Moved], review: Review, lang: str, only_moved: bool = False) -> Table:
    then, now = fmt.short_date(review.compare_with, lang), fmt.short_date(review.as_of, lang)
    first = {"municipality": t("municipality", lang), "building_type": t("building_type", lang),
             "route": t("route", lang), "site": t("site_column", lang)}[key]
    columns = [first]
    for measure in MOVED_MEASURES:
        name = t(f"measure_{measure}", lang)
        columns += [f"{name} {then}", f"{name} {now}", f"± {name.lower()}"]
    shown = [row for row in rows if row.moved] if only_moved else rows
    table = Table(key, t(f"moved_{key}", lang), columns,
                  change_columns=tuple(3 * (i + 1) for i in range(len(MOVED_MEASURES))))
    for row in shown:
        name = label(key, row.key, lang) if key in ("building_type", "route") else (
            row.key if row.key is not None else t("not_recorded", lang))
        cells = [name]
        for measure in MOVED_MEASURES:
            cells += [shown_cell(row.then[measure], lang), shown_cell(row.now[measure], lang),
                      row.change(measure)] if review.compared else [shown_cell(row.now[measure], lang)]
        table.rows.append(cells)
    if not review.compared:  # at or before the launch: D alone
        table.columns = [first] + [t(f"measure_{m}", lang) + f" {now}" for m in MOVED_MEASURES]
        table.change_columns = ()
    if only_moved:
        table.note = t("moved_site_note", lang, n=len(shown), total=len(rows))
    elif review.compared and not any(row.moved for row in rows):
        table.note = t("nothing_moved", lang)
    return table


def forecast_table(review: Review, lang: str) -> Table:
    first = review.forecasts[0]
    due = fmt.short_date(first.due_on, lang)
    table = Table("forecast", t("forecast", lang),
                  [t("figure", lang), fmt.short_date(first.since, lang), fmt.short_date(first.as_of, lang),
                   t("col_pace", lang), t("col_projected", lang, due=due), t("col_target", lang),
                   t("col_gap", lang), t("col_needed", lang), t("col_verdict", lang)])
    for f in review.forecasts:
        verdict = {True: "on_track", False: "behind", None: "unknown_track"}[f.on_track]
        table.rows.append([t(f"forecast_{f.measure}", lang), f.then, f.now,
                           None if f.pace_per_month is None else round(f.pace_per_month, 1),
                           None if f.projected is None else round(f.projected),
                           f.target, f.gap,
                           None if f.needed_per_month is None else round(f.needed_per_month, 1),
                           t(verdict, lang)])
    basis = t(f"basis_{review.basis}", lang)
    table.note = t("forecast_intro", lang, since=fmt.long_date(first.since, lang),
                   as_of=fmt.long_date(first.as_of, lang), basis=basis, due=fmt.long_date(first.due_on, lang))
    return table


def series_table(review: Review, lang: str) -> Table:
    table = Table("series", sheet("series", lang),
                  [t("held_on", lang), t("forecast_dwellings", lang), t("forecast_participants", lang)])
    table.rows = [[p["date"], p["counter"], p["housed"]] for p in review.series]
    return table


def bottleneck_table(review: Review, lang: str) -> Table:
    table = Table("bottlenecks", t("review_bottlenecks", lang, as_of=fmt.long_date(review.as_of, lang)),
                  [t("title", lang), t("domain", lang), t("owner", lang), t("status", lang), t("raised_on", lang)])
    table.rows = [[b["title"], label("domain", b["domain"], lang), b["owner"] or fmt.MISSING,
                   label("bottleneck_status", b["status"], lang), b["raised_on"]] for b in review.bottlenecks]
    if not table.rows:
        table.note = t("bottlenecks_empty", lang)
    return table


def decision_table(review: Review, lang: str) -> Table:
    table = Table("decisions", t("decisions", lang),
                  [t("held_on", lang), t("meeting", lang), t("topic", lang), t("decision", lang),
                   t("owner", lang), t("review_due_on", lang), t("status", lang)])
    table.rows = [[d["meeting_held_on"], d["meeting_title"], label("topic", d["topic"], lang), d["decision"],
                   d["owner"] or fmt.MISSING, d["due_on"], label("decision_status", d["status"], lang)]
                  for d in review.decisions]
    table.note = t("decisions_note", lang) if table.rows else t("no_decisions", lang)
    return table


def pledge_sentences(view, lang: str) -> tuple[str, str, str | None]:
    """What the pledge table says beside it: how to read it, the sum of the pledges beside the
    ambition and the target, and who is behind (None: nobody)."""
    due = fmt.long_date(view.due_on, lang) if view.due_on else fmt.MISSING
    total = t("pledges_sum", lang, pledged=fmt.number(view.pledged, lang), ambition=fmt.number(view.ambition, lang),
              target=fmt.number(view.target, lang) if view.target is not None else fmt.MISSING, due=due)
    behind = t("pledges_behind", lang, names=", ".join(view.behind)) if view.behind else None
    return t("pledges_intro", lang, due=due), total, behind


def pledge_table(view, lang: str) -> Table:
    """Per municipality at D its pledge, counter and pipeline, the share realised, its pace since the
    launch against the pace the pledge needs, and whether it is on track (eet.figures.pledges), with
    the sum of the pledges beside the ambition and the target in the note. The overview, the
    dwellings page, the review page and the pack show this one table."""
    table = Table("pledges", t("pledges_title", lang),
                  [t("municipality", lang), t("pledge_col", lang), t("measure_counter", lang),
                   t("measure_pipeline", lang), t("pledge_share", lang), t("pledge_pace_so_far", lang),
                   t("pledge_pace_needed", lang), t("col_verdict", lang)])
    for s in view.standings:
        verdict = None if s.pledge is None else t(
            {True: "pledge_on_track", False: "pledge_behind", None: "unknown_track"}[s.on_track], lang)
        table.rows.append([s.municipality, s.pledge, s.counter, s.pipeline,
                           None if s.share is None else Percent(s.share),
                           None if s.pace_so_far is None else round(s.pace_so_far, 1),
                           None if s.pace_needed is None else round(s.pace_needed, 1), verdict])
    table.note = " ".join(filter(None, pledge_sentences(view, lang)))
    return table


def all_tables(review: Review, lang: str) -> list[Table]:
    """Every table of the review, in the order of the pack."""
    return [
        *headline_tables(review, lang),
        moved_table("municipality", review.by_municipality, review, lang),
        *([pledge_table(review.pledges, lang)] if review.pledges is not None else []),
        moved_table("building_type", review.by_initiative["building_type"], review, lang),
        moved_table("route", review.by_initiative["route"], review, lang),
        moved_table("site", review.by_initiative["site"], review, lang, only_moved=True),
        forecast_table(review, lang),
        series_table(review, lang),
        bottleneck_table(review, lang),
        decision_table(review, lang),
    ]


def measure_view(table: Table, measure: str, compared: bool) -> Table:
    """A table of what moved (moved_table) narrowed to one measure: the first column and that
    measure's columns (both dates and the change, or D alone), so that it reads whole on a tablet."""
    i = MOVED_MEASURES.index(measure)
    keep = [0, *(range(1 + 3 * i, 4 + 3 * i) if compared else (1 + i,))]
    return Table(table.key, table.title, [table.columns[j] for j in keep],
                 [[row[j] for j in keep] for row in table.rows],
                 change_columns=(3,) if compared else (), note=table.note)


def transposed(table: Table) -> Table:
    """Rows become columns: a table of two or three rows and many columns (the forecast) as one
    that is narrow enough to read whole; its first row's cells become the headers."""
    columns = [table.columns[0], *(str(row[0]) for row in table.rows)]
    rows = [[name, *(row[j] for row in table.rows)] for j, name in enumerate(table.columns) if j > 0]
    return Table(table.key, table.title, columns, rows, note=table.note)
