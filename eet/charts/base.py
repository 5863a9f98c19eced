"""Plotly figure builders: plain data and a language in, a go.Figure out. The dashboard and the
meeting pack draw the same charts from here.

One colour-blind-safe palette (Okabe-Ito); each dwelling status keeps its colour everywhere.
A suppressed count (a string such as "<5") is drawn as an empty bar labelled with that string.

The charts are drawn at widths the server cannot know (a laptop at 1280 px, a tablet at 820 px, in one
or two columns), so their layouts work at any width: the margins grow to fit the axis labels
(automargin), the legend lies below the plot in a row that wraps, and a value printed on a bar shrinks
to fit it and is hidden, never overlapping its neighbour, when it would get too small to read
(uniformtext). Every value is also in the hover and in the table next to the chart.
"""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go

from eet.texts import formatting as fmt
from eet.texts import label, t

OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
    "grey": "#999999",
}
STATUS_COLOURS = {
    "searching": OKABE_ITO["orange"],
    "location_found": OKABE_ITO["sky_blue"],
    "available": OKABE_ITO["green"],
    "occupied": OKABE_ITO["blue"],
    "withdrawn": OKABE_ITO["grey"],
}
# Each status also by a fill pattern, so that a segment is told apart without its colour (WCAG
# 1.4.1): the legend shows the same pattern. Occupied plain, the others hatched, dotted, crossed.
STATUS_PATTERNS = {"occupied": "", "available": "/", "location_found": ".", "searching": "x", "withdrawn": "-"}
COMBINED_PATTERN = "\\"  # occupied or available, shown as their sum to a viewer
# Light strokes on a dark bar, dark ones on a light bar; thin, so that a value on the bar still reads.
PATTERN = dict(size=10, solidity=0.15)


def status_marker(status: str, colour: str | None = None) -> dict:
    """A status bar's marker: its colour and its pattern (STATUS_PATTERNS)."""
    return pattern_marker(colour or STATUS_COLOURS[status], STATUS_PATTERNS[status])


def pattern_marker(colour: str, shape: str) -> dict:
    fg = "#FFFFFF" if colour in (OKABE_ITO["blue"], OKABE_ITO["purple"]) else "#000000"
    return dict(color=colour, pattern=dict(shape=shape, fgcolor=fg, fgopacity=0.3, fillmode="overlay", **PATTERN))


# Counter statuses first (left, bottom), then the pipeline; withdrawn dwellings count nowhere.
STACK_ORDER = ("occupied", "available", "location_found", "searching")
TARGET_COLOUR = OKABE_ITO["vermillion"]
MAIN_COLOUR = OKABE_ITO["blue"]
SECOND_COLOUR = OKABE_ITO["orange"]
FONT = dict(family="Source Sans Pro, Arial, sans-serif", size=14, color="#262730")
# Below the plot, at the bottom of the figure, in rows that wrap: the plot gives up the room it needs
# (a legend placed in the container's coordinates reserves its margin), at any width.
LEGEND_BELOW = dict(orientation="h", xref="container", x=0, xanchor="left", yref="container", y=0,
                    yanchor="bottom", traceorder="normal")
# A value on a bar is shrunk to fit the bar and hidden below this size: labels never overlap.
UNIFORM_TEXT = dict(minsize=11, mode="hide")


def plotly_text(value):
    """A label from the data (an organisation's name, a site, a decision) as Plotly shows it as
    text: Plotly reads `<a href=…>`, `<b>`, `<br>` and entities in every label, title and hover, so
    `&`, `<` and `>` become entities and a name with markup is shown as typed, never as a live link.
    Anything that is not a string is returned as it is."""
    if not isinstance(value, str):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The trace properties that hold text shown as is (not templates: those are ours and refer to these).
TEXT_PROPERTIES = ("name", "x", "y", "text", "labels", "customdata", "hovertext")


def escape_figure(fig: go.Figure) -> go.Figure:
    """Every text of every trace through `plotly_text`, once: `_layout` calls it for every chart, so
    a chart builder passes the data's strings as they are and escapes nothing itself."""
    for trace in fig.data:
        for prop in TEXT_PROPERTIES:
            if prop not in trace:
                continue
            value = trace[prop]
            if isinstance(value, str):
                trace[prop] = plotly_text(value)
            elif isinstance(value, (tuple, list)) and any(_holds_text(v) for v in value):
                trace[prop] = [_escaped(v) for v in value]
    return fig


