"""What many sessions ask for alike is made once per process (issue 28): concurrent asks for one key
wait for one computation; a table is marshalled once per content and is the element st.table sends;
cached reads are shared by people of one role and organisation, not by people of another."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.shared import Once

ROOT = Path(__file__).resolve().parent.parent


def test_concurrent_asks_for_one_key_wait_for_a_single_computation():
    once, computed, start = Once(8), [], threading.Barrier(10)

    def compute():
        computed.append(1)
        time.sleep(0.2)  # long enough for every other ask to arrive meanwhile
        return "review"

    results = []

    def ask():
        start.wait()
        results.append(once.get(("review", "2021-05-31", "viewer"), compute))

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["review"] * 10
    assert len(computed) == 1


def test_a_failed_computation_is_not_held_and_the_oldest_value_goes_first():
    once = Once(2)

    def fail():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        once.get("a", fail)
    assert once.get("a", lambda: 1) == 1
    once.get("b", lambda: 2)
    once.get("a", lambda: 99)  # held: "a" is now the most recently used
    once.get("c", lambda: 3)  # "b" goes
    assert once.get("a", lambda: 99) == 1 and once.get("b", lambda: 20) == 20


def _two_tables():
    import streamlit as st

    from ui import forms as fx

    cells = {"Gemeente": ["Utrecht", "<b>Zeist</b>"], "15-01-2021": ["12", "3,5 %"], "Toelichting": ["a", "b"]}
    fx.table(cells)  # made once per content (ui.shared)
    st.table(fx.table_styler(cells), hide_index=True)  # as st.table makes it
    with st.columns(2)[1]:
        fx.table(cells)  # in a column: the same table, where the page put it


def test_a_table_made_once_is_the_element_st_table_sends():
    at = AppTest.from_function(_two_tables).run(timeout=60)
    assert not at.exception
    ours, theirs, in_column = (table.proto for table in at.table)
    for field in ("border_mode", "hide_index", "hide_header"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.arrow_data.data == theirs.arrow_data.data  # the cells, escaped as st.table escapes them
    assert list(ours.arrow_data.styler.display_values) == list(theirs.arrow_data.styler.display_values)
    # The same style rules, each under the table's own id.
    mine, st_uuid = ours.arrow_data.styler, theirs.arrow_data.styler.uuid
    assert mine.styles.replace(mine.uuid, "ID") == theirs.arrow_data.styler.styles.replace(st_uuid, "ID")
    assert "nowrap" in mine.styles and "right" in mine.styles
    assert in_column.arrow_data == ours.arrow_data
    assert at.columns[1].table[0].proto.arrow_data == ours.arrow_data


def _reads():
    import streamlit as st

    import ui
    from eet.accounts.access import Actor

    def who_may_see(session, actor, day):
        st.session_state["computed"] = st.session_state.get("computed", 0) + 1
        return f"{actor.role}/{actor.organisation_id} at {day}"

    st.session_state["seen"] = [
        ui.read(who_may_see, Actor("anna", "viewer"), "2021-05-31"),
        ui.read(who_may_see, Actor("bert", "viewer"), "2021-05-31"),
        ui.read(who_may_see, Actor("carla", "coordinator", organisation_id=4), "2021-05-31"),
        ui.read(who_may_see, Actor("dirk", "coordinator", organisation_id=14), "2021-05-31"),
        ui.read(who_may_see, Actor("anna", "viewer"), "2021-06-30"),
    ]


def test_a_read_is_shared_by_one_role_and_organisation_not_across_them(engine, monkeypatch):
    monkeypatch.setenv("EET_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    at = AppTest.from_function(_reads).run(timeout=60)
    assert not at.exception
    assert at.session_state["seen"] == ["viewer/None at 2021-05-31", "viewer/None at 2021-05-31",
                                        "coordinator/4 at 2021-05-31", "coordinator/14 at 2021-05-31",
                                        "viewer/None at 2021-06-30"]
    assert at.session_state["computed"] == 4  # anna's and bert's asks at one date: one computation


def test_a_figure_kept_for_every_session_is_copied_by_many_at_once_without_losing_a_trace_type():
    """Plotly's copy pops and restores each trace's "type" on the figure copied from: two sessions
    copying one kept figure (ui.built) at once read a bar as a scatter ('Invalid element(s) received
    for the textposition property of scatter', under bench/load.py). A thread switch at nearly
    every bytecode makes that interleaving near certain (without the lock: hundreds of failures)."""
    import sys

    import plotly.graph_objects as go

    from ui.shared import figure_copy

    kept = go.Figure([go.Bar(x=list("abcde"), y=[1, 2, 3, 4, 5], textposition=["auto"] * 4 + ["outside"]),
                      go.Scatter(x=[1, 2], y=[1, 2])])
    failures, start = [], threading.Barrier(4)

    def draw():
        start.wait()
        for _ in range(25):
            try:
                copy = figure_copy(kept)
                assert [trace.type for trace in copy.data] == ["bar", "scatter"]
            except Exception as error:  # noqa: BLE001 (counted, then asserted)
                failures.append(repr(error)[:80])

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=draw) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
    assert [trace.type for trace in kept.data] == ["bar", "scatter"] and kept.data[0].textposition[-1] == "outside"


def _a_chart(ours: bool):
    import plotly.graph_objects as go
    import streamlit as st

    from ui import shared

    fig = go.Figure([go.Bar(x=["Utrecht", "Zeist"], y=[12, 3], name="Teller")], layout=dict(height=320))
    config = {"displaylogo": False, "locale": "nl"}
    with st.columns(2)[1]:
        if ours:
            made = shared.chart_once(fig, ("nl", "chart_a"), config, lambda copy: (copy, None))
            shared.chart_element(st, made, key="chart_a")
            assert shared.chart_once(fig, ("nl", "chart_a"), config, None) is made  # made once
            assert (made.width, made.height) == ("stretch", 320)  # st.plotly_chart's layout for it
        else:
            st.plotly_chart(fig, key="chart_a", config=config)


def test_a_chart_made_once_is_the_element_st_plotly_chart_sends():
    ours, theirs = (AppTest.from_function(_a_chart, kwargs={"ours": mine}).run(timeout=60) for mine in (True, False))
    assert not ours.exception and not theirs.exception
    mine, st_chart = (at.columns[1].get("plotly_chart")[0] for at in (ours, theirs))
    assert mine.proto == st_chart.proto  # spec, config, theme and the id st.plotly_chart gives it
    assert mine.proto.spec and "Utrecht" in mine.proto.spec
