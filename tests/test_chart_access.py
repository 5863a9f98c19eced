"""Charts readable without their colours and without their drawing (WCAG 2.1 AA, issue 26):
eet.charts.access gives every chart readable contrast, a sentence of its figures and a table of its
data; statuses are told by pattern as well as colour; the counter over time shows a point at the
launch; the pack carries plotly.js once, small, with its toolbar in the pack's language."""

from __future__ import annotations

from datetime import date

import pytest

from eet.charts import access
from eet.charts import base as charts
from eet.charts import research as research_charts
from eet.charts import viewer as viewer_charts

LAUNCH = date(2021, 1, 15)
BY_MUNICIPALITY = {
    "Utrecht": {"occupied": 21, "available": 3, "location_found": 48, "searching": 23, "ambition": 95},
    "Zeist": {"occupied": 0, "available": 0, "location_found": 8, "searching": 4, "ambition": 12},
}


def every_chart():
    points = [{"date": LAUNCH, "counter": 132, "ambition": 177},
              {"date": date(2021, 5, 31), "counter": 169, "ambition": 190}]
    return {
        "counter_bar": charts.counter_bar({"occupied": 84, "available": 12, "location_found": 73, "searching": 21},
                                          200, "nl"),
        "municipality": charts.municipality_stacked(BY_MUNICIPALITY, "nl"),
        "trend": charts.dwelling_trend(points, 200, date(2022, 7, 1), LAUNCH, "nl"),
        "funnel": charts.funnel_bars(["referred", "housed"], [114, 86], {"housed": 0.75}, "nl"),
        "breakdown": charts.breakdown_bars([("Lister", 40, 30), ("Kwintes", 20, "<5")], "nl"),
        "donut": charts.waiting_list_donut({"yes": 30, "no": 12, "unknown": "<5"}, "nl"),
        "km": charts.kaplan_meier([0, 100, 200], [1.0, 0.95, 0.9], 0.9, "nl"),
        "cost": charts.cost_comparison(20000, 3000, 35000, "nl"),
        "tornado": research_charts.tornado([("Huur", -100, 400), ("Zorg", -2000, 1500)], 500, "nl"),
    }


@pytest.mark.parametrize("name", list(every_chart()))
def test_every_chart_has_a_sentence_and_a_table(name):
    fig = every_chart()[name]
    columns, rows = access.data_table(fig, "nl")
    assert rows and all(len(row) == len(columns) for row in rows)
    assert access.summary(fig, "nl").startswith("Grafiek")


@pytest.mark.parametrize("name", list(every_chart()))
def test_chart_text_reads_at_4_5_to_1_and_lines_at_3_to_1(name):
    fig = access.readable(every_chart()[name])
    texts = [fig.layout.font.color]
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        texts += [axis.tickfont.color, axis.title.font.color]
    texts += [note.font.color for note in fig.layout.annotations]
    assert all(access.contrast(colour) >= 4.5 for colour in texts), texts
    lines = [shape.line.color for shape in fig.layout.shapes if shape.line.color]
    lines += [trace.line.color for trace in fig.data if trace.type == "scatter" and trace.line.color]
    lines += [trace.marker.line.color for trace in fig.data if trace.type in ("bar", "pie")]
    assert all(access.contrast(colour) >= 3 for colour in lines), lines
    for trace in fig.data:  # a value inside a bar: black or white, whichever reads on the bar
        if trace.type == "bar" and isinstance(trace.marker.color, str):
            assert access.contrast(trace.marker.color, trace.insidetextfont.color) >= 4.5, trace.name


def test_the_target_label_reads_in_a_darker_vermillion():
    fig = access.readable(every_chart()["counter_bar"])
    label = next(note for note in fig.layout.annotations if "200" in note.text)
    assert access.contrast(charts.TARGET_COLOUR) < 4.5 <= access.contrast(label.font.color)


def test_each_status_has_a_pattern_of_its_own_in_every_status_chart():
    for fig in (every_chart()["counter_bar"], every_chart()["municipality"]):
        shapes = [trace.marker.pattern.shape or "" for trace in fig.data]
        assert len(set(shapes)) == len(shapes), shapes


def test_a_viewers_sum_of_occupied_and_available_has_its_own_pattern():
    by = {name: {**row, "occupied": "<5", "available": "<5", "counter": 60, "location_found": 48}
          for name, row in BY_MUNICIPALITY.items()}
    fig = viewer_charts.municipality_stacked(by, "nl")
    shapes = [trace.marker.pattern.shape or "" for trace in fig.data]
    assert charts.COMBINED_PATTERN in shapes and len(set(shapes)) == len(shapes)


def test_the_data_table_holds_every_figure_of_the_chart_by_category():
    columns, rows = access.data_table(every_chart()["municipality"], "nl")
    assert columns[0] == "Categorie" and "Bewoond" in columns and "Zoekend (pijplijn)" in columns
    table = {row[0]: dict(zip(columns, row)) for row in rows}
    assert table["Utrecht"]["Bewoond"] == "21" and table["Utrecht"]["Locatie gevonden"] == "48"
    assert table["Zeist"]["Bewoond"] == "0"  # the table keeps a 0 the bar does not draw


def test_the_summary_gives_the_figures_and_leaves_out_undrawn_segments():
    text = access.summary(every_chart()["municipality"], "nl", "Woningen per gemeente")
    assert text.startswith("Grafiek ‘Woningen per gemeente’:")
    assert "Bewoond: Utrecht 21" in text and "Zeist 0" not in text
    assert "Locatie gevonden: Zeist 8, Utrecht 48" in text


def test_a_long_series_is_summarised_by_its_first_and_last_point_with_dates_in_words():
    points = [{"date": date(2021, 1, 15 + i), "counter": 130 + i, "ambition": 170 + i} for i in range(12)]
    text = access.summary(charts.dwelling_trend(points, 200, date(2022, 7, 1), LAUNCH, "en"), "en")
    assert "Counter: 12 points, from 15 January 2021 130 to 26 January 2021 141" in text


def test_the_counter_over_time_draws_a_point_at_the_launch():
    fig = charts.dwelling_trend([{"date": LAUNCH, "counter": 132, "ambition": 177}], 200, date(2022, 7, 1),
                                LAUNCH, "nl")
    counter = next(trace for trace in fig.data if trace.name == "Teller")
    assert "markers" in counter.mode and list(counter.y) == [132]


def test_the_deadline_reads_as_a_date_in_words_in_english_too():
    fig = every_chart()["trend"]
    assert any(note.text == "Einddatum 1 juli 2022" for note in fig.layout.annotations)
    points = [{"date": LAUNCH, "counter": 132, "ambition": 177}]
    fig = charts.dwelling_trend(points, 200, date(2022, 7, 1), LAUNCH, "en")
    assert any(note.text.endswith("1 July 2022") for note in fig.layout.annotations)


def test_the_chart_toolbar_is_one_png_button_titled_in_the_page_language():
    config = charts.plotly_config("nl", "teller")
    assert config["modeBarButtons"] == [["toImage"]] and config["locale"] == "nl"
    assert config["locales"]["nl"]["dictionary"]["Download plot as a png"] == "Grafiek downloaden als PNG"
