"""What every session of one server process draws alike, made once per process (issue 28).

Twenty people opening the review page at the same date and role get the same tables and charts.
Streamlit makes each element again in every session's run (st.table marshals its pandas Styler,
st.plotly_chart serialises its figure), and under concurrency those runs share one core: measured
with bench/load.py (cProfile through bench/served.py, 20 sessions), st.table's Styler took 60% of a
review page run. Here an element's message is made once for its content and sent again as it is.

- `Once`: a bounded process-wide cache where concurrent asks for the same key wait for the one
  computation instead of each computing it (a lock per key);
- `table_element(cells, styler_of)`: st.table of `styler_of(cells)`, marshalled once per content.

Uses Streamlit's own marshalling (streamlit.elements.table.marshall_table) and its element queue
(DeltaGenerator._enqueue), as st.table does, with the same layout; Streamlit is pinned
(requirements.txt), and tests/test_shared_elements.py checks that the element sent is st.table's.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
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
