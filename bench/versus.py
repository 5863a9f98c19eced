"""Ours against the analyst's pandas peer (bench/peer.py), side by side in one run.

bench/run.py calls `side_by_side(url, engine, as_of, repeats)` and prints its rows: per case our
median time, the peer's and their ratio, from interleaved repetitions (ours and the peer take turns,
the one going first alternating), so that the load of a shared machine falls on both alike. Every
date either side is timed at, it is timed at for the first time (no cached answer is reused), and
both sides' answers are checked equal there.

Cases (issue 15):
- first report: a fresh process, timed from after its imports: ours = engine + build_report (with
  the timeline file eet.figures.timeline_file keeps, and once without it: every history read from
  the tables); the peer = load every table + compute;
- a new as-of date: ours = build_report at a date not asked before; the peer = compute only (it
  holds the tables already);
- date slider: ten consecutive month-ends, one after another, the same way;
- whole process: `python -m eet report --format json` against `python bench/peer.py` (with the
  timeline file, and without it);
- imports only: Python started with each side's imports and nothing else (ours: eet's command
  line with SQLAlchemy, SQLModel and NumPy; the peer: pandas, NumPy, SQLAlchemy), the floor under
  the whole process: ours over the peer's whole process is the best ratio a process can reach;
- after a write: a participant registered through the service layer (as the form does), then the
  report at the date: ours = build_report (which must count the new participant); the peer must
  load the tables again to see it = load + compute. Writes a few participants (BENCH-…) into the
  database, so it runs last.

    .venv/bin/python bench/versus.py first ours|peer URL YYYY-MM-DD   (one cold run; prints seconds)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve()
SLIDER_DATES = 10
# What issue 15 asks of each case, as ours / peer (None: no target named).
TARGETS = {"first report (fresh process)": None, "a new as-of date": 1 / 3,
           "whole process, histories from the tables": 1 / 5,
           "date slider (10 month-ends)": 1 / 3, "whole process (eet report vs peer.py)": 1 / 5,
           "report after a write": 1 / 3}


def _interleaved(ours, peer, repeats: int) -> tuple[float, float]:
    """Medians of `repeats` runs of each: ours(i) and peer(i) are timed here, unless they return a
    float, the seconds they measured themselves (a child process, timed after its imports)."""
    times: dict[str, list[float]] = {"ours": [], "peer": []}
    for i in range(repeats):
        order = (("ours", ours), ("peer", peer)) if i % 2 == 0 else (("peer", peer), ("ours", ours))
        for side, call in order:
            start = time.perf_counter()
            measured = call(i)
            elapsed = time.perf_counter() - start
            times[side].append(measured if isinstance(measured, float) else elapsed)
    return statistics.median(times["ours"]), statistics.median(times["peer"])


def month_ends(last: date, count: int) -> list[date]:
    """`count` consecutive month-ends, the latest on or before `last`, oldest first."""
    out = []
    day = last.replace(day=1) - timedelta(days=1) if (last + timedelta(days=1)).day != 1 else last
    for _ in range(count):
        out.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return out[::-1]


def _without_file(kept: bool) -> dict[str, str]:
    """The environment of a child: with the timeline file of eet.figures.timeline_file, or not
    (EET_TIMELINE_FILE=off: every history read from the tables, as after a change by another
    process)."""
    return {**os.environ, "EET_TIMELINE_FILE": "on" if kept else "off"}


def _child(side: str, url: str, as_of: date, kept: bool = True) -> float:
    out = subprocess.run([sys.executable, str(HERE), "first", side, url, as_of.isoformat()],
                         cwd=ROOT, check=True, capture_output=True, text=True, env=_without_file(kept))
    return float(out.stdout.strip().splitlines()[-1])


def _whole(command: list[str], url: str, kept: bool = True) -> None:
    env = {**_without_file(kept), "EET_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def side_by_side(url: str, engine, as_of: date, repeats: int) -> list[tuple[str, float, float]]:
    """(case, our seconds, the peer's seconds) for each case of the module docstring; raises
    AssertionError when the answers differ at any date timed."""
    sys.path.insert(0, str(ROOT))
    from sqlmodel import Session

    from bench import peer
    from eet.report import build_report

    def ours_at(day: date) -> dict:
        with Session(engine) as session:
            return build_report(session, day)

    checked: list[tuple[date, dict]] = []

    def check(day: date, ours: dict) -> None:
        checked.append((day, ours))

    rows = [("first report, histories from the tables",
             *_interleaved(lambda i: _child("ours", url, as_of - timedelta(days=i), kept=False),
                           lambda i: _child("peer", url, as_of - timedelta(days=i)), repeats)),
            ("first report (fresh process)",
             *_interleaved(lambda i: _child("ours", url, as_of - timedelta(days=i)),
                           lambda i: _child("peer", url, as_of - timedelta(days=i)), repeats))]

    tables = peer.load(engine)
    ours_at(as_of), peer.compute(tables, as_of)  # statement caches and imports warm, as in a server
    new_dates = [as_of - timedelta(days=11 * (i + 1)) for i in range(repeats)]
    rows.append(("a new as-of date", *_interleaved(
        lambda i: check(new_dates[i], ours_at(new_dates[i])),
        lambda i: peer.compute(tables, new_dates[i]), repeats)))

    # Windows of ten month-ends that do not overlap, the latest ending before the new dates above.
    first_end = new_dates[-1] - timedelta(days=31)
    windows = [month_ends(first_end - timedelta(days=31 * SLIDER_DATES * i), SLIDER_DATES)
               for i in range(repeats)]
    rows.append(("date slider (10 month-ends)", *_interleaved(
        lambda i: [check(d, ours_at(d)) for d in windows[i]],
        lambda i: [peer.compute(tables, d) for d in windows[i]], repeats)))

    rows.append(("whole process, histories from the tables", *_interleaved(
        lambda i: _whole([sys.executable, "-m", "eet", "report", "--as-of", as_of.isoformat(),
                          "--format", "json"], url, kept=False),
        lambda i: _whole([sys.executable, str(HERE.parent / "peer.py"), "--as-of", as_of.isoformat()], url),
        repeats)))
    rows.append(("whole process (eet report vs peer.py)", *_interleaved(
        lambda i: _whole([sys.executable, "-m", "eet", "report", "--as-of", as_of.isoformat(),
                          "--format", "json"], url),
        lambda i: _whole([sys.executable, str(HERE.parent / "peer.py"), "--as-of", as_of.isoformat()], url),
        repeats)))

    # The floor under the whole process: Python starting and importing what each side needs, no data.
    rows.append(("imports only (the whole process's floor)", *_interleaved(
        lambda i: _whole([sys.executable, "-c", "import eet.cli, eet.figures.report, eet.store"], url),
        lambda i: _whole([sys.executable, "-c", "import numpy, pandas, sqlalchemy"], url), repeats)))

    rows.append(("report after a write", *_after_writes(engine, as_of, repeats, ours_at)))

    for day, ours in checked:  # after the timing, so that checking costs neither side
        wrong = peer.differences(ours, peer.compute(tables, day))
        assert not wrong, f"ours and the peer differ at {day}: {wrong[:5]}"
    return rows


def _after_writes(engine, as_of: date, repeats: int, ours_at) -> tuple[float, float]:
    """Medians of (ours, the peer) for the report right after a form-like write, each side after
    a write of its own; ours must count the participant just written."""
    from uuid import uuid4

    from bench import peer
    from eet.accounts.access import SYSTEM
    from eet.entry import services
    from eet.entry.schemas import ParticipantIn
    from eet.store.engine import session_scope

    def write() -> None:
        with session_scope(engine) as session:
            services.register_participant(session, SYSTEM, ParticipantIn(
                code=f"BENCH-{uuid4().hex[:8]}", referrer="Stadsteam Back Up", referred_on=as_of))

    def ours(i: int) -> float:
        before = ours_at(as_of)["participants"]["funnel"]["referred"] if i == 0 else None
        write()
        start = time.perf_counter()
        report = ours_at(as_of)
        elapsed = time.perf_counter() - start
        assert before is None or report["participants"]["funnel"]["referred"] == before + 1
        if i == repeats - 1:  # untimed: the peer, loaded afresh, agrees
            wrong = peer.differences(report, peer.compute(peer.load(engine), as_of))
            assert not wrong, f"ours and the peer differ after a write: {wrong[:5]}"
        return elapsed

    def theirs(i: int) -> float:
        write()
        start = time.perf_counter()
        peer.compute(peer.load(engine), as_of)
        return time.perf_counter() - start

    return _interleaved(ours, theirs, repeats)


def print_table(rows: list[tuple[str, float, float]], repeats: int) -> None:
    print(f"\nversus the pandas peer (medians of {repeats} interleaved runs; a shared machine: "
          f"read the ratios)")
    print(f"{'case':<40} {'ours ms':>9} {'peer ms':>9} {'ours/peer':>9} {'target':>7}")
    for name, ours, theirs in rows:
        target = TARGETS.get(name)
        print(f"{name:<40} {ours * 1000:>9.1f} {theirs * 1000:>9.1f} {ours / theirs:>9.2f} "
              f"{'' if target is None else f'<={target:.2f}':>7}")


def _first(side: str, url: str, as_of: date) -> float:
    """One cold report in this fresh process, timed after the imports."""
    sys.path.insert(0, str(ROOT))
    if side == "peer":
        from bench import peer

        start = time.perf_counter()
        peer.compute(peer.load(url), as_of)
        return time.perf_counter() - start
    from sqlmodel import Session

    from eet.report import build_report
    from eet.store.engine import get_engine

    start = time.perf_counter()
    with Session(get_engine(url)) as session:
        build_report(session, as_of)
    return time.perf_counter() - start


if __name__ == "__main__":
    _, mode, which, database, day = sys.argv
    assert mode == "first" and which in ("ours", "peer"), sys.argv
    print(_first(which, database, date.fromisoformat(day)))
