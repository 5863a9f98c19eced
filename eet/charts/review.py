"""The charts of the review: the two dates side by side, and the forecasts. Built from a `Review`
(plain data) and a language; drawn by the review page and embedded in the meeting pack. Colours,
fonts and number separators are those of `eet.charts`."""

from __future__ import annotations

import plotly.graph_objects as go

from eet.charts import base as charts
from eet.texts import formatting as fmt
from eet.figures.disclosure import COMBINED
from eet.review.comparison import Review
from eet.texts import label, t

THEN_COLOUR = charts.OKABE_ITO["sky_blue"]
NOW_COLOUR = charts.MAIN_COLOUR
WORD_COLOUR = "#555555"  # text beside a bar (a value that does not fit in it, or a cell in words)


def _two_dates(review: Review, names: list[str], then: list, now: list, lang: str,
               horizontal: bool = False) -> go.Figure:
    """Grouped bars: the comparison date and the meeting date.

    A cell that has no bar says so in words where its bar would be: a suppressed count "<5", a
    withheld one "niet getoond", occupied / available shown only in their sum "in bewoond of
    beschikbaar" (never a missing bar without a word: eet.figures.disclosure). Such a word is written
    from the axis outwards (so it needs the horizontal bars of the status and funnel charts).

    Two bars side by side are narrow: a value is printed inside its bar, at the end, when it fits there
    (so a tall bar's value cannot run into the target line above it), else just past the end; either
    way it is shrunk to the bar's width and hidden when it would get too small to read
    (eet.charts.UNIFORM_TEXT), so it never runs into its neighbour's. The hover and the table next
    to the chart hold every value."""
    fig = go.Figure()
    then, now = ([_word(v, lang) for v in values] for values in (then, now))
    dates = ((review.compare_with, then, THEN_COLOUR), (review.as_of, now, NOW_COLOUR))
    for day, values, colour in dates if review.compared else dates[1:]:  # at the launch: D alone
        heights = charts._heights(values)
        beside = [isinstance(v, str) or v == 0 for v in values]  # no bar to hold it: a word, "<5" or 0
        axis = dict(y=names, x=heights, orientation="h") if horizontal else dict(x=names, y=heights)
        fig.add_bar(**axis, name=fmt.long_date(day, lang), marker_color=colour,
                    text=charts._texts(values, lang),
                    textposition=["outside" if b else "auto" for b in beside],
                    outsidetextfont=dict(color=WORD_COLOUR),
                    insidetextanchor="end", cliponaxis=False,
                    hovertemplate="%{" + ("y" if horizontal else "x") + "}, %{fullData.name}: %{text}<extra></extra>")
    fig.update_layout(bargroupgap=0.08)
    return fig


def _word(value, lang: str):
    if value is None:
        return t("funnel_withheld_bar", lang)
    if value == COMBINED:
        return t("combined_cell", lang)
    return value


def headline_chart(review: Review, lang: str) -> go.Figure:
    """Counter, pipeline and ambition at both dates, against the dwelling target."""
    items = ("counter", "pipeline", "ambition")
    rows = {f.item: f for f in review.headline if f.group == "dwellings"}
    fig = _two_dates(review, [t(f"measure_{i}" if i != "ambition" else "ambition", lang) for i in items],
                     [rows[i].then for i in items], [rows[i].now for i in items], lang)
    target = review.target["dwellings"]
    if target:
        fig.add_hline(y=target, line=dict(color=charts.TARGET_COLOUR, width=2, dash="dash"),
                      annotation_text=t("target_line", lang, target=fmt.number(target, lang)),
                      annotation_position="top left", annotation_font_color=charts.TARGET_COLOUR)
    fig.update_yaxes(title=t("dwellings_axis", lang), range=[0, max(target or 0, *charts._heights(
        [rows[i].now for i in items] + [rows[i].then for i in items])) * 1.15])
    return charts._layout(fig, lang, height=340, barmode="group")


def status_chart(review: Review, lang: str) -> go.Figure:
    """The dwellings per status at both dates, as horizontal bars so that a status shown only in
    a sum (occupied / available for a viewer) can say so in words beside the axis."""
    rows = [f for f in review.headline if f.group == "status"]
    fig = _two_dates(review, [label("status", f.item, lang) for f in rows], [f.then for f in rows],
                     [f.now for f in rows], lang, horizontal=True)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("dwellings_axis", lang),
                     range=[0, max(charts._heights([f.now for f in rows] + [f.then for f in rows]) + [1]) * 1.2])
    return charts._layout(fig, lang, height=120 + 56 * len(rows), barmode="group")


