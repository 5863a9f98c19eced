"""The meeting pack: the review of `eet.review` as one self-contained .html file (charts included and
interactive, plotly.js embedded once, opens offline, prints on A4 portrait) or as an .xlsx file with
every table on a sheet of its own.

Both are built from the same tables (`eet.review.tables`) and charts (`eet.charts.review`) as the
review page. Every text that a person typed (titles, decisions, owners, site names) is escaped in
the html: it is shown as text, never read as markup, and written as text (never a formula) in the
xlsx.

The pack is sent round: it is an aggregate export, so small counts are suppressed in it whoever
makes it (spec/interfaces.md, EET_SMALL_COUNT). An admin or a researcher may ask for the exact
numbers (`exact=True`, `--exact`); such a pack says on its first page that it is not for
distribution.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date
from pathlib import Path
from string import Template

import plotly.io as pio
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlmodel import Session

from eet.texts import formatting as fmt
from eet.figures import disclosure, privacy
from eet.figures.recovery import recovery_rate
from eet.accounts.access import Actor, require_role
from eet.review.comparison import Review, build_review
from eet.charts import access
from eet.charts.base import plotly_config
from eet.charts.review import all_charts
from eet.review.tables import Percent, Table, all_tables, cell_text
from eet.review.known import known_tables, moment_text
from eet.texts import label, sheet, t
from eet.entry.spreadsheet import neutralise
from eet.review.files import EXACT_ROLES
from eet.figures.query import as_known_at
from eet.review import uncertainty_pack

TEMPLATE = Path(__file__).with_name("pack_template.html")
SUFFIXES = (".html", ".xlsx")
CHART_WIDTH = 700  # px: the printable width of A4 portrait with 12 mm margins
CHART_CONFIG = {"responsive": False}
PLOTLY_BASIC = Path(__file__).with_name("static") / "plotly-basic.min.js"
BASIC_TRACES = frozenset({"bar", "scatter", "pie"})
MAX_SHEET_NAME = 31


class ExportError(ValueError):
    """The pack cannot be written as asked (unknown file type, unwritable place)."""


def meeting_pack(session: Session, actor: Actor, as_of: date, compare_with: date | None = None,
                 basis: str = "comparison", exact: bool = False) -> Review:
    """The review as the pack shows it: small counts suppressed, unless an admin or researcher asks
    for the exact numbers (anyone else asking is refused)."""
    if exact:
        require_role(actor, *EXACT_ROLES)
    review = build_review(session, actor, as_of, compare_with, basis, suppressed=not exact)
    review.exact = exact and not review.suppressed
    # A recorded meeting's research figures, intervals and groups as presented too (issue 22).
    with as_known_at(session, review.known_at):
        review.research = research_figures(session, as_of)  # issue 17: recovery and business case
        # Issue 29: the headline rates' intervals and the outcomes by group, as this pack may show them.
        review.uncertainty = uncertainty_pack.uncertainty_figures(session, as_of, review.suppressed)
    return review


def pack_bytes(session: Session, actor: Actor, suffix: str, as_of: date, compare_with: date | None = None,
               lang: str = "nl", basis: str = "comparison", exact: bool = False) -> bytes:
    """The pack as the bytes of a .html or .xlsx file (the review page's download)."""
    review = meeting_pack(session, actor, as_of, compare_with, basis, exact)
    return to_html(review, lang).encode("utf-8") if suffix == ".html" else to_xlsx(review, lang)


def write_pack(session: Session, actor: Actor, path: Path, as_of: date, compare_with: date | None = None,
               lang: str = "nl", basis: str = "comparison", exact: bool = False) -> Review:
    """Write the pack to `path`; its suffix (.html or .xlsx) chooses the format."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ExportError(f"{path.name}: the meeting pack is written as .html or .xlsx, not '{suffix or 'no suffix'}'")
    review = meeting_pack(session, actor, as_of, compare_with, basis, exact)
    data = to_html(review, lang).encode("utf-8") if suffix == ".html" else to_xlsx(review, lang)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ExportError(f"{path} cannot be written: {exc.strerror or exc}") from None
    return review


# --- html ----------------------------------------------------------------------------------------

def _e(text) -> str:
    return html.escape(str(text), quote=True)


_DATED = re.compile(r"\d{2}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2}")


def _unbroken(found: re.Match) -> str:
    """A date (already escaped) in a span the screen keeps on one line (pack_template.html)."""
    return f'<span class="date">{found.group(0)}</span>'


def _table_html(table: Table, lang: str, heading: bool = True) -> str:
    numeric = {i for i, _ in enumerate(table.columns)
               if any(isinstance(row[i], (int, float)) and not isinstance(row[i], bool) for row in table.rows)}
    # A date in a header is read whole ("15-01-2021" broke at its hyphens, issue 26).
    head = "".join(f'<th class="{"num" if i in numeric else ""}">{_DATED.sub(_unbroken, _e(c))}</th>'
                   for i, c in enumerate(table.columns))
    body = []
    for row in table.rows:
        cells = []
        for i, value in enumerate(row):
            signed = i in table.change_columns
            classes = ["num"] if i in numeric else ["text"]
            if isinstance(value, str) and len(value) > 12 and i > 0:  # words in a column of figures
                classes.append("words")
            if signed and isinstance(value, (int, float)) and value:
                classes.append("up" if value > 0 else "down")
            cells.append(f'<td class="{" ".join(classes)}">{_e(cell_text(value, lang, signed))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    out = f'<h3>{_e(table.title)}</h3>' if heading else ""
    if table.rows:
        # Wider than the page, a table scrolls (a keyboard reaches it) rather than being cut off.
        out += (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{_e(table.title)}">'
                f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')
    if table.note:
        out += f'<p class="note">{_e(table.note)}</p>'
    elif not table.rows:  # never a heading with nothing under it
        out += f'<p class="note">{_e(t("pack_table_empty", lang))}</p>'
    return f'<div class="block table-{_e(table.key)}">{out}</div>'


def _forecast_sentences(review: Review, lang: str) -> str:
    items = []
    for f in review.forecasts:
        measure = t(f"forecast_{f.measure}", lang)
        if f.pace_per_month is None and review.suppressed:
            items.append(t("forecast_hidden", lang, measure=measure, n=privacy.threshold()))
            continue
        verdict = {True: "on_track", False: "behind", None: "unknown_track"}[f.on_track]
        items.append(t("forecast_sentence", lang, measure=measure, now=fmt.number(f.now, lang),
                       as_of=fmt.long_date(f.as_of, lang), pace=fmt.figure(f.pace_per_month, lang),
                       since=fmt.long_date(f.since, lang),
                       projected=fmt.number(f.projected, lang), due=fmt.long_date(f.due_on, lang),
                       verdict=t(verdict, lang), gap=fmt.number(f.gap, lang),
                       needed=fmt.figure(f.needed_per_month, lang)))
    return '<ul class="forecast">' + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>"


def plotly_library(figures) -> str:
    """plotly.js for the pack, once: the basic bundle (bar, scatter, pie: 1.2 MB, vendored from npm's
    plotly.js-basic-dist-min at the version plotly.py bundles) when every trace is of those kinds,
    else the full library (4.8 MB). The full one made the pack 4.9 MB and 6 s to open (issue 26)."""
    if all(trace.type in BASIC_TRACES for _, fig in figures for trace in fig.data):
        return PLOTLY_BASIC.read_text(encoding="utf-8")
    from plotly.offline import get_plotlyjs
    return get_plotlyjs()


def _data_table(fig, lang: str) -> str:
    columns, rows = access.data_table(fig, lang)
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in columns)
    body = "".join("<tr>" + "".join((f'<th scope="row">{_e(v)}</th>' if i == 0 else f'<td class="num">{_e(v)}</td>')
                                    for i, v in enumerate(row)) + "</tr>" for row in rows)
    return (f'<details class="chart-data"><summary>{_e(t("chart_table", lang))}</summary>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>')


def chart_divs(review: Review, lang: str, figures=None) -> dict[str, str]:
    """Each chart as an html fragment (plotly.js is not in it: `plotly_library`, once per pack):
    readable (eet.charts.access), its toolbar the PNG button in `lang`, with the sentence that gives
    its figures and its data as a table in a fold."""
    out = {}
    for key, fig in figures or all_charts(review, lang):
        access.readable(fig)
        fig.update_layout(width=CHART_WIDTH, autosize=False)
        drawing = pio.to_html(fig, full_html=False, include_plotlyjs=False,
                              config={**plotly_config(lang, key), **CHART_CONFIG},
                              div_id=f"chart-{key}", default_width=f"{CHART_WIDTH}px")
        out[key] = (drawing + f'<p class="note chart-summary">{_e(access.summary(fig, lang))}</p>'
                    + _data_table(fig, lang))
    return out


def to_html(review: Review, lang: str) -> str:
    tables = {table.key: table for table in all_tables(review, lang)}
    figures = all_charts(review, lang)
    charts = chart_divs(review, lang, figures)
    since, as_of = fmt.long_date(review.compare_with, lang), fmt.long_date(review.as_of, lang)

    def chart(key: str, caption: str | None = None) -> str:
        caption = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
        return f'<figure class="chart">{caption}{charts[key]}</figure>'

    def tables_of(*keys: str) -> str:
        return "".join(_table_html(tables[k], lang) for k in keys)

    subtitle = t("pack_subtitle", lang, as_of=as_of, since=since) if review.compared else \
        t("pack_subtitle_alone", lang, as_of=as_of)
    if review.known_at is not None:
        subtitle += f' ({t("known_at_mark", lang, moment=moment_text(review.known_at, lang))})'
    header = (f'<header><h1>{_e(t("pack_title", lang))}</h1>'
              f'<p class="subtitle">{_e(subtitle)}</p>'
              f'<p class="meta">{_e(t("pack_made", lang, today=fmt.long_date(date.today(), lang)))}</p></header>')
    if review.demo:
        header += f'<p class="demo">{_e(t("pack_demo", lang))}</p>'
    if review.known_at is not None:  # a recorded meeting's figures, as they were presented
        header += f'<p class="demo known">{_e(t("known_at_note", lang, moment=moment_text(review.known_at, lang)))}</p>'
    if review.exact:
        header += f'<p class="demo exact">{_e(t("pack_exact", lang))}</p>'
    if review.suppressed:
        header += f'<p class="note">{_e(t("pack_small_counts", lang, n=privacy.threshold()))}</p>'
    body = [
        header,
        f'<section><h2>{_e(t("headline", lang))}</h2>',
        chart("headline", t("group_dwellings", lang)), tables_of("dwellings", "coalition"),
        chart("status", t("group_status", lang)), tables_of("status"), "</section>",
        f'<section class="page"><h2>{_e(t("group_funnel", lang))}</h2>',
        chart("funnel"), _table_html(tables["funnel"], lang, heading=False),
        tables_of("lead_time", "retention"), "</section>",
        f'<section class="page"><h2>{_e(t("moved", lang))}</h2>',
        chart("municipality", t("moved_municipality", lang)),
        tables_of("municipality", *(["pledges"] if "pledges" in tables else []), "building_type", "route", "site"),
        "</section>",
        f'<section class="page"><h2>{_e(t("forecast", lang))}</h2>',
        f'<p>{_e(tables["forecast"].note)}</p>', _forecast_sentences(review, lang),
        chart("forecast_dwellings", t("forecast_dwellings", lang)),
        chart("forecast_participants", t("forecast_participants", lang)),
        _table_html(Table(**{**tables["forecast"].__dict__, "note": None}), lang, heading=False),
        tables_of("series"), "</section>",
        f'<section class="page"><h2>{_e(t("review_bottlenecks", lang, as_of=as_of))}</h2>',
        _table_html(tables["bottlenecks"], lang, heading=False), f'<h2>{_e(t("decisions", lang))}</h2>',
        _table_html(tables["decisions"], lang, heading=False), "</section>",
    ]
    research = research_tables(review, lang)
    if research:
        body += [f'<section class="page"><h2>{_e(t("pack_research", lang))}</h2>',
                 *(_table_html(table, lang) for table in research), "</section>"]
    body += _uncertainty_html(review, lang)
    known = known_tables(review, lang)
    if known:
        body.append(f'<section class="page"><h2>{_e(known[0].title)}</h2>'
                    + "".join(_table_html(table, lang, heading=i > 0) for i, table in enumerate(known)) + "</section>")
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        lang=_e(lang), title=_e(f'{t("pack_title", lang)} {fmt.short_date(review.as_of, lang)}'),
        plotly=plotly_library(figures), body="\n".join(body))


# --- how sure, and the outcomes by group (issue 29) ----------------------------------------------

def _uncertainty_html(review: Review, lang: str) -> list[str]:
    """The intervals table, then per grouping its chart (with its sentence) and its table; plotly.js
    is already in the pack (the first chart carries it)."""
    data = getattr(review, "uncertainty", None)
    if not data:
        return []
    tables = uncertainty_pack.tables(data, lang)
    figures_ = {key: (text, fig) for key, text, fig in uncertainty_pack.charts(data, lang)}
    out = [f'<section class="page"><h2>{_e(t("groups_title", lang))}</h2>', _table_html(tables[0], lang),
           f'<p class="note">{_e(t("groups_intro", lang))}</p>']
    for table in tables[1:]:
        if table.key in figures_:
            text, fig = figures_[table.key]
            # As every chart of the pack: readable, its figures in a sentence and a table (issue 26).
            div = chart_divs(review, lang, [(table.key, fig)])[table.key]
            out.append(f'<figure class="chart"><figcaption>{_e(uncertainty_pack.chart_title(table.key, lang))}'
                       f'</figcaption>{div}<p class="note">{_e(text)}</p></figure>')
        out.append(_table_html(table, lang))
    return out + ["</section>"]


# --- the research answers (issue 17) ------------------------------------------------------------

def research_figures(session: Session, as_of: date) -> dict:
    """Sustainable recovery (eet.figures.recovery) and the business case per payer at D, for the
    pack's research section (suppressed at render time when the pack is)."""
    from eet.figures import business_case as costs
    from eet.figures.recovery import recovery_12m

    from eet.figures import group_costs

    # Issue 29: beside the payers, the business case per group, exact and as a suppressed pack shows it.
    by_group = {by: (group_costs.costs_by(session, as_of, by), group_costs.costs_by(session, as_of, by, hide=True))
                for by in group_costs.COST_GROUPINGS}
    return {"recovery": recovery_12m(session, as_of), "payers": costs.per_payer(costs.business_case(session, as_of)),
            "costs_by_group": by_group}


def research_tables(review: Review, lang: str) -> list[Table]:
    """The recovery headline, its per-domain changes and the business case per payer as tables.
    In a suppressed pack the counts of people follow eet.figures.privacy: small counts as "<5", no
    rate that would give a small count back, and no domain with a small count."""
    figures_ = getattr(review, "research", None)
    if not figures_:
        return []
    r, hide = figures_["recovery"], review.suppressed
    count = privacy.suppress if hide else (lambda n: n)
    rate = recovery_rate(r, hide)
    recovery = Table("recovery", t("recovery_title", lang), [t("figure", lang), t("now", lang)], [
        [t("recovery_rate", lang), Percent(rate.value) if rate.value is not None
         else disclosure.rate_text(rate, lang) if rate.low is not None else None],
        [t("recovery_coverage", lang), count(r.measured)],
        [t("pack_cohort", lang), count(r.cohort)],
        [t("col_target", lang), Percent(r.target)],
    ], note=t("recovery_caption", lang, target=fmt.percent(r.target, lang, 0)))
    domains = [d for d in r.domains if d.scored and not (hide and any(privacy.small(n) for n in
                                                                      (d.improved, d.same, d.declined)))]
    scored = [d for d in r.domains if d.scored]
    # Never a heading with nothing under it (issue 26): what is left out, and why.
    left_out = (None if len(domains) == len(scored) else
                t("pack_domains_withheld", lang, n=privacy.threshold()) if domains else
                t("pack_domains_all_withheld", lang, n=privacy.threshold()))
    per_domain = Table("recovery_domains", t("recovery_domains", lang), [
        t("domain", lang), *(label("zrm_change", c, lang) for c in ("improved", "same", "declined"))],
        [[label("zrm", d.domain, lang), d.improved, d.same, d.declined] for d in domains],
        note=left_out if scored else t("pack_domains_none", lang))

    def euro(value: float | None) -> float | None:
        return None if value is None else round(value)

    payers = Table("business_case", t("bc_per_payer", lang), [
        t("bc_payer", lang), t("housing_first", lang), t("shelter_model", lang), t("bc_difference", lang)],
        [[label("payer", x.payer, lang), euro(x.housing_first), euro(x.shelter), euro(x.difference)]
         for x in figures_["payers"]], note=t("bc_payer_caption", lang))
    return [recovery, per_domain, payers, *group_cost_tables(figures_.get("costs_by_group", {}), hide, lang)]


GROUP_COST_SHEETS = {"care_provider": "business_case_care_provider", "building_type": "business_case_building_type"}


def group_cost_tables(by_group: dict, hide: bool, lang: str) -> list[Table]:
    """The business case per group of participants (eet.figures.group_costs), a table per grouping:
    in a suppressed pack the groups of disclosure rule 7 and no count housed or participant-years."""
    from eet.figures.group_tables import group_name

    out = []
    for by, (exact, pooled) in by_group.items():
        shown = pooled if hide else exact
        counts = [t("col_housed_n", lang), t("bc_participant_years", lang)] if not hide else []
        rows = [[group_name(by, g.key, lang), *([g.housed, round(g.participant_years, 1)] if not hide else []),
                 *(None if v is None else round(v) for v in (g.housing_first, g.shelter, g.difference))]
                for g in shown.groups if g.difference is not None]
        note = (t("bc_per_group_withheld", lang, n=privacy.threshold()) if shown.withheld
                else t("bc_per_group_caption", lang, scoped=fmt.number(shown.scoped, lang)) if rows
                else t("bc_per_group_empty", lang))
        out.append(Table(GROUP_COST_SHEETS[by], f'{t("bc_per_group", lang)}: {label("grouping", by, lang)}',
                         [t("group_column", lang), *counts, t("housing_first", lang), t("shelter_model", lang),
                          t("bc_difference", lang)], rows, note=note))
    return out


# --- xlsx ----------------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="F0F2F6")


def to_xlsx(review: Review, lang: str) -> bytes:
    """Every table on a sheet of its own, values as numbers and dates (suppressed counts as "<5"),
    plus a first sheet that says what the pack is."""
    book = Workbook()
    about = book.active
    about.title = _sheet_name(sheet("about", lang))
    rows = [
        (t("pack_title", lang), None),
        *([(t("pack_exact", lang), None)] if review.exact else []),
        (t("meeting_date", lang), review.as_of),
        (t("compare_with", lang), review.compare_with if review.compared else None),
        (t("pace_basis", lang), t(f"basis_{review.basis}", lang)),
        (t("col_target", lang) + " " + t("group_dwellings", lang).lower(), review.target["dwellings"]),
        (t("col_target", lang) + " " + t("participants_axis", lang).lower(), review.target["participants"]),
        (t("review_due_on", lang), date.fromisoformat(review.target["due_on"]) if review.target["due_on"] else None),
        (t("pack_made", lang, today=fmt.short_date(date.today(), lang)), None),
    ]
    if review.known_at is not None:
        rows.append((t("known_at_note", lang, moment=moment_text(review.known_at, lang)), None))
    if review.demo:
        rows.append((t("pack_demo", lang), None))
    if review.suppressed:
        rows.append((t("pack_small_counts", lang, n=privacy.threshold()), None))
    for row in rows:
        about.append([neutralise(v) for v in row])
    about["A1"].font = Font(bold=True, size=14)
    _format_cells(about, lang)
    about.column_dimensions["A"].width = 60
    about.column_dimensions["B"].width = 16

    for table in [*all_tables(review, lang), *research_tables(review, lang),
                  *uncertainty_pack.tables(getattr(review, "uncertainty", None), lang), *known_tables(review, lang)]:
        ws = book.create_sheet(_sheet_name(sheet(table.key, lang)))
        ws.append([neutralise(c) for c in table.columns])
        for i, row in enumerate(table.rows):
            # Every text cell (a site, a bottleneck's title, a decision, an owner) stays text: a
            # value typed as "=HYPERLINK(...)" must not become a live formula in the pack.
            ws.append([float(v) if isinstance(v, Percent) else neutralise(v) for v in row])
            for j, value in enumerate(row):
                number_format = _number_format(value, _in_euro(table, j))
                if number_format:
                    ws.cell(row=i + 2, column=j + 1).number_format = number_format
        if table.note:
            ws.append([])
            ws.append([neutralise(table.note)])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        _format_cells(ws, lang)
        for j, name in enumerate(table.columns, start=1):
            longest = max([len(str(name))] + [len(cell_text(r[j - 1], lang)) for r in table.rows if j - 1 < len(r)])
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, longest + 2), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EURO_TABLES = ("business_case",)  # amounts in euro after the first column


def _in_euro(table: Table, column: int) -> bool:
    """Whether a column holds amounts in euro: after the first of the business case per payer; the
    last three (Housing First, shelter, difference) of the business case per group."""
    if table.key.startswith("business_case_"):
        return column >= len(table.columns) - 3
    return table.key in EURO_TABLES and column > 0


def _number_format(value, euro: bool = False) -> str | None:
    """A cell's Excel number format: a share as a percentage (90%, 12.5%), an amount in euro, a
    count with a thousands separator and a fraction with one decimal. Excel writes them with the
    separators of the reader's language settings (90%, € 18.097, 8,3 in Dutch)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, Percent):
        return "0%" if round(value * 100, 6).is_integer() else "0.0%"
    if euro:
        return '"€" #,##0;"€" -#,##0'
    return "#,##0" if float(value).is_integer() else "#,##0.0"


def _format_cells(ws, lang: str) -> None:
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD-MM-YYYY" if lang == "nl" else "YYYY-MM-DD"


def _sheet_name(name: str) -> str:
    # Excel refuses these characters and names longer than 31.
    for bad in '[]:*?/\\':
        name = name.replace(bad, "-")
    return name[:MAX_SHEET_NAME]
