"""The processes of `make serve` compute a read once between them (issue 28, eet.store.across_processes):
processes asking at once for one key wait for one computation; a new data version drops the older
ones; the files are the server user's only; without a shared folder ui.read writes nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from eet.store import across_processes
from eet.store.across_processes import Store

ROOT = Path(__file__).resolve().parent.parent

# One process: waits until `start` (epoch s), asks the store for the review of one date, and notes a
# computation in `computed` (one line each) while it takes 0.5 s, long enough for the others to ask.
ASK = """
import sys, time
from pathlib import Path
from eet.store.across_processes import Store

folder, computed, start, version = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])

def compute():
    with open(computed, "a") as out:
        out.write("computed\\n")
    time.sleep(0.5)
    return {"review": "2021-05-31", "dwellings": 12}

time.sleep(max(0.0, start - time.time()))
print(Store(Path(folder)).get(version, b"build_review/viewer/2021-05-31", compute))
"""


def _ask_at_once(folder: Path, computed: Path, processes: int, version: int = 7) -> list[str]:
    start = time.time() + 2.0  # after every interpreter has started
    asking = [subprocess.Popen([sys.executable, "-c", ASK, str(folder), str(computed), str(start), str(version)],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    return [process.communicate(timeout=60)[0].strip() for process in asking]


def test_processes_asking_at_once_wait_for_one_computation(tmp_path):
    folder, computed = across_processes.prepare(tmp_path / "shared"), tmp_path / "computed.txt"
    answers = _ask_at_once(folder, computed, processes=4)
    assert answers == ["{'review': '2021-05-31', 'dwellings': 12}"] * 4
    assert computed.read_text().count("computed") == 1
    # Asked again at the same version: read, not computed; at a new version: computed once more.
    _ask_at_once(folder, computed, processes=2)
    assert computed.read_text().count("computed") == 1
    _ask_at_once(folder, computed, processes=2, version=8)
    assert computed.read_text().count("computed") == 2
    assert sorted(p.name for p in folder.iterdir()) == ["v8"]  # version 7's values deleted


def test_the_folder_and_its_files_are_the_server_users_only(tmp_path):
    (tmp_path / "shared").mkdir(mode=0o755)
    (tmp_path / "shared" / "v1").mkdir()  # of an earlier start: emptied
    folder = across_processes.prepare(tmp_path / "shared")
    assert list(folder.iterdir()) == []
    store = Store(folder)
    assert store.get(3, b"key", lambda: [1, 2]) == [1, 2]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "v3").stat().st_mode) & 0o077 == 0
    files = list((folder / "v3").iterdir())
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600  # the value; its lock file removed


def test_a_failed_computation_is_not_kept_and_the_values_are_bounded(tmp_path):
    store = Store(across_processes.prepare(tmp_path / "shared"), keep=4)

    def fail():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        store.get(1, b"a", fail)
    assert store.get(1, b"a", lambda: "a") == "a"
    for key in (b"b", b"c", b"d", b"e"):
        store.get(1, key, lambda: key)
        time.sleep(0.01)  # distinct modification times
    values = [p for p in (tmp_path / "shared" / "v1").iterdir() if p.suffix == ".pickle"]
    assert len(values) <= 4
    assert store.get(1, b"a", lambda: "again") == "again"  # the oldest went first
    assert store.get(1, b"e", lambda: "again") == b"e"


def _one_read():
    import streamlit as st

    import ui
    from eet.accounts.access import Actor

    def review_of(session, actor, day):
        st.session_state["computed"] = st.session_state.get("computed", 0) + 1
        return f"review at {day} for {actor.role}"

    st.session_state["seen"] = ui.read(review_of, Actor("anna", "viewer"), "2021-05-31")


@pytest.mark.parametrize("shared", [False, True])
def test_ui_read_shares_a_read_through_the_folder_only_under_make_serve(engine, monkeypatch, tmp_path, shared):
    """A second process (here: the same one with its own cache emptied) reads what the first
    computed when both have the shared folder, and computes it again when there is none."""
    from streamlit.testing.v1 import AppTest

    import ui

    folder = across_processes.prepare(tmp_path / "shared")
    monkeypatch.setenv("EET_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    if shared:
        monkeypatch.setenv(across_processes.ENV, str(folder))
    else:
        monkeypatch.delenv(across_processes.ENV, raising=False)
    computed = []
    for _ in range(2):
        ui._read.clear()
        at = AppTest.from_function(_one_read).run(timeout=60)
        assert not at.exception
        assert at.session_state["seen"] == "review at 2021-05-31 for viewer"
        computed.append(at.session_state["computed"] if "computed" in at.session_state else 0)
    assert computed == ([1, 0] if shared else [1, 1])
    assert len(list(folder.rglob("*.pickle"))) == (1 if shared else 0)


def _one_kept_chart():
    import plotly.graph_objects as go
    import streamlit as st

    import ui
    from ui import style

    def bars(source, lang):
        st.session_state["made"] = st.session_state.get("made", 0) + 1
        return go.Figure([go.Bar(x=list(source), y=list(source.values()), name="Teller")])

    counts = {"Utrecht": 12, "Zeist": 3}
    style.chart(ui.kept(bars, counts, "nl", key=("review of 2021-05-31",)), key="chart_kept")


@pytest.mark.parametrize("shared", [False, True])
def test_a_kept_chart_is_made_by_one_process_for_all_under_make_serve(engine, monkeypatch, tmp_path, shared):
    """The figure of a ui.Kept chart is made and drawn by the first process; a second one (here:
    this one with its caches emptied) sends what the first drew, without making the figure."""
    from streamlit.testing.v1 import AppTest

    import ui
    from ui import shared as elements

    folder = across_processes.prepare(tmp_path / "shared")
    monkeypatch.setenv("EET_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    if shared:
        monkeypatch.setenv(across_processes.ENV, str(folder))
    else:
        monkeypatch.delenv(across_processes.ENV, raising=False)
    made, specs = [], []
    for _ in range(2):
        ui._built.clear()
        elements._kept_charts.clear()
        at = AppTest.from_function(_one_kept_chart).run(timeout=60)
        assert not at.exception
        made.append(at.session_state["made"] if "made" in at.session_state else 0)
        specs.append(at.get("plotly_chart")[0].proto.spec)
    assert made == ([1, 0] if shared else [1, 1])
    assert specs[0] == specs[1] and "Utrecht" in specs[0]
    assert "Utrecht 12" in at.caption[0].value  # the chart's sentence, drawn from the same copy
