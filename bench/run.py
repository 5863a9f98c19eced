"""Benchmark: every figure of the report against its bare SQL, at pilot and national size.

    .venv/bin/python bench/run.py [--size pilot|national|both] [--backend sqlite|postgresql|both]
                                  [--parts figures,versus,hooks]

For each size and backend it creates a database (SQLite: a temporary file; PostgreSQL: a database
it creates and drops, on EET_BENCH_PG_URL or the local server), loads synthetic histories with
eet.demo.synth, and prints one table: per figure the median time of several runs, the median time of the
hand-written SQL it rests on (bench/bare.py), their ratio, and the peak Python memory of one call
(tracemalloc); then `python -m eet report` as a whole process; then ours against the analyst's
pandas peer side by side (bench/versus.py: first report, a new as-of date, a date slider, whole
process, the report after a write; answers checked equal); and the process's peak RSS.

Page and import timings come from bench/pages_bench.py and bench/import_bench.py when they exist:
each is imported and its `measure(database_url, size)` called, which returns (name, seconds) rows.
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench import bare, versus  # noqa: E402
from eet import figures  # noqa: E402
from eet.figures import report  # noqa: E402
from eet.store import contents  # noqa: E402
from eet.bootstrap import initialise  # noqa: E402
from eet.store import get_engine  # noqa: E402
from eet.demo.synth import synthesise  # noqa: E402
from eet.figures.query import as_known_at  # noqa: E402
from eet.store.models import utcnow  # noqa: E402

SIZES = {"pilot": (300, None), "national": (100_000, 50_000)}
REPEATS = {"pilot": 5, "national": 3}
VERSUS_REPEATS = {"pilot": 3, "national": 5}  # pilot: CI runs it, so the whole run stays under a minute
PARTS = ("figures", "versus", "hooks")
PG_ADMIN_URL = os.environ.get("EET_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
HOOKS = ("bench.pages_bench", "bench.import_bench")


def report_figures():
    """(name, call at D) for each figure build_report reads, and build_report itself."""
    return {
        "coalition": lambda s, d: figures.coalition(s, d),
        "targets": lambda s, d: figures.targets(s, d),
        "dwelling_counts": lambda s, d: figures.dwelling_counts(s, d),
        "dwellings_by_municipality": lambda s, d: figures.dwellings_by_municipality(s, d),
        "funnel": lambda s, d: figures.funnel(s, d),
        "lead_time": lambda s, d: figures.lead_time(s, d),
        "retention_12m": lambda s, d: figures.retention_12m(s, d),
        "is_demo": lambda s, d: contents.is_demo(s),
        "build_report": lambda s, d: report.build_report(s, d),
    }


def page_figures():
    """(name, call at D) for the further figures the pages read (bench/bare.py page_queries)."""
    from eet.figures import dwelling_table
    from eet.figures import participant_view
    from eet.accounts.access import Actor

    researcher = Actor("bench", "researcher")

    def first_page(s, d):
        dwelling_table.dwelling_rows(s, researcher, d, limit=dwelling_table.PAGE_ROWS)
        dwelling_table.dwelling_count(s, researcher, d)

    return {
        "dwelling_trend": lambda s, d: figures.dwelling_trend(s, d),
        "kaplan_meier": lambda s, d: figures.kaplan_meier(s, d),
        "lead_time_distribution": lambda s, d: figures.lead_time_distribution(s, d),
        "lead_time_trend": lambda s, d: figures.lead_time_trend(s, d),
        "funnel_breakdowns": lambda s, d: figures.funnel_breakdowns(s, d, ("referrer_id", "care_provider_id")),
        "central_waiting_list": lambda s, d: figures.central_waiting_list(s, d),
        "withdrawals": lambda s, d: figures.withdrawals(s, d),
        "dwelling_rows (first 500)": first_page,
        "participant_view": lambda s, d: participant_view.participant_view(s, researcher, d),
    }


def median_seconds(call, repeats: int) -> float:
    call()  # warm caches and the statement cache, as a running dashboard has them
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_kib(call) -> float:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


# The report's figures asked again as known at a moment K (issue 16): beside the D case, same bare SQL.
KNOWN_AT_FIGURES = ("dwelling_counts", "funnel", "lead_time", "retention_12m", "build_report")


def measure(engine, size: str, as_of: date, known_at=None) -> list[tuple[str, float, float | None, float]]:
    repeats = REPEATS[size]
    bare_queries = bare.queries(engine.dialect.name)
    bare_pages = bare.page_queries(engine.dialect.name)

    def bare_call(names):
        def go():
            with engine.connect() as conn:
                for name in names:
                    {**bare_queries, **bare_pages}[name](conn, as_of)
        return go

    rows = []
    for name, figure in {**report_figures(), **page_figures()}.items():
        def call(figure=figure):
            with Session(engine) as session:
                figure(session, as_of)
        parts = list(bare_queries) if name == "build_report" else [name]
        bare_time = median_seconds(bare_call(parts), repeats)
        rows.append((name, median_seconds(call, repeats), bare_time, peak_kib(call)))
        if known_at is not None and name in KNOWN_AT_FIGURES:
            def call_k(figure=figure):
                with Session(engine) as session, as_known_at(session, known_at):
                    figure(session, as_of)
            rows.append((f"{name} (D, K)", median_seconds(call_k, repeats), bare_time, peak_kib(call_k)))
    return rows


def back_dated_corrections(engine, as_of: date, every: int = 200) -> int:
    """Void one in `every` move-ins (and the status changes they made) after K, as corrections of
    the past recorded later do; returns how many were voided."""
    from sqlalchemy import update
    from eet.store.models import DwellingStatusChange, ParticipantEvent
    from eet.write.guard import maintenance

    time.sleep(0.01)
    now = utcnow()
    # In bulk, as a bench's set-up: the write gate would take one plan per void.
    with engine.begin() as conn, maintenance("bench: back-dated corrections in bulk"):
        ids = [row[0] for row in conn.execute(text(
            "SELECT id FROM participant_event WHERE kind = 'housed' AND voided_at IS NULL ORDER BY id"))][::every]
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            conn.execute(update(ParticipantEvent).where(ParticipantEvent.id.in_(chunk))
                         .values(voided_at=now, voided_by="bench", void_reason="bench correction"))
            conn.execute(update(DwellingStatusChange).where(DwellingStatusChange.event_id.in_(chunk))
                         .values(voided_at=now, voided_by="bench", void_reason="bench correction"))
    return len(ids)


def cli_report_seconds(url: str, repeats: int) -> float:
    """`python -m eet report` as a user runs it: interpreter start, imports, queries, printing."""
    env = {**os.environ, "EET_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}

    def run():
        subprocess.run([sys.executable, "-m", "eet", "report"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return median_seconds(run, repeats)


def hooks(url: str, size: str) -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    """Per hook module that defines measure(): its name, its value columns (COLUMNS, default one
    in ms) and its rows (name, seconds, ...; a row named "... MiB" carries one plain number)."""
    tables = []
    for module_name in HOOKS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            print(f"note: {module_name.replace('.', '/')}.py not found, its timings are skipped")
            continue
        if not hasattr(module, "measure"):
            print(f"note: {module_name} has no measure(database_url, size); run "
                  f"`python {module_name.replace('.', '/')}.py` on its own")
            continue
        tables.append((module_name.split(".")[-1], getattr(module, "COLUMNS", ("ms",)),
                       module.measure(url, size)))
    return tables


def print_hook_table(name: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    print(f"{name:<28} " + " ".join(f"{c:>10}" for c in columns))
    for row_name, *values in rows:
        if row_name.endswith("MiB"):
            print(f"{row_name:<28} {values[0]:>10.0f}")
        else:
            print(f"{row_name:<28} " + " ".join(f"{v * 1000:>10.1f}" for v in values))


class Database:
    """A throw-away database of the backend: a temporary SQLite file, or a PostgreSQL database."""

    def __init__(self, backend: str):
        self.backend = backend
        if backend == "sqlite":
            self.tmp = tempfile.TemporaryDirectory(prefix="eet-bench-")
            self.url = f"sqlite:///{Path(self.tmp.name) / 'eet.db'}"
        else:
            name = f"eet_bench_{uuid.uuid4().hex[:10]}"
            self._admin(f'CREATE DATABASE "{name}"')
            self.url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    @staticmethod
    def _admin(sql: str) -> None:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(sql))
        admin.dispose()

    def drop(self) -> None:
        get_engine(self.url).dispose()
        if self.backend == "sqlite":
            self.tmp.cleanup()
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{make_url(self.url).database}" WITH (FORCE)')


def run_one(size: str, backend: str, parts: tuple[str, ...] = PARTS) -> None:
    participants, dwellings = SIZES[size]
    db = Database(backend)
    try:
        engine = get_engine(db.url)
        initialise(engine)
        start = time.perf_counter()
        counts = synthesise(engine, participants=participants, seed=1, dwellings=dwellings)
        loaded = time.perf_counter() - start
        if backend == "postgresql":
            with engine.connect() as conn:  # statistics and visibility map, as autovacuum gives after a bulk load
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        as_of = date.today() - timedelta(days=1)
        # K: just after the load, then back-dated corrections recorded after it (figures at (D, K)
        # must not see them, and must cost no more than figures at D).
        known_at = utcnow()
        corrected = back_dated_corrections(engine, as_of)
        print(f"\n== {size} on {backend}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
              + f" (synth {loaded:.1f} s; {corrected} back-dated corrections after K)")
        if "figures" in parts:
            print(f"{'figure':<28} {'figure ms':>10} {'bare SQL ms':>12} {'ratio':>6} {'peak KiB':>9}")
            for name, seconds, bare_seconds, kib in measure(engine, size, as_of, known_at):
                ratio = seconds / bare_seconds if bare_seconds else float("nan")
                print(f"{name:<28} {seconds * 1000:>10.1f} {bare_seconds * 1000:>12.1f} {ratio:>6.2f} {kib:>9.0f}")
            print(f"{'python -m eet report':<28} {cli_report_seconds(db.url, 3) * 1000:>10.1f} "
                  f"{'(whole process)':>12}")
        if "versus" in parts:
            repeats = VERSUS_REPEATS[size]
            versus.print_table(versus.side_by_side(db.url, engine, as_of, repeats), repeats)
        for name, columns, rows in (hooks(db.url, size) if "hooks" in parts else []):
            print()
            print_hook_table(name, columns, rows)
    finally:
        db.drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=("pilot", "national", "both"), default="both")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="comma-separated, of: figures (each figure against its bare SQL), versus "
                             "(against the pandas peer), hooks (pages and imports); default all")
    args = parser.parse_args(argv)
    parts = tuple(p for p in args.parts.split(",") if p)
    if not set(parts) <= set(PARTS):
        parser.error(f"--parts: use {', '.join(PARTS)}")
    sizes = list(SIZES) if args.size == "both" else [args.size]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for size in sizes:
        for backend in backends:
            run_one(size, backend, parts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"\npeak RSS of the benchmark process: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
