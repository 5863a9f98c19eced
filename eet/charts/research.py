"""The charts of the living lab's two research answers (issue 17): per ZRM domain the share that
improved, stayed or declined over the first year; per payer Housing First against the shelter model;
and the sensitivity (tornado) of the total difference. Plain data and a language in, a go.Figure out,
for the research page and the meeting pack alike (layout and palette of eet.charts.base)."""

from __future__ import annotations

import math
import textwrap

import plotly.graph_objects as go

from eet.charts.base import MAIN_COLOUR, OKABE_ITO, SECOND_COLOUR, _layout, plotly_text
from eet.texts import formatting as fmt
from eet.texts import label, t

WRAP = 26  # characters on one line of a tornado row's name
CHANGE_COLOURS = {"improved": OKABE_ITO["green"], "same": OKABE_ITO["grey"], "declined": OKABE_ITO["vermillion"]}


def recovery_domains(domains: list[tuple[str, int, int, int]], lang: str) -> go.Figure:
    """Horizontal 100% bars, one per ZRM domain: (domain code, improved, same, declined) counts of
    participants who scored the domain at intake and at 12 months; shares on the bars, counts in
    the hover. Domains nobody scored twice are left out."""
    rows = [row for row in domains if sum(row[1:]) > 0]
    names = [label("zrm", d, lang) for d, *_ in rows]
    fig = go.Figure()
    for i, change in enumerate(("improved", "same", "declined")):
        counts = [row[1 + i] for row in rows]
        shares = [n / sum(row[1:]) for n, row in zip(counts, rows)]
        fig.add_bar(y=names, x=shares, orientation="h", name=label("zrm_change", change, lang),
                    marker_color=CHANGE_COLOURS[change], customdata=counts,
                    text=[fmt.percent(s, lang) for s in shares], textposition="inside",
                    hovertemplate="%{y}: %{customdata} (%{text})<extra>%{fullData.name}</extra>")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, lang, height=max(260, 40 + 28 * len(rows)), barmode="stack")


def payer_bars(lines: list[tuple[str, float, float]], lang: str) -> go.Figure:
    """Per payer (code, Housing First, shelter model) in euros per participant-year: a row per payer
    with its two bars one above the other, each amount at the end of its own bar, so that no two
    amounts share a line and none overlap at a tablet's width (side by side, upright, the amounts of
    neighbouring bars ran into each other at 820 px)."""
    return _cost_bars([label("payer", payer, lang) for payer, _, _ in lines], lines, lang)


def group_cost_bars(lines: list[tuple[str, float | None, float | None]], lang: str) -> go.Figure:
    """Per group of participants (its name as the page shows it, Housing First, shelter model) in
    euros per participant-year (issue 29), drawn as payer_bars; a name is partners' text, escaped."""
    return _cost_bars([plotly_text(name) for name, _, _ in lines], lines, lang)


def _cost_bars(names: list[str], lines: list[tuple], lang: str) -> go.Figure:
    fig = go.Figure()
    for index, name, colour in ((1, t("housing_first", lang), MAIN_COLOUR), (2, t("shelter_model", lang), SECOND_COLOUR)):
        values = [line[index] for line in lines]
        fig.add_bar(y=names, x=values, orientation="h", name=name, marker_color=colour,
                    text=[fmt.euro(v, lang) for v in values], textposition="outside", cliponaxis=False,
                    hovertemplate="%{y}, %{fullData.name}: %{text}<extra></extra>")
    top = max([v for _, hf, sh in lines for v in (hf, sh) if v is not None] + [1])
    # Room to the right of the longest bar for its amount.
    fig.update_xaxes(title=t("cost_per_year", lang) + " (€)", range=[0, top * 1.3])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, lang, height=max(300, 110 + 64 * len(lines)), barmode="group", bargap=0.25)


