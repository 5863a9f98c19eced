"""Every chart readable without its colours and without its drawing (WCAG 2.1 AA, issue 26): the one
pass the page (ui.style.chart) and the meeting pack (eet.review.pack) put each figure through before
drawing it.

- `readable(fig)`: text in a chart (axis ticks and titles, the legend, labels such as "Doel 200")
  at least 4.5:1 on white; lines, reference lines and bar edges at least 3:1 (WCAG 1.4.3, 1.4.11).
  A colour of the Okabe-Ito palette too light for that is darkened, keeping its hue (the orange line
  of the ambition, 2.3:1, is drawn in a darker orange); a value printed inside a bar is black or
  white, whichever reads better on the bar's colour (3.2-4.3:1 before).
- `data_table(fig, lang)`: the chart's figures as a table, one row per category (a bar's label, a
  date) and one column per series, the values as the chart labels them.
- `summary(fig, lang)`: one sentence per series with its figures, for a screen reader and for
  whoever cannot see the chart (WCAG 1.1.1); a series of more than SUMMARY_POINTS points is given by
  its first and last point (the table holds every point).

A figure of eet.charts holds plain data (escaped for Plotly: `eet.charts.base.plotly_text`), so the
table and summary read it back, unescaped, from the figure itself: there is one source for the
drawing and its text.
"""

from __future__ import annotations

import html
from datetime import date, datetime

import plotly.graph_objects as go

from eet.texts import formatting as fmt
from eet.texts import t

TEXT = "#262730"  # Streamlit's text colour: 14.9:1 on white
EDGE = "#3d3f4a"  # the edge of a bar: 10:1 on white, so a light bar keeps its shape
TEXT_RATIO, GRAPHIC_RATIO = 4.5, 3.0
SUMMARY_POINTS = 8


def _luminance(colour: str) -> float:
    red, green, blue = (int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str = "#FFFFFF") -> float:
    """WCAG's contrast ratio of two '#RRGGBB' colours (1 to 21)."""
    a, b = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def darker(colour, ratio: float):
    """`colour` ('#RRGGBB') darkened step by step towards black, same hue, until it has `ratio` to
    white; any other value (None, a list, an rgba() string) is returned as it is."""
    if not (isinstance(colour, str) and colour.startswith("#") and len(colour) == 7):
        return colour
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    out = colour
    while contrast(out) < ratio:
        rgb = [int(c * 0.92) for c in rgb]
        out = "#{:02X}{:02X}{:02X}".format(*rgb)
    return out


def text_on(colour) -> str:
    """Black or white, whichever reads better on a bar of `colour`."""
    if not (isinstance(colour, str) and colour.startswith("#") and len(colour) == 7):
        return TEXT
    return "#000000" if contrast(colour, "#000000") >= contrast(colour) else "#FFFFFF"


def readable(fig: go.Figure) -> go.Figure:
    """The figure's text, lines and bar edges at WCAG's contrast on white (the module's docstring);
    the figure is changed in place and returned."""
    text_font = dict(color=TEXT)
    fig.update_layout(font_color=TEXT, legend_font_color=TEXT, title_font_color=TEXT,
                      modebar=dict(color="#5c5f6b", activecolor=TEXT))  # the PNG button: 6.4:1
    fig.update_xaxes(tickfont=text_font, title_font=text_font, linecolor="#767986")
    fig.update_yaxes(tickfont=text_font, title_font=text_font, linecolor="#767986")
    for trace in fig.data:
        if trace.type == "bar":
            colour = trace.marker.color
            trace.marker.line.color = EDGE
            trace.marker.line.width = 1
            trace.insidetextfont.color = text_on(colour)
            if trace.outsidetextfont.color:
                trace.outsidetextfont.color = darker(trace.outsidetextfont.color, TEXT_RATIO)
        elif trace.type == "scatter":
            trace.line.color = darker(trace.line.color, GRAPHIC_RATIO)
            if trace.marker.color is not None:
                trace.marker.color = darker(trace.marker.color, GRAPHIC_RATIO)
        elif trace.type == "pie":
            trace.marker.line.color = EDGE
            trace.marker.line.width = 1
            colours = trace.marker.colors or ()
            trace.insidetextfont.color = [text_on(c) for c in colours] if colours else TEXT
    for shape in fig.layout.shapes:
        shape.line.color = darker(shape.line.color, GRAPHIC_RATIO)
    for note in fig.layout.annotations:
        note.font.color = darker(note.font.color, TEXT_RATIO) if note.font.color else TEXT
    return fig


