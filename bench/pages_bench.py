"""Server time of each dashboard page: one AppTest run with a cold cache (the data version bumped,
as a write does) and the same view again with a warm one; then the resident memory of the process
after it has rendered every page, as a dashboard server would be. Not a test: prints a table.

    .venv/bin/python bench/pages_bench.py [--url URL] [--as-of 2021-05-31] [--repeat 5]

Without --url it builds the demo database in a temporary file. bench/run.py calls `measure(url,
size)`, which runs this file in a child process (its memory is then the dashboard's alone, not the
benchmark's) and returns the rows of its table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {"overview": "pages/overview.py", "dwellings": "pages/dwellings.py",
         "participants": "pages/participants.py", "research": "pages/research.py", "review": "pages/review.py"}
ROLES = ["viewer", "researcher"]
REPEATS = {"pilot": 3, "national": 3}
# bench/run.py prints these columns for each row this module's measure() returns (seconds, shown
# as ms); a row whose name ends in "MiB" carries one plain number.
COLUMNS = ("cold ms", "warm ms")


def rss_mib() -> tuple[float, float]:
    """(resident now, peak resident) of this process, MiB."""
    now = 0.0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024
    return now, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def after_a_write(url: str) -> None:
    """What a write does to the dashboard's caches: a new data version."""
    from eet.store.audit import bump_data_version
    from eet.store import get_engine, session_scope

    with session_scope(get_engine(url)) as session:
        bump_data_version(session)


def time_pages(url: str, as_of: str, repeat: int) -> dict:
    os.environ["EET_DATABASE_URL"] = url
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from eet.accounts.access import Actor
    from eet.bootstrap import initialise
    from eet.store import get_engine

    initialise(get_engine(url))
    # As in tests/test_pages.py: run the entry script every time, as the server does.
    original = PagesManager.__init__

    def init(self, *a, **kw):
        original(self, *a, **kw)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init

    rows = []
    for name, page in PAGES.items():
        for role in ROLES:
            cold, warm = [], []
            for _ in range(repeat):
                at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
                at.session_state["actor"] = Actor("bench", role)
                at.query_params["as_of"] = as_of
                at.run()  # the default page (Overzicht), then to the page as a click would
                at.switch_page(page)
                after_a_write(url)  # every cached read and remembered figure is stale now
                start = time.perf_counter()
                at.run()
                cold.append(time.perf_counter() - start)
                assert not at.exception, [e.message for e in at.exception]
                start = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - start)
            rows.append((f"{name} ({role})", statistics.median(cold), statistics.median(warm)))
    now, peak = rss_mib()
    return {"rows": rows, "rss_mib": now, "peak_rss_mib": peak}


def measure(database_url: str, size: str) -> list[tuple]:
    """Rows (page (role), cold s, warm s) and the dashboard-like process's memory, for bench/run.py."""
    from datetime import date, timedelta

    as_of = (date.today() - timedelta(days=1)).isoformat()
    child = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--url", database_url, "--as-of", as_of,
         "--repeat", str(REPEATS.get(size, 3)), "--json"],
        cwd=ROOT, env={**os.environ, "EET_DATABASE_URL": database_url}, capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError("bench/pages_bench.py failed:\n" + child.stderr[-4000:])
    result = json.loads(child.stdout.strip().splitlines()[-1])
    return [tuple(row) for row in result["rows"]] + [
        ("dashboard peak RSS MiB", result["peak_rss_mib"])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None, help="a database (default: the demo in a temporary file)")
    parser.add_argument("--as-of", default="2021-05-31")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="one line of JSON (for bench/run.py)")
    args = parser.parse_args()
    url = args.url
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'eet.db'}"
        from eet.bootstrap import initialise
        from eet.store import get_engine

        initialise(get_engine(url), demo=True)
    result = time_pages(url, args.as_of, args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    print(f"page server time as of {args.as_of}, ms (median of {args.repeat})")
    print(f"{'page (role)':<28}{'cold':>8}{'warm':>8}")
    for name, cold, warm in result["rows"]:
        print(f"{name:<28}{cold * 1000:>8.0f}{warm * 1000:>8.0f}")
    print(f"RSS after every page: {result['rss_mib']:.0f} MiB (peak {result['peak_rss_mib']:.0f} MiB)")


if __name__ == "__main__":
    main()