def tornado(rows: list[tuple[str, float, float]], base: float, lang: str) -> go.Figure:
    """The total difference (shelter minus Housing First, € per participant-year) as each parameter
    moves from its low to its high value: rows of (parameter label, difference at low, difference
    at high), the largest swing on top; a line at the difference with every parameter at its value
    and one at zero (break-even)."""
    names = [name for name, _, _ in rows]
    fig = go.Figure()
    # A long parameter name on lines of at most WRAP characters, so that the names do not squeeze
    # the bars to a sliver on a tablet (layout text: Plotly_text per line, the <br> is ours).
    fig.update_yaxes(tickvals=[plotly_text(name) for name in names],
                     ticktext=["<br>".join(plotly_text(line) for line in textwrap.wrap(name, WRAP)) or plotly_text(name)
                               for name in names])
    for index, colour, key in ((1, OKABE_ITO["sky_blue"], "bc_at_low"), (2, OKABE_ITO["blue"], "bc_at_high")):
        values = [row[index] for row in rows]
        fig.add_bar(y=names, x=[v - base for v in values], base=base, orientation="h", name=t(key, lang),
                    marker_color=colour, customdata=[fmt.euro(v, lang) for v in values],
                    hovertemplate="%{y}: %{customdata}<extra>%{fullData.name}</extra>")
    # Both lines named on the chart itself, above the bars (on a bar, black text on dark blue could
    # not be read): a legend holds only traces, and unnamed lines were read as nothing. The two
    # labels point away from each other, so they never overlap.
    fig.add_vline(x=base, line_color=OKABE_ITO["black"], line_width=2)
    fig.add_vline(x=0, line_color=OKABE_ITO["vermillion"], line_dash="dash")
    for x, key, colour, away in ((base, "bc_base_line", OKABE_ITO["black"], base >= 0),
                                 (0, "bc_zero_line", OKABE_ITO["vermillion"], base < 0)):
        fig.add_annotation(x=x, y=1, yref="paper", yanchor="bottom", xanchor="left" if away else "right",
                           showarrow=False, font=dict(size=12, color=colour),
                           text=plotly_text(t(key, lang, amount=fmt.euro(base, lang))))
    fig.update_xaxes(title=t("bc_difference_axis", lang) + " (€)")
    fig.update_yaxes(autorange="reversed")
    lines = sum(max(1, len(textwrap.wrap(name, WRAP))) for name in names)
    return _layout(fig, lang, height=max(260, 100 + 22 * lines + 16 * len(rows)), barmode="overlay",
                   margin=dict(l=10, r=20, t=40, b=10))  # room above the plot for the lines' names


def group_intervals(rows: list[tuple[str, float | None, tuple[float, float] | None]], lang: str,
                    target: float | None = None, percent: bool = True) -> go.Figure:
    """Outcomes by group (issue 29): per group (its name as shown, the estimate, its 95% interval
    or None) a dot with a whisker over its interval, one row per group in the order given; the
    target as a dashed line where given. Shares as percentages, else days. Groups without an
    estimate are left out."""
    rows = [row for row in rows if row[1] is not None]
    names = [plotly_text(name) for name, _, _ in rows]
    values = [value for _, value, _ in rows]
    high = [(ci[1] - value) if ci else 0 for _, value, ci in rows]
    low = [(value - ci[0]) if ci else 0 for _, value, ci in rows]
    shown = [fmt.percent(v, lang) if percent else fmt.number(v, lang) for v in values]
    ranges = [(f"{fmt.percent(ci[0], lang)}–{fmt.percent(ci[1], lang)}" if percent else
               f"{fmt.number(ci[0], lang)}–{fmt.number(ci[1], lang)}") if ci else fmt.MISSING for _, _, ci in rows]
    fig = go.Figure(go.Scatter(
        x=values, y=names, mode="markers+text", marker=dict(color=MAIN_COLOUR, size=11),
        error_x=dict(type="data", array=high, arrayminus=low, color=MAIN_COLOUR, thickness=2, width=6),
        text=shown, textposition="top center", hovertext=ranges, name=t("ci_column", lang),
        hovertemplate="%{y}: %{text} (%{hovertext})<extra></extra>"))
    if target is not None:
        fig.add_vline(x=target, line=dict(color=OKABE_ITO["vermillion"], width=2, dash="dash"))
        fig.add_annotation(x=target, y=1, yref="paper", yanchor="bottom", xanchor="right", showarrow=False,
                           font=dict(size=12, color=OKABE_ITO["vermillion"]),
                           text=plotly_text(t("retention_target_line", lang, target=fmt.percent(target, lang, 0))))
    if percent:
        # From a tenth below the lowest interval (or the target) to 100%: narrow intervals of many
        # people stay visible instead of shrinking to a dot on a 0-100% axis.
        lowest = min([v - lo for v, lo in zip(values, low)] + ([target] if target is not None else []) + [1])
        start = math.floor((lowest - 0.05) * 10) / 10
        start = 0.0 if start < 0.5 else start
        step = 0.2 if start < 0.5 else 0.1 if start < 0.8 else 0.05
        fig.update_xaxes(title=t("share_axis", lang), tickformat=".0%", range=[start, 1 + (1 - start) * 0.08],
                         tickvals=[round(start + i * step, 2) for i in range(int(round((1 - start) / step)) + 1)])
    else:
        top = max([v + h for v, h in zip(values, high)] + [1])
        fig.update_xaxes(title=t("days", lang), range=[0, top * 1.1])
    # Top to bottom in the order given, with room above the first row for its value.
    fig.update_yaxes(range=[len(rows) - 0.5, -0.9])
    return _layout(fig, lang, height=max(220, 110 + 48 * len(rows)), showlegend=False,
                   margin=dict(l=10, r=20, t=44, b=10))  # room above the first row's value and the line's name
