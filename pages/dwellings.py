"""Woningen: dwellings per municipality stacked by status, with filters; the counter over time with
the target and the deadline; the rows this role may see, with downloads."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from ui import style
from eet.charts import base as charts
from eet.texts import formatting as fmt
from eet.charts import viewer as viewer_charts
from eet.accounts.access import can_read_rows
from eet.store.coalition import LAUNCH
from eet.figures.dwelling_table import PAGE_ROWS
from eet.figures import DwellingFilter
from eet.texts import label, t
from eet.figures.privacy import threshold
from eet.store.models import BUILDING_TYPES, ROUTES
from eet.figures import pledges, progress
from ui import pledges as pledge_ui
from eet.figures import dwelling_table
from eet.entry import organisations
from eet import figures

actor, lang, as_of = ui.context()
st.title(t("page_dwellings", lang) + " · " + fmt.long_date(as_of, lang))
ui.demo_banner(lang)


FILTERS = ("f_corp", "f_care", "f_type", "f_route")


def _keep(key: str) -> None:
    st.session_state[f"kept_{key}"] = st.session_state[key]


def choose(column, title: str, options: list, format_func, key: str):
    """A filter select box; None means all. Its choice is kept under a key of its own
    (`kept_<key>`), because Streamlit forgets a widget's state when the page changes."""
    kept = st.session_state.get(f"kept_{key}")
    st.session_state[key] = kept if kept in options else None
    return column.selectbox(fmt.plain(title), [None, *options], key=key, on_change=_keep, args=(key,),
                            placeholder=t("all", lang),
                            format_func=lambda v: t("all", lang) if v is None else format_func(v))


corporations = dict(ui.read(organisations.partners, "housing_corporation"))
providers = dict(ui.read(organisations.partners, "care_provider"))
# A collapsed panel still says that filters are on, and how many.
active = sum(st.session_state.get(f"kept_{key}") is not None for key in FILTERS)
with st.expander(t("filters_active", lang, n=fmt.number(active, lang)) if active else t("filters", lang), expanded=False,
                 key="f_panel", icon=":material/filter_alt:" if active else None):
    cols = st.columns(4)
    scope = DwellingFilter(
        corporation_id=choose(cols[0], t("corporation", lang), list(corporations), corporations.get, "f_corp"),
        care_provider_id=choose(cols[1], t("care_provider", lang), list(providers), providers.get, "f_care"),
        building_type=choose(cols[2], t("building_type", lang), list(BUILDING_TYPES),
                             lambda v: label("building_type", v, lang), "f_type"),
        route=choose(cols[3], t("route", lang), list(ROUTES), lambda v: label("route", v, lang), "f_route"),
    )

# Occupied dwellings are people: suppressed for viewers (eet.figures.privacy rule 4).
totals, by_municipality = ui.read(progress.dwellings_for, actor, as_of, scope)
goals = ui.read(figures.targets, as_of)
goal = goals.get("dwellings")

if totals["ambition"] + totals["withdrawn"] == 0:
    st.info(t("no_dwellings_filter" if scope != DwellingFilter() else "no_dwellings", lang))
