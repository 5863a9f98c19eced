"""Charts nobody can read are defects (issue 14): the axes in the language's numbers (5.000, never
Plotly's 5k), the counter over time from the launch with its deadline's label inside the plot, and
the target's label beside its line, not on it."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import pytest

from eet.charts import base, research
from eet.store.coalition import LAUNCH


def _axes(fig: go.Figure) -> list:
    return [*fig.select_xaxes(), *fig.select_yaxes()]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_research_charts_write_whole_numbers_with_separators_not_5k(lang):
    """'Businesscase per betaler' read 5k … 30k and the sensitivity chart −2k … 8k: both set d3's
    SI tick format, which exponentformat cannot undo."""
    payers = research.payer_bars([("municipality", 18142, 24000), ("insurer", 3000, 5000)], lang)
    spread = research.tornado([("Opvangplek", -1800, 9300), ("Huurtoeslag", 2800, 3900)], 3358, lang)
    for fig in (payers, spread):
        for axis in _axes(fig):
            assert not (axis.tickformat or "").endswith("s"), axis.tickformat
            assert axis.exponentformat == "none" and axis.separatethousands
    assert payers.layout.separators == (",." if lang == "nl" else ".,")  # 5.000 / 5,000


def test_no_chart_keeps_an_si_tick_format():
    """Whatever a builder sets, `_layout` (which every chart passes through) takes d3's SI kind
    away; a date or a percentage format stays."""
    fig = go.Figure(go.Bar(x=[1, 2], y=[5000, 30000]))
    fig.update_xaxes(tickformat="%m-%Y")
    fig.update_yaxes(tickformat="~s")
    base._layout(fig, "nl")
    assert fig.layout.yaxis.tickformat is None and fig.layout.xaxis.tickformat == "%m-%Y"
    fig = base._layout(go.Figure(go.Bar(x=[0.5], y=["a"], orientation="h")).update_xaxes(tickformat=".0%"), "nl")
    assert fig.layout.xaxis.tickformat == ".0%"


def _trend_points(first: date) -> list[dict]:
    return [{"date": first, "counter": 132, "ambition": 177},
            {"date": date(2021, 5, 30), "counter": 169, "ambition": 190}]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_counter_over_time_is_drawn_from_its_first_point_to_past_the_deadline(lang):
    """The axis began in 07-2019 (autorange over every dated change); the deadline's label, placed
    at the right end of the axis, was cut off at 820 px."""
    due = date(2022, 7, 1)
    fig = base.dwelling_trend(_trend_points(LAUNCH), 200, due, LAUNCH, lang)
    start, end = (date.fromisoformat(str(x)[:10]) for x in fig.layout.xaxis.range)
    assert start == LAUNCH and end > due
    deadline = next(a for a in fig.layout.annotations if a.x == due.isoformat())
    assert deadline.xanchor == "right"  # the text ends at the line, inside the plot
    path = next(trace for trace in fig.data if trace.line.dash == "dot")
    assert list(path.y) == [132, 200]  # the needed pace from the count at the launch


def test_the_needed_path_starts_at_zero_when_nothing_was_counted_at_the_launch():
    fig = base.dwelling_trend(_trend_points(date(2021, 3, 1)), 200, date(2022, 7, 1), LAUNCH, "nl")
    assert date.fromisoformat(str(fig.layout.xaxis.range[0])[:10]) == date(2021, 3, 1)
    path = next(trace for trace in fig.data if trace.line.dash == "dot")
    assert list(path.y) == [0, 200]


def test_the_target_label_stands_beside_its_line():
    """On the overview 'Doel 200' was centred on the dashed target line."""
    fig = base.counter_bar({"occupied": 84, "available": 12, "location_found": 73, "searching": 21}, 200, "nl")
    label = next(a for a in fig.layout.annotations if "200" in a.text)
    assert label.xanchor == "right" and label.x == 200
    assert (label.yref, label.y, label.yanchor) == ("paper", 1, "bottom")  # above the plot, off the bar


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_sensitivity_chart_names_both_of_its_lines(lang):
    """The black line (every parameter at its value) and the dashed one (break-even) carry their
    meaning on the chart; unnamed, they were read as nothing (second walk-through)."""
    from eet.texts import formatting as fmt
    from eet.texts import t

    spread = research.tornado([("Opvangplek", -1800, 9300), ("Huurtoeslag", 2800, 3900)], 3358, lang)
    texts = [a.text for a in spread.layout.annotations]
    assert t("bc_base_line", lang, amount=fmt.euro(3358, lang)) in texts
    assert t("bc_zero_line", lang) in texts