def _holds_text(value) -> bool:
    return isinstance(value, str) or (isinstance(value, (tuple, list)) and any(_holds_text(v) for v in value))


def _escaped(value):
    if isinstance(value, (tuple, list)):
        return [_escaped(v) for v in value]
    return plotly_text(value)


def plotly_config(lang: str, name: str) -> dict:
    """Plotly's config for a page and the pack: the mode bar always shown, with only the PNG
    download (its title in `lang`: on a Dutch page no English toolbar, WCAG 3.1.2); the file is
    named after the chart."""
    return {
        "displayModeBar": True, "displaylogo": False, "modeBarButtons": [["toImage"]],
        "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2},
        # Plotly's own words (its button's title and the note while the image is made), in `lang`.
        "locale": lang, "locales": {lang: {"dictionary": {
            "Download plot as a PNG": t("chart_png", lang), "Download plot as a png": t("chart_png", lang),
            "Download plot": t("chart_png", lang),
            "Preparing image - this may take a few seconds": t("chart_png_preparing", lang)}}},
    }


def _layout(fig: go.Figure, lang: str, height: int = 380, **extra) -> go.Figure:
    escape_figure(fig)
    settings = dict(
        height=height, margin=dict(l=10, r=20, t=30, b=10), font=FONT, plot_bgcolor="white",
        paper_bgcolor="white", separators=",." if lang == "nl" else ".,", legend=LEGEND_BELOW,
        uniformtext=UNIFORM_TEXT, hoverlabel=dict(font_size=14))
    fig.update_layout(**{**settings, **extra})
    fig.update_traces(textangle=0, selector=dict(type="bar"))  # a value is read level, or not shown
    # Whole numbers on the axes with the language's separators (30.000), not Plotly's "30k".
    axes = dict(gridcolor="#E5E5E5", zerolinecolor="#BBBBBB", automargin=True, exponentformat="none",
                separatethousands=True)
    fig.update_xaxes(**axes)
    fig.update_yaxes(**axes)
    # A tick format of d3's SI kind ("~s", ".2s") writes 5k and 30k whatever the two settings above
    # say (the research page's payer and sensitivity charts read "5k … 30k", "−2k … 8k"): no chart
    # keeps one; a date or percentage format stays.
    fig.for_each_xaxis(_without_si)
    fig.for_each_yaxis(_without_si)
    return fig


def _without_si(axis) -> None:
    if axis.tickformat and axis.tickformat[-1:] == "s" and "%" not in axis.tickformat:
        axis.tickformat = None


def _heights(values: list) -> list[float]:
    return [0 if isinstance(v, str) or v is None else v for v in values]


def _texts(values: list, lang: str) -> list[str]:
    return [fmt.number(v, lang) for v in values]


def counter_bar(counts: dict[str, int], target: int, lang: str) -> go.Figure:
    """One bar: the counter by status and the pipeline, against the target."""
    fig = go.Figure()
    for status in STACK_ORDER:
        n = counts.get(status, 0)
        fig.add_bar(y=[""], x=[n], orientation="h", name=label("status", status, lang),
                    marker=status_marker(status), text=[fmt.number(n, lang) if n else ""],
                    textposition="inside", insidetextanchor="middle",
                    hovertemplate="%{fullData.name}: %{x}<extra></extra>")
    fig.add_vline(x=target, line=dict(color=TARGET_COLOUR, width=3, dash="dash"))
    # Above the plot, ending just left of the line: centred on it, the dashes ran through the label
    # (and inside the plot it sat on the bar).
    fig.add_annotation(x=target, y=1, yref="paper", xanchor="right", yanchor="bottom", xshift=-3,
                       showarrow=False, text=t("target_line", lang, target=fmt.number(target, lang)),
                       font=dict(color=TARGET_COLOUR))
    fig.update_xaxes(range=[0, max(target, sum(counts.get(s, 0) for s in STACK_ORDER)) * 1.05],
                     title=t("dwellings_axis", lang))
    return _layout(fig, lang, height=230, barmode="stack", showlegend=True,
                   margin=dict(l=10, r=20, t=40, b=10))