else:
    cols = st.columns(3)
    cols[0].metric(t("counter", lang), fmt.number(totals["counter"], lang), border=True)
    cols[1].metric(t("pipeline", lang), fmt.number(totals["pipeline"], lang), border=True)
    cols[2].metric(t("ambition", lang), fmt.number(totals["ambition"], lang), border=True)

    st.subheader(t("by_municipality", lang))
    # Built once per data version and view (ui.built): validating a Plotly figure costs more than
    # the cached read it draws.
    style.chart(ui.built(viewer_charts.municipality_stacked, by_municipality, lang, key=(actor, as_of, scope)),
                key="by_municipality_chart")
    statuses = ("counter", "pipeline", "location_found", "available", "occupied", "withdrawn")
    if any(not isinstance(row["occupied"], int) for row in by_municipality.values()):
        # Their sum, where they stand together; where they stand together in every row, the two
        # columns would only repeat "in bewoond of beschikbaar": the sum's column alone.
        together_everywhere = all(not isinstance(row["occupied"], int) for row in by_municipality.values())
        # The sum first, after location found: for most municipalities it is the only occupied
        # figure, and a table wider than the page cut it off at 1280 px (issue 26); the split,
        # shown for a few, last.
        statuses = (*statuses[:3], "in_use", statuses[5], *(() if together_everywhere else statuses[3:5]))

    def column(status: str) -> list:
        """Numbers, or all text where a viewer's column holds a cell shown only in a sum."""
        values = [row[status] for row in by_municipality.values()]
        return values if all(isinstance(v, int) for v in values) else [viewer_charts.cell(v, lang) for v in values]

    fx.dataframe(
        {t("municipality", lang): list(by_municipality),
         **{(t(s, lang) if s in ("counter", "pipeline") else label("status", s, lang)):
            column(s) for s in statuses}},
        hide_index=True, key="by_municipality_table")
    if "in_use" in statuses:
        st.caption(t("combined_note", lang, n=threshold()))
    if scope == DwellingFilter():  # pledges are of whole municipalities: not under a filter
        pledge_ui.draw(ui.read(pledges.pledge_view, as_of), lang)  # issue 23

    st.subheader(t("trend", lang))
    points = ui.read(figures.counter_trend, as_of, scope)
    style.chart(ui.built(charts.dwelling_trend, points, int(goal.value) if goal else None,
                         goal.due_on if goal else None, LAUNCH, lang, key=(as_of, scope)), key="trend_chart")

st.subheader(t("dwelling_table", lang, as_of=fmt.long_date(as_of, lang)))
if not can_read_rows(actor):
    st.info(t("table_viewer", lang))
else:
    rows = ui.read(dwelling_table.dwelling_rows, actor, as_of, scope, PAGE_ROWS)
    total = ui.read(dwelling_table.dwelling_count, actor, as_of, scope) if len(rows) == PAGE_ROWS else len(rows)
    if actor.role == "coordinator":
        st.caption(t("table_own_org", lang))
    if not rows:
        st.info(t("no_dwellings_filter", lang))
    else:
        def show(value, column):
            if value is None:  # a dash, as everywhere; a table would draw an English "None"
                return fmt.MISSING
            if isinstance(value, date):
                return fmt.short_date(value, lang)
            if column in ("status", "building_type", "route") and value is not None:
                return label(column, value, lang)
            return value

        # Two views of the columns, each read whole at 820 px (dwelling_table.VIEWS)
        views = {"status": t("dwelling_view_status", lang), "partners": t("dwelling_view_partners", lang)}
        view = st.segmented_control(t("dwelling_view", lang), list(views), default="status", required=True,
                                    format_func=views.get, key="dwelling_view") or "status"
        columns = dwelling_table.VIEWS[view]
        heading = {"site": "site_column"}  # the form says "never a person's name"; a column just "Locatie"
        fx.dataframe({t(heading.get(c, c), lang): [show(r[c], c) for r in rows] for c in columns}, hide_index=True,
                     key="dwelling_rows")
        if total > len(rows):
            st.caption(t("table_first_rows", lang, shown=fmt.number(len(rows), lang), total=fmt.number(total, lang)))
        stamp = as_of.isoformat()
        # side by side, each as wide as its words, wrapping on a narrow page (a column of 1/7 cut
        # "Downloaden (csv)" to "Downloade…" at 1280 px)
        downloads = st.container(horizontal=True, gap="small")
        downloads.download_button(t("download_csv", lang), ui.deferred(dwelling_table.to_csv_for, actor, as_of, scope, lang),
                             file_name=f"woningen-{stamp}.csv", mime="text/csv", key="dl_csv")
        downloads.download_button(t("download_xlsx", lang),
                              ui.deferred(dwelling_table.to_xlsx_for, actor, as_of, scope, lang),
                              file_name=f"woningen-{stamp}.xlsx", key="dl_xlsx",
                              mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