def municipality_chart(review: Review, lang: str) -> go.Figure:
    """The counter per municipality at both dates, largest at the top; the earlier date's bar above
    the later one's, as in the legend."""
    rows = sorted(review.by_municipality, key=lambda m: (-m.now["counter"], m.key))
    fig = _two_dates(review, [m.key for m in rows], [m.then["counter"] for m in rows],
                     [m.now["counter"] for m in rows], lang, horizontal=True)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("measure_counter", lang) + " (" + t("dwellings_axis", lang).lower() + ")",
                     range=[0, max([m.now["counter"] for m in rows] + [1]) * 1.15])
    return charts._layout(fig, lang, height=max(300, 120 + 56 * len(rows)), barmode="group")


def funnel_chart(review: Review, lang: str) -> go.Figure:
    rows = [f for f in review.headline if f.group == "funnel"]
    fig = _two_dates(review, [label("step", f.item, lang) for f in rows], [f.then for f in rows],
                     [f.now for f in rows], lang, horizontal=True)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("participants_axis", lang),
                     range=[0, max(charts._heights([f.now for f in rows]) + [1]) * 1.2])
    return charts._layout(fig, lang, height=120 + 56 * len(rows), barmode="group")


def forecast_chart(review: Review, measure: str, lang: str) -> go.Figure:
    """The actual line at month ends, the pace so far continued to the due date, the pace the
    target needs, and the target."""
    forecast = next(f for f in review.forecasts if f.measure == measure)
    key = "counter" if measure == "dwellings" else "housed"
    points = [p for p in review.series if isinstance(p[key], int)]
    fig = go.Figure()
    fig.add_scatter(x=[p["date"] for p in points], y=[p[key] for p in points], mode="lines+markers",
                    name=t("actual", lang), line=dict(color=NOW_COLOUR, width=3))
    if forecast.projected is not None:
        fig.add_scatter(x=[forecast.since, forecast.as_of, forecast.due_on],
                        y=[forecast.then, forecast.now, forecast.projected], mode="lines",
                        name=t("at_pace", lang) + " (" + t("per_month", lang,
                                                          value=fmt.figure(forecast.pace_per_month, lang)) + ")",
                        line=dict(color=charts.SECOND_COLOUR, width=2, dash="dash"))
    if forecast.needed_per_month is not None:
        fig.add_scatter(x=[forecast.as_of, forecast.due_on], y=[forecast.now, forecast.target], mode="lines",
                        name=t("review_pace_needed", lang) + " (" + t("per_month", lang,
                                                              value=fmt.figure(forecast.needed_per_month, lang)) + ")",
                        line=dict(color=charts.TARGET_COLOUR, width=1.5, dash="dot"))
    fig.add_hline(y=forecast.target, line=dict(color=charts.TARGET_COLOUR, width=2, dash="dash"),
                  annotation_text=t("target_line", lang, target=fmt.number(forecast.target, lang)),
                  annotation_position="top left", annotation_font_color=charts.TARGET_COLOUR)
    fig.update_xaxes(tickformat="%m-%Y" if lang == "nl" else "%b %Y", hoverformat="%d-%m-%Y")
    fig.update_yaxes(title=t(f"forecast_{measure}", lang), rangemode="tozero")
    return charts._layout(fig, lang, height=360, hovermode="x unified")


BUILDERS = {
    "headline": headline_chart,
    "status": status_chart,
    "funnel": funnel_chart,
    "municipality": municipality_chart,
    "forecast_dwellings": lambda review, lang: forecast_chart(review, "dwellings", lang),
    "forecast_participants": lambda review, lang: forecast_chart(review, "participants", lang),
}  # in the order of the pack


def chart(review: Review, key: str, lang: str) -> go.Figure:
    """One chart of the review by its key (BUILDERS): the review page builds only those it shows."""
    return BUILDERS[key](review, lang)


def all_charts(review: Review, lang: str) -> list[tuple[str, go.Figure]]:
    """(key, figure) in the order of the pack."""
    return [(key, chart(review, key, lang)) for key in BUILDERS]
