"""What noticing a change made outside eet costs (issue 25, eet.store.outside), on SQLite and on the
local PostgreSQL. Not a test: it prints a table.

    .venv/bin/python bench/outside_bench.py [--participants 300] [--runs 2000]

Per page run: ui.current_version reads the data version (before: a session, `session.get`, a
commit) and now, in the same statement, whether the change counter moved past what eet's last write
saw (`outside.current_version`: a connection, one statement). Per report: the timeline's stamp
statement with the one column more. Per write: the counting triggers, measured as one UPDATE of
every participant row (one statement; SQLite counts per row, PostgreSQL per statement) with and
without the triggers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from eet.bootstrap import initialise  # noqa: E402
from eet.demo.synth import synthesise  # noqa: E402
from eet.store import outside  # noqa: E402
from eet.store.audit import data_version  # noqa: E402
from eet.store.engine import get_engine, session_scope  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _compare(first, second, runs: int) -> tuple[float, float]:
    """Median of 9 alternating rounds of `runs` calls of each, in microseconds per call (alternated,
    so that the load of a shared machine falls on both alike)."""
    rounds: tuple[list, list] = ([], [])
    for _ in range(9):
        for function, out in zip((first, second), rounds):
            start = time.perf_counter()
            for _ in range(runs):
                function()
            out.append((time.perf_counter() - start) / runs * 1e6)
    return statistics.median(rounds[0]), statistics.median(rounds[1])


def _write_ms(engine, rounds: int = 5) -> float:
    times = []
    for i in range(rounds):
        with engine.begin() as c:
            start = time.perf_counter()
            c.execute(text("UPDATE participant SET referred_on = referred_on"))
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def measure(url: str, participants: int, runs: int) -> dict[str, float]:
    engine = get_engine(url)
    initialise(engine)
    synthesise(engine, participants=participants, seed=1)

    def before():
        with session_scope(engine) as s:
            data_version(s)

    def statement_before():
        with engine.connect() as c:
            c.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar()

    def statement_after():
        with engine.connect() as c:
            outside.version_checked(c)

    outside.current_version(engine)  # the counter's presence looked up once per process
    page_before, page_now = _compare(before, lambda: outside.current_version(engine), runs)
    bare, flagged = _compare(statement_before, statement_after, runs)
    out = {"page run: version read before (µs)": page_before,
           "page run: version read + check now (µs)": page_now,
           "statement: version only (µs)": bare,
           "statement: version + outside flag (µs)": flagged}
    with engine.connect() as c:
        rows = c.execute(text("SELECT count(*) FROM participant")).scalar()
    out[f"write: UPDATE of {rows} participant rows, triggers on (ms)"] = _write_ms(engine)
    dialect = engine.dialect.name
    with engine.begin() as c:
        for statement in outside.drop_trigger_ddl(dialect):
            c.execute(text(statement))
    out[f"write: UPDATE of {rows} participant rows, triggers off (ms)"] = _write_ms(engine)
    with engine.begin() as c:
        for statement in outside.trigger_ddl(dialect):
            c.execute(text(statement))
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = {"sqlite": measure(f"sqlite:///{folder}/eet.db", args.participants, args.runs)}
    name = f"eet_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        results["postgresql"] = measure(make_url(PG).set(database=name).render_as_string(hide_password=False),
                                        args.participants, args.runs)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(f"{'':60} {'sqlite':>10} {'postgresql':>10}")
    for key in results["sqlite"]:
        pg_key = key if key in results["postgresql"] else next(k for k in results["postgresql"] if k.split(" of ")[0] == key.split(" of ")[0] and k.endswith(key[-20:]))
        print(f"{key:60} {results['sqlite'][key]:>10.1f} {results['postgresql'][pg_key]:>10.1f}")


if __name__ == "__main__":
    main()