def _plain(value) -> str:
    """A label of the figure as a person reads it: Plotly's escaping undone, tags dropped."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return html.unescape(str(value)).replace("<br>", " ")


def _category(value, lang: str, dates: bool) -> str:
    if value in ("", None):  # one bar without a label (the overview's counter): the whole
        return t("chart_table_total", lang)
    if dates:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        return fmt.long_date(day if not isinstance(day, datetime) else day.date(), lang)
    return _plain(value)


def _value(trace, i: int, value, lang: str) -> str:
    """The value as the chart labels it (its text on the bar, when it has one), else the number."""
    text = trace.text
    if isinstance(text, (list, tuple)) and i < len(text) and text[i] not in (None, ""):
        return _plain(text[i])
    if value is None:
        return fmt.MISSING
    if isinstance(value, float) and not value.is_integer():
        return fmt.number(value, lang, 1)
    return fmt.number(value, lang)


def _points(trace, lang: str) -> tuple[str, list[tuple[str, str]]]:
    """(series name, [(category, value)]) of one trace, in the chart's order."""
    if trace.type == "pie":
        labels = [_plain(v).split(":")[0] for v in trace.labels or ()]
        shown = list(trace.text or trace.values or ())
        return _plain(trace.name or ""), [(labels[i], _plain(shown[i])) for i in range(len(labels))]
    horizontal = trace.orientation == "h"
    categories = list((trace.y if horizontal else trace.x) or ())
    values = list((trace.x if horizontal else trace.y) or ())
    dates = bool(categories) and all(isinstance(c, (date, datetime)) or
                                     (isinstance(c, str) and len(c) >= 10 and c[4] == "-" and c[7] == "-")
                                     for c in categories)
    points = [(_category(c, lang, dates), _value(trace, i, v, lang)) for i, (c, v) in enumerate(zip(categories, values))]
    return _plain(trace.name or ""), points


def _unlabelled_zero(trace, i: int) -> bool:
    """A 0 the chart leaves without a label (a segment not drawn in a stacked bar)."""
    if trace.type != "bar":
        return False
    text = trace.text
    values = (trace.x if trace.orientation == "h" else trace.y) or ()
    return (isinstance(text, (list, tuple)) and i < len(text) and text[i] == ""
            and i < len(values) and values[i] == 0)


def _value_axis(fig: go.Figure, trace) -> str:
    """The title of the axis a trace's values stand on ("Mediaan (dagen)"), for a trace without a name."""
    axis = fig.layout.xaxis if getattr(trace, "orientation", None) == "h" else fig.layout.yaxis
    return _plain(axis.title.text or "") if axis and axis.title else ""


def _series(fig: go.Figure, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The series a person reads: every trace with points, by its name, else its value axis's title."""
    out = []
    for trace in fig.data:
        if trace.visible is False:
            continue
        name, points = _points(trace, lang)
        if points:
            out.append((name or (_value_axis(fig, trace) if trace.type != "pie" else ""), points))
    return out


def data_table(fig: go.Figure, lang: str) -> tuple[list[str], list[list[str]]]:
    """(columns, rows): the first column the category, one column per series (its legend name); "–"
    where a series has no point at a category."""
    series = _series(fig, lang)
    categories: list[str] = []
    for _, points in series:
        categories += [c for c, _ in points if c not in categories]
    columns = [t("chart_table_category", lang)] + [name or t("chart_table_value", lang) for name, _ in series]
    cells = [dict(points) for _, points in series]
    rows = [[category] + [cell.get(category, fmt.MISSING) for cell in cells] for category in categories]
    return columns, rows


def summary(fig: go.Figure, lang: str, title: str | None = None) -> str:
    """A sentence per series with its figures ("Teller: Utrecht 72, Zeist 12, …"); a long series
    by its first and last point; a segment the chart does not draw (an unlabelled 0) left out.
    `title` (the chart's heading, else the figure's title) goes first."""
    parts = []
    traces = [trace for trace in fig.data if trace.visible is not False]
    named = [(trace, *_points(trace, lang)) for trace in traces]
    for trace, name, points in named:
        name = name or (_value_axis(fig, trace) if trace.type != "pie" else "")
        points = [p for i, p in enumerate(points) if not _unlabelled_zero(trace, i)]
        if not points:
            continue
        if len(points) > SUMMARY_POINTS:
            first, last = points[0], points[-1]
            text = t("chart_summary_long", lang, n=len(points), first=f"{first[0]} {first[1]}",
                     last=f"{last[0]} {last[1]}")
        else:
            text = ", ".join(f"{c} {v}".strip() for c, v in points)
        parts.append(f"{name}: {text}" if name else text)
    title = title or _plain(fig.layout.title.text or "") or None
    lead = t("chart_summary_lead", lang, title=title) if title else t("chart_summary_lead_untitled", lang)
    return lead + " " + "; ".join(parts) + "."
