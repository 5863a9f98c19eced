"""What every session of one server process draws alike, made once per process (issue 28).

Twenty people opening the review page at the same date and role get the same tables and charts.
Streamlit makes each element again in every session's run (st.table marshals its pandas Styler,
st.plotly_chart serialises its figure), and under concurrency those runs share one core: measured
with bench/load.py (cProfile through bench/served.py, 20 sessions), st.table's Styler took 60% of a
review page run. Here an element's message is made once for its content and sent again as it is.

- `Once`: a bounded process-wide cache where concurrent asks for the same key wait for the one
  computation instead of each computing it (a lock per key);
- `table_element(cells, styler_of)`: st.table of `styler_of(cells)`, marshalled once per content;
- `chart_once(fig, ...)` and `chart_element(place, chart, key=...)`: st.plotly_chart of a figure
  kept for every session (ui.built), copied, restyled and serialised once per figure.

Uses Streamlit's own marshalling (streamlit.elements.table.marshall_table, Plotly's JSON as
st.plotly_chart makes it, its element ids) and its element queue (DeltaGenerator._enqueue), as
st.table and st.plotly_chart do, with the same layout; Streamlit is pinned (requirements.txt), and
tests/test_shared_elements.py checks that the elements sent are st.table's and st.plotly_chart's.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Hashable

import streamlit as st


class Once:
    """At most `size` values, each computed once: `get(key, compute)` returns the value held for
    `key`, or computes it while concurrent asks for the same key wait for that computation. The
    least recently used value is dropped first. A computation that raises is not held (the next ask
    tries again)."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._values:  # computed meanwhile by the ask we waited for
                    return self._values[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_figure_copying = threading.Lock()


def figure_copy(fig):
    """A figure of this session's own from `fig`, which may be one kept for every session
    (ui.built). Plotly's copy is not safe to run twice at once on one figure: go.Figure(fig) takes
    each trace's own property dict, pops its "type" and puts it back (plotly 7.1,
    _plotly_utils.basevalidators.BaseDataValidator.validate_coerce), so a copy made meanwhile reads
    a bar without its type as a scatter and fails (seen under bench/load.py: "Invalid element(s)
    received for the 'textposition' property of scatter"). One copy at a time: it is work for the
    interpreter's one lock anyway."""
    import plotly.graph_objects as go

    with _figure_copying:
        return go.Figure(fig)


_tables = Once(1024)  # a review page at one date and role has about 15 tables of a few kB


def _table_bytes(cells: dict[str, list], styler_of: Callable) -> bytes:
    from streamlit.elements.table import marshall_table, parse_border_mode
    from streamlit.proto.Table_pb2 import Table as TableProto

    # The Styler's id names its CSS rules (right-aligned columns, unbroken cells): one from the
    # content, so that two tables on a page never share rules unless they are the same table.
    uuid = hashlib.blake2b(repr(sorted(cells.items())).encode(), digest_size=6).hexdigest()
    proto = TableProto()
    marshall_table(proto.arrow_data, styler_of(cells).set_uuid(uuid), uuid)
    proto.border_mode = parse_border_mode(True)
    proto.hide_index = True
    proto.hide_header = False
    return proto.SerializeToString()


def table_element(cells: dict[str, list], styler_of: Callable) -> None:
    """`st.table(styler_of(cells), hide_index=True)` in the current container, the marshalled table
    made once per process for these cells (their names and texts, in order)."""
    from streamlit.elements.lib.layout_utils import create_layout_config
    from streamlit.proto.Table_pb2 import Table as TableProto

    try:
        key = tuple((name, tuple(values)) for name, values in cells.items())
        hash(key)
    except TypeError:  # a cell that cannot be a key: made as st.table makes it
        st.table(styler_of(cells), hide_index=True)
        return
    proto = TableProto.FromString(_tables.get(key, lambda: _table_bytes(cells, styler_of)))
    layout = create_layout_config(width="stretch", height="content", allow_content_width=True,
                                  allow_content_height=True)
    st._main._enqueue("table", proto, layout_config=layout)


@dataclass(frozen=True)
class Chart:
    """A Plotly figure as st.plotly_chart sends it, made once: `spec` its JSON (Plotly's, as
    validated by st.plotly_chart), `config` Plotly's config as JSON, `width` and `height` the
    element's layout ("stretch", pixels), `extra` what the caller made from the same copy (e.g. the
    chart's sentence and data table)."""

    spec: str
    config: str
    width: Any
    height: Any
    extra: Any


_charts_making = threading.Lock()
_DRAWN = "_eet_charts"  # on the figure itself: a kept figure's charts live as long as it does


def chart_once(fig, name: Hashable, config: dict, make: Callable[[Any], tuple[Any, Any]]) -> Chart:
    """The Chart of `fig` for `name` (what else the chart depends on: language, key, title), made
    once for this figure object: `make(copy)` gets a copy of `fig` of its own and returns (the
    figure to draw, extra). For a figure kept for every session (ui.built) this is once per process
    instead of once per session and run: copying, restyling, validating and serialising a chart was
    most of a review page run of a session (bench/load.py, cProfile). One chart is made at a time
    (it is work for the interpreter's one lock anyway), so that two sessions never make one twice."""
    import plotly.io
    import plotly.tools
    from streamlit.elements.plotly_chart import _resolve_content_height, _resolve_content_width

    with _charts_making:
        made = getattr(fig, _DRAWN, None)
        if made is None:
            made = {}
            setattr(fig, _DRAWN, made)  # Plotly lets names with a leading underscore through
        if name not in made:
            drawn, extra = make(figure_copy(fig))
            figure = plotly.tools.return_figure_from_figure_or_data(drawn, validate_figure=True)
            made[name] = Chart(plotly.io.to_json(figure, validate=False), json.dumps(config),
                               _resolve_content_width("stretch", figure), _resolve_content_height("content", figure),
                               extra)
        return made[name]


def chart_element(place, chart: Chart, *, key: str):
    """`place.plotly_chart(figure, key=key, config=config)` of the figure `chart` was made from
    (width "stretch", height "content", theme "streamlit", no selection): the same element, with
    its id computed as st.plotly_chart computes it (tests/test_shared_elements.py)."""
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.elements.lib import agent_spec
    from streamlit.elements.lib.form_utils import current_form_id
    from streamlit.elements.lib.layout_utils import LayoutConfig
    from streamlit.elements.lib.utils import compute_and_register_element_id
    from streamlit.elements.plotly_chart import _plotly_data
    from streamlit.proto.PlotlyChart_pb2 import PlotlyChart as PlotlyChartProto

    dg = place if isinstance(place, DeltaGenerator) else st._main
    proto = PlotlyChartProto()
    proto.theme = "streamlit"
    proto.form_id = current_form_id(dg)
    proto.spec = chart.spec
    proto.config = chart.config
    proto.id = compute_and_register_element_id(
        "plotly_chart", user_key=key, key_as_main_identity=False, dg=dg, plotly_spec=proto.spec,
        plotly_config=proto.config, selection_mode=("points", "box", "lasso"), is_selection_activated=False,
        theme="streamlit", width="stretch", height="content", alt=None)
    return dg._enqueue("plotly_chart", proto, layout_config=LayoutConfig(width=chart.width, height=chart.height),
                       agent_props=agent_spec.element("plotly_chart", key=key,
                                                      data_builder=lambda: _plotly_data(chart.spec), alt=None))


_kept_charts = Once(256)  # a review at one date has five charts; a few dates and languages at once


def kept_chart(kept, name: Hashable, config: dict, make: Callable[[Any], tuple[Any, Any]]) -> Chart:
    """The Chart of a ui.Kept figure for `name` (as chart_once): once per process, and under `make
    serve` once for all its processes (ui.Kept.across); the figure is made only by the process
    that draws it first."""
    if kept.name is None:
        return chart_once(kept.figure(), name, config, make)
    key = kept.name + pickle.dumps((name, config), protocol=pickle.HIGHEST_PROTOCOL)
    return _kept_charts.get((kept.version, key), lambda: kept.across(
        key, lambda: chart_once(kept.figure(), name, config, make)))
