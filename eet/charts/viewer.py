"""Charts as an actor may see them, on top of eet.charts: the overview's counter bar (where a viewer
may not see the occupied / available split, eet.figures.privacy rule 4, the two are one segment, their
sum), and the lead times (buckets merged for viewers; nothing to draw is None, not empty axes)."""

from __future__ import annotations

import plotly.graph_objects as go

from eet.charts import base as charts
from eet.texts import formatting as fmt
from eet.texts import label, t
from eet.figures.disclosure import COMBINED
from eet.figures.progress import Headline


def cell(value, lang: str) -> str:
    """A cell of the one disclosure pass as text: a number, "<5", "–" (withheld) or, for occupied
    and available shown only as their sum, the words that say where they are."""
    return t("combined_cell", lang) if value == COMBINED else fmt.number(value, lang)


def signed(value, lang: str) -> str:
    """A change: "+3", "<5" (a small change), "–" (not shown)."""
    if value is None:
        return fmt.MISSING
    return value if isinstance(value, str) else fmt.signed(value, lang)


def counter_bar(headline: Headline, lang: str) -> go.Figure:
    counts = dict(headline.by_status)
    split_hidden = any(not isinstance(counts.get(s), int) for s in ("occupied", "available"))
    if not split_hidden:
        return charts.counter_bar(counts, headline.dwellings["target"], lang)
    in_use = headline.dwellings["counter"] - counts["location_found"]
    fig = charts.counter_bar({**counts, "occupied": 0, "available": in_use}, headline.dwellings["target"], lang)
    fig.data = tuple(trace for trace in fig.data if trace.name != label("status", "occupied", lang))
    for trace in fig.data:
        if trace.name == label("status", "available", lang):
            trace.name = t("occupied_or_available", lang)
            trace.marker = charts.pattern_marker(charts.OKABE_ITO["purple"], charts.COMBINED_PATTERN)
            trace.text = [fmt.number(in_use, lang) if in_use else ""]
    return fig


def lead_time_histogram(buckets: list[tuple[int, int, object]], lang: str) -> go.Figure | None:
    """The lead times as bars of (first day, last day, count), buckets of unequal width after
    eet.figures.privacy.merge_buckets; None when there is nothing to draw (no bucket holds a count that may
    be shown), so that the page says why instead of drawing empty bars."""
    if not any(isinstance(n, int) and n for _, _, n in buckets):
        return None
    fig = charts.lead_time_histogram([(first, n) for first, _, n in buckets], 1, lang)
    fig.data[0].x = [charts.days_range(first, last, lang) for first, last, _ in buckets]
    return fig


def lead_time_trend(rows: list[tuple[str, float, object]], lang: str) -> go.Figure | None:
    """The monthly mean lead time; None when no month may be shown (for viewers, months with fewer
    moves-in than the threshold are left out)."""
    return charts.lead_time_trend(rows, lang) if rows else None


def municipality_stacked(by_municipality: dict[str, dict], lang: str) -> go.Figure:
    """eet.charts.municipality_stacked; a municipality whose occupied / available split is hidden
    shows their sum as one segment."""
    hidden = {name for name, row in by_municipality.items()
              if any(not isinstance(row.get(s), int) for s in ("occupied", "available"))}
    drawn = {name: ({**row, "occupied": 0, "available": 0} if name in hidden else row)
             for name, row in by_municipality.items()}
    fig = charts.municipality_stacked(drawn, lang)
    if hidden:
        # The drawn names are escaped for Plotly (charts.plotly_text): look rows up by the data's own.
        names = charts.municipality_order(drawn)
        in_use = [by_municipality[n]["counter"] - by_municipality[n]["location_found"] if n in hidden else 0
                  for n in names]
        fig.add_bar(y=[charts.plotly_text(n) for n in names], x=in_use, orientation="h", name=t("occupied_or_available", lang),
                    marker=charts.pattern_marker(charts.OKABE_ITO["purple"], charts.COMBINED_PATTERN),
                    text=[fmt.number(v, lang) if v else "" for v in in_use], textposition="inside",
                    insidetextanchor="middle", hovertemplate="%{y}, %{fullData.name}: %{x}<extra></extra>")
    return fig
