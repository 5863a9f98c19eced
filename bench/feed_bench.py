"""The data feed at national size (issue 27): MunicipalityMonths and FunnelMonths read whole, every
page, through eet.feed.service.handle (the function app.py's /odata/ route calls), side by side with
the analyst's pandas peer (bench/peer.py) computing the same series: the tables loaded into pandas,
then the report's by_municipality, funnel and retention at every month-end. Answers checked equal
for the exact (admin) feed.

    .venv/bin/python -m eet synth --participants 100000 --seed 1      # with EET_DATABASE_URL set
    .venv/bin/python bench/feed_bench.py --url sqlite:///data/eet.db [--repeats 3]

Per set and audience (a viewer: the disclosure pass; an admin: exact) it prints, medians of the
repeats: cold (the feed's rows computed: the first client after a write; the histories kept, as in
a running dashboard), warm (the rows kept for this data version: the next refresh), the process's
CPU seconds of the cold read (robust to a loaded machine, where wall time is not), the pages read,
and the peer's load + series. The machine's load average is printed too.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, select  # noqa: E402

from bench import peer  # noqa: E402
from eet.accounts import tokens  # noqa: E402
from eet.accounts.access import SYSTEM  # noqa: E402
from eet.accounts.auth import add_user  # noqa: E402
from eet.bootstrap import initialise  # noqa: E402
from eet.feed import service  # noqa: E402
from eet.feed.rows import FUNNEL_PROPERTIES, STATUS_PROPERTIES, feed_months  # noqa: E402
from eet.figures import timeline  # noqa: E402
from eet.store.engine import get_engine, session_scope  # noqa: E402
from eet.store.models import User  # noqa: E402

SETS = ("MunicipalityMonths", "FunnelMonths")
USERS = {"viewer": "bench-feed-viewer", "admin": "bench-feed-admin"}


def _secrets(engine) -> dict[str, str]:
    out = {}
    for role, name in USERS.items():
        with session_scope(engine) as s:
            if s.exec(select(User).where(User.username == name)).first() is None:
                add_user(s, SYSTEM, name, "correct horse battery staple", role)
        with session_scope(engine) as s:
            out[role] = tokens.add_token(s, SYSTEM, name, "bench", days=1)[1]
    return out


def read_whole(engine, name: str, user: str, secret: str) -> tuple[list[dict], int]:
    """Every row of a set, following @odata.nextLink as Excel does; (rows, pages)."""
    auth = "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()
    path, query, out, pages = f"/odata/{name}", {}, [], 0
    while True:
        reply = service.handle(engine, service.Request("GET", path, query, auth, "http://bench"))
        assert reply.status == 200, reply.body[:300]
        page = json.loads(reply.body)
        out += page["value"]
        pages += 1
        if "@odata.nextLink" not in page:
            return out, pages
        link = urlsplit(page["@odata.nextLink"])
        path, query = link.path, dict(parse_qsl(link.query))


def peer_series(url: str, months: list[date]) -> dict[date, dict]:
    tables = peer.load(url)
    return {m: peer.compute(tables, m) for m in months}


def check_equal(rows: dict[str, list[dict]], series: dict[date, dict]) -> list[str]:
    """The admin's feed against the peer's report at every month-end (what the peer computes)."""
    wrong = []
    for row in rows["MunicipalityMonths"]:
        counts = series[date.fromisoformat(row["Month"])]["dwellings"]["by_municipality"][row["Municipality"]]
        expected = {"Counter": counts["counter"], "Pipeline": counts["pipeline"],
                    **{p: counts[s] for s, p in STATUS_PROPERTIES.items()}}
        if {k: row[k] for k in expected} != expected:
            wrong.append(f"MunicipalityMonths {row['Month']} {row['Municipality']}")
    for row in rows["FunnelMonths"]:
        p = series[date.fromisoformat(row["Month"])]["participants"]
        expected = {**{prop: p["funnel"][s] for s, prop in FUNNEL_PROPERTIES.items()},
                    "Retention12mCohort": p["retention_12m"]["cohort"]}
        if {k: row[k] for k in expected} != expected or (
                p["retention_12m"]["rate"] is not None
                and abs(row["Retention12m"] - p["retention_12m"]["rate"]) > 1e-12):
            wrong.append(f"FunnelMonths {row['Month']}")
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("EET_DATABASE_URL"), required=not os.environ.get("EET_DATABASE_URL"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    engine = get_engine(args.url)
    initialise(engine)
    secrets = _secrets(engine)
    with Session(engine) as s:
        timeline.timeline_of(s)  # the histories as a running dashboard keeps them
    months = feed_months(date.today())
    print(f"{args.url.split('@')[-1]}: {len(months)} month-ends; load average {os.getloadavg()[0]:.1f}")
    print(f"{'set':<20}{'audience':<10}{'rows':>6}{'pages':>6}{'cold s':>9}{'cpu s':>8}{'warm s':>9}")
    admin_rows = {}
    for name in SETS:
        for role in ("viewer", "admin"):
            cold, cpu, warm = [], [], []
            for _ in range(args.repeats):
                service._CACHE.clear()  # as after a write: the rows are computed again
                started, used = time.perf_counter(), time.process_time()
                rows, pages = read_whole(engine, name, USERS[role], secrets[role])
                cold.append(time.perf_counter() - started)
                cpu.append(time.process_time() - used)
                started = time.perf_counter()
                read_whole(engine, name, USERS[role], secrets[role])
                warm.append(time.perf_counter() - started)
            if role == "admin":
                admin_rows[name] = rows
            print(f"{name:<20}{role:<10}{len(rows):>6}{pages:>6}{statistics.median(cold):>9.2f}"
                  f"{statistics.median(cpu):>8.2f}{statistics.median(warm):>9.3f}")
    peer_wall, peer_cpu, series = [], [], None
    for _ in range(args.repeats):
        started, used = time.perf_counter(), time.process_time()
        series = peer_series(args.url, months)
        peer_wall.append(time.perf_counter() - started)
        peer_cpu.append(time.process_time() - used)
    print(f"{'pandas peer: load + the report series (both sets)':<50}{statistics.median(peer_wall):>9.2f}"
          f"{statistics.median(peer_cpu):>8.2f}")
    wrong = check_equal(admin_rows, series)
    print("answers equal to the peer's at every month-end" if not wrong else "DIFFERENT: " + "; ".join(wrong[:10]))
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