def municipality_order(by_municipality: dict[str, dict[str, int]]) -> list[str]:
    """The municipalities from the bottom of `municipality_stacked` up: smallest ambition first."""
    return sorted(by_municipality, key=lambda n: (by_municipality[n]["ambition"], n))


def municipality_stacked(by_municipality: dict[str, dict[str, int]], lang: str) -> go.Figure:
    """Horizontal bars per municipality, stacked by status; largest at the top."""
    names = municipality_order(by_municipality)
    fig = go.Figure()
    for status in STACK_ORDER:
        values = [by_municipality[n][status] for n in names]
        if not any(values):  # no legend entry for a status no bar shows
            continue
        fig.add_bar(y=names, x=values, orientation="h", name=label("status", status, lang),
                    marker=status_marker(status),
                    text=[fmt.number(v, lang) if v else "" for v in values], textposition="inside",
                    insidetextanchor="middle", hovertemplate="%{y}, %{fullData.name}: %{x}<extra></extra>")
    fig.update_xaxes(title=t("dwellings_axis", lang))
    return _layout(fig, lang, height=max(260, 60 + 42 * len(names)), barmode="stack")


def dwelling_trend(points: list[dict], target: int | None, due_on: date | None, launch: date,
                   lang: str) -> go.Figure:
    """The counter and the ambition over time, with the target, the pace it needs from the launch,
    and the deadline. The time axis runs from the first point (eet.figures.counter_trend starts it at
    the launch, or later at the first month with anything counted) to a little past the deadline, so
    that the deadline's line and its label stand inside the plot at any width."""
    fig = go.Figure()
    dates = [p["date"] for p in points]
    # One point (the as-of date is the launch: issue 26) draws no line: then a marker.
    mode = "lines" if len(points) > 1 else "markers"
    fig.add_scatter(x=dates, y=[p["ambition"] for p in points], mode=mode, line_shape="hv",
                    name=t("ambition", lang) + " (" + t("counter", lang).lower() + " + "
                    + t("pipeline", lang).lower() + ")",
                    line=dict(color=STATUS_COLOURS["searching"], width=2))
    fig.add_scatter(x=dates, y=[p["counter"] for p in points], mode=mode, line_shape="hv", marker_size=10,
                    name=t("counter", lang), line=dict(color=MAIN_COLOUR, width=3))
    if target is not None:
        fig.add_hline(y=target, line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
                      annotation_text=t("target_line", lang, target=fmt.number(target, lang)),
                      annotation_position="top left", annotation_font_color=TARGET_COLOUR)
    if target is not None and due_on is not None:
        at_launch = next((p["counter"] for p in reversed(points) if p["date"] <= launch),
                         0 if points else None)  # nothing counted at the launch: the path from 0
        if at_launch is not None:
            fig.add_scatter(x=[launch, due_on], y=[at_launch, target], mode="lines", name=t("needed_path", lang),
                            line=dict(color=TARGET_COLOUR, width=1.5, dash="dot"))
        fig.add_vline(x=due_on.isoformat(), line=dict(color=TARGET_COLOUR, width=2, dash="dash"))
        fig.add_annotation(x=due_on.isoformat(), y=0, yref="paper", text=t("deadline", lang) + " "
                           + fmt.long_date(due_on, lang), showarrow=False, xanchor="right", yanchor="bottom",
                           font=dict(color=TARGET_COLOUR))
    fig.update_xaxes(tickformat="%m-%Y" if lang == "nl" else "%b %Y", hoverformat="%d-%m-%Y")
    if dates:
        end = max([dates[-1]] + ([due_on] if target is not None and due_on is not None else []))
        first = dates[0] - timedelta(days=10) if len(dates) == 1 else dates[0]  # a lone point whole
        fig.update_xaxes(range=[first.isoformat(),
                                (end + timedelta(days=max(7, (end - dates[0]).days // 25))).isoformat()])
    fig.update_yaxes(title=t("dwellings_axis", lang), rangemode="tozero")
    return _layout(fig, lang, height=400, hovermode="x unified")


def funnel_bars(steps: list[str], counts: list, conversion: dict[str, float | None], lang: str) -> go.Figure:
    """The route from referral to housing as horizontal bars, each labelled with its count and the
    share of the step before it."""
    texts = []
    for step, value in zip(steps, counts):
        text = fmt.number(value, lang)
        if conversion.get(step) is not None:
            text += f"  ({fmt.percent(conversion[step], lang, 0)})"
        texts.append(text)
    names = [label("step", s, lang) for s in steps]
    fig = go.Figure(go.Bar(y=names, x=_heights(counts), orientation="h", marker_color=MAIN_COLOUR,
                           text=texts, insidetextanchor="end", cliponaxis=False,
                           # inside the bar, so never cut off at the chart's edge (hidden if it does not
                           # fit); a suppressed count has no bar: its "<5" stands next to the axis
                           textposition=["outside" if isinstance(v, str) else "inside" for v in counts],
                           hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("participants_axis", lang), range=[0, max(_heights(counts) + [1]) * 1.1])
    if any(v is not None for v in conversion.values()):  # no title promising percentages none shows
        fig.update_layout(title=dict(text=t("conversion", lang) + ": % " + t("from_previous", lang), font_size=13))
    return _layout(fig, lang, height=90 + 50 * len(steps), showlegend=False, margin=dict(l=10, r=20, t=40, b=10))


def days_range(first: int, last: int, lang: str) -> str:
    """A bucket's label, "0–30" (the axis says the unit: "dagen" under every bar crowded a tablet)."""
    return f"{fmt.number(first, lang)}–{fmt.number(last, lang)}"


def lead_time_histogram(buckets: list[tuple[int, object]], bucket_days: int, lang: str) -> go.Figure:
    names = [days_range(start, start + bucket_days - 1, lang) for start, _ in buckets]
    values = [n for _, n in buckets]
    fig = go.Figure(go.Bar(x=names, y=_heights(values), marker_color=MAIN_COLOUR, text=_texts(values, lang),
                           textposition="outside", cliponaxis=False,
                           hovertemplate="%{x} " + t("days", lang).lower() + ": %{text}<extra></extra>"))
    fig.update_yaxes(title=t("participants_axis", lang), rangemode="tozero")
    fig.update_xaxes(title=t("days", lang))
    return _layout(fig, lang, height=340, showlegend=False)


def lead_time_trend(rows: list[tuple[str, float, object]], lang: str) -> go.Figure:
    # On a date axis, so that plotly spaces the ticks to the width (a category per month wrote every
    # month's name, upright and cut off, in a half-width chart); the month's name is in the hover.
    months = [date.fromisoformat(f"{month}-01") for month, _, _ in rows]
    medians = [median for _, median, _ in rows]
    fig = go.Figure(go.Scatter(
        x=months, y=medians, mode="lines+markers", line=dict(color=MAIN_COLOUR, width=3),
        marker=dict(size=8), customdata=[[fmt.month_label(month, lang), fmt.number(n, lang)] for month, _, n in rows],
        hovertemplate="%{customdata[0]}: %{y:.0f} " + t("days", lang).lower()
                      + " (n=%{customdata[1]})<extra></extra>"))
    fig.update_yaxes(title=t("median_days", lang), rangemode="tozero")
    fig.update_xaxes(title=t("month_of_move_in", lang), tickformat="%m-%Y" if lang == "nl" else "%b %Y")
    return _layout(fig, lang, height=340, showlegend=False)


def breakdown_bars(rows: list[tuple[str, object, object]], lang: str) -> go.Figure:
    """Per organisation, in the order given from the top: referred above housed, as in the legend."""
    names = [name for name, _, _ in rows]
    referred = [r for _, r, _ in rows]
    housed = [h for _, _, h in rows]
    fig = go.Figure()
    for values, step, colour in ((referred, "referred", SECOND_COLOUR), (housed, "housed", MAIN_COLOUR)):
        fig.add_bar(y=names, x=_heights(values), orientation="h", name=label("step", step, lang),
                    marker_color=colour, text=_texts(values, lang), textposition="outside", cliponaxis=False,
                    hovertemplate="%{y}, %{fullData.name}: %{text}<extra></extra>")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=t("participants_axis", lang), range=[0, max(_heights(referred) + [1]) * 1.2])
    return _layout(fig, lang, height=max(280, 110 + 56 * len(names)), barmode="group", bargroupgap=0.1)


def waiting_list_donut(counts: dict[str, object], lang: str) -> go.Figure:
    keys = [k for k in ("yes", "no", "unknown") if counts.get(k)]
    colours = {"yes": MAIN_COLOUR, "no": SECOND_COLOUR, "unknown": OKABE_ITO["grey"]}
    # A suppressed slice is drawn with a nominal size and labelled with its suppressed value.
    values = [counts[k] if not isinstance(counts[k], str) else 1 for k in keys]
    shown = [fmt.number(counts[k], lang) for k in keys]
    fig = go.Figure(go.Pie(labels=[f"{t(k, lang)}: {n}" for k, n in zip(keys, shown)], values=values, hole=0.55,
                           sort=False, marker=dict(colors=[colours[k] for k in keys]), text=shown,
                           textinfo="text", textposition="inside", insidetextorientation="horizontal",
                           hoverinfo="label"))
    return _layout(fig, lang, height=300, showlegend=True, margin=dict(l=10, r=10, t=10, b=10))


def kaplan_meier(days: list[int], survival: list[float], target: float, lang: str,
                 horizon: int = 365, lower: list[float] | None = None, upper: list[float] | None = None
                 ) -> go.Figure:
    """The Kaplan–Meier curve (steps), with its 95% interval as a band where `lower` and `upper`
    are given (issue 29), the target as a line and the 12-month horizon."""
    # The estimate holds until the next event: draw it on to the horizon, or a curve without events
    # would be a single invisible point.
    end = max(days + [horizon])
    days, survival = days + [end], survival + [survival[-1]]
    fig = go.Figure()
    if lower is not None and upper is not None:
        name = t("ci_column", lang)
        fig.add_scatter(x=days, y=upper + [upper[-1]], mode="lines", line_shape="hv", line=dict(width=0),
                        name=name, showlegend=False, hoverinfo="skip")
        fig.add_scatter(x=days, y=lower + [lower[-1]], mode="lines", line_shape="hv", line=dict(width=0),
                        fill="tonexty", fillcolor="rgba(0, 114, 178, 0.18)", name=name, hoverinfo="skip")
    fig.add_scatter(x=days, y=survival, mode="lines", line_shape="hv",
                    line=dict(color=MAIN_COLOUR, width=3), name=t("still_housed", lang),
                    hovertemplate="%{x}: %{y:.1%}<extra></extra>")
    fig.add_hline(y=target, line=dict(color=TARGET_COLOUR, width=2, dash="dash"),
                  annotation_text=t("retention_target_line", lang, target=fmt.percent(target, lang, 0)),
                  annotation_position="bottom left", annotation_font_color=TARGET_COLOUR)
    fig.add_vline(x=horizon, line=dict(color=OKABE_ITO["grey"], width=1, dash="dot"))
    fig.update_yaxes(title=t("still_housed", lang), range=[0, 1.02], tickformat=".0%")
    fig.update_xaxes(title=t("days_since_move_in", lang), range=[0, max(days + [horizon]) * 1.05])
    return _layout(fig, lang, height=360, showlegend=False)


def cost_comparison(housing_first_recurring: float, housing_first_one_off: float | None, shelter: float,
                    lang: str) -> go.Figure:
    """Cost per participant-year: Housing First (yearly + spread one-off) next to the shelter model."""
    hf_name, shelter_name = t("housing_first", lang), t("shelter_model", lang)
    fig = go.Figure()
    fig.add_bar(x=[hf_name], y=[housing_first_recurring], name=t("hf_recurring", lang), marker_color=MAIN_COLOUR,
                text=[fmt.euro(housing_first_recurring, lang)], textposition="inside")
    if housing_first_one_off:
        fig.add_bar(x=[hf_name], y=[housing_first_one_off], name=t("hf_one_off", lang),
                    marker_color=OKABE_ITO["sky_blue"], text=[fmt.euro(housing_first_one_off, lang)],
                    textposition="inside")
    fig.add_bar(x=[shelter_name], y=[shelter], name=t("shelter_model", lang), marker_color=SECOND_COLOUR,
                text=[fmt.euro(shelter, lang)], textposition="inside")
    fig.update_yaxes(title=t("cost_per_year", lang) + " (€)", rangemode="tozero")
    return _layout(fig, lang, height=360, barmode="stack")
