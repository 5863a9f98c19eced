"""Many signed-in sessions at once over Streamlit's websocket (no browser: the server's work alone),
for one `streamlit run app.py` process and for `make serve` (serve.py: WORKERS processes behind
nginx), side by side in one run.

    .venv/bin/python bench/load.py [--sessions 20] [--rounds 4] [--single-runs 8] [--workers 2]
                                   [--url URL] [--setups one,serve] [--mixed-rounds 3] [--time-limit 600]
                                   [--setups before,one,serve --before DIR] [--profile DIR]

Every set-up serves the same database (the demo in a temporary SQLite file in WAL mode, or --url) on
loopback ports only. For each set-up, on a server freshly started:
- "1 session": one session asks for the review page ("evaluatie") at `--single-runs` new dates, one
  after the other: one person's page run;
- "N at once, review": `--sessions` sessions (the demo accounts in turn: a steering committee of
  several roles and organisations) each ask, all at the same moment, for the review page at the same
  new date (the meeting opens it together), `--rounds` times, each round at a date not asked before;
- "N at once, review, own new dates": the same, but each session at a new date of its own (nothing
  one session computes is of use to another);
- "N at once, mixed": the same sessions, each round each at a page and a date of its own (the
  overview, dwellings, participants, research and review pages; dates drawn from a few months), as
  on an ordinary day.

A session signs in as a person does: the password checked (eet.accounts.auth), its one-time ticket
posted to the launcher's route (/_eet/session, through the proxy for `make serve`), and the cookie it
sets sent with the websocket's handshake. A page run is one BackMsg rerun_script (the query string
with the dates, the page's url path) until the server's script_finished; its time is the wall time
between the two as the client sees it (loopback). Per row: the runs, their median and 90th
percentile in seconds, the 90th percentile over the single session's median of the same set-up,
runs a second (runs / the row's wall time), the median kB the server sent a run, the CPU seconds
the server's processes (with nginx) used per run, the cores they had (their CPU seconds over the
row's wall time: on a machine busy with other work, what more processes can gain is bounded by
what the machine gives them), and this bench's own CPU per run (so that one can see it is not the
bench that limits). The last lines give `make serve`'s throughput over one
process's. The cases run in turn for every set-up (one process, then make serve, then the next
case), so that all meet the machine's load of the same minutes; still, times on a shared machine
are noisy: compare the columns of one run, not runs of different hours.

--before DIR with the set-up "before" serves one process of another checkout of the project (for
example main, `git archive main | tar -x -C DIR`) beside this one, on the same database.

Bounded: --sessions at most 50, a page run waits at most RUN_TIMEOUT, a case at most --time-limit
seconds; every server listens on 127.0.0.1 only and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402  (Streamlit's own dependency)
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from eet.accounts import sessions as session_rules  # noqa: E402
from eet.demo.newsletter import DEMO_ACCOUNTS, DEMO_PASSWORD  # noqa: E402
from tests.dashboard_server import dashboard_processes, free_port, open_connections, serving  # noqa: E402

MAX_SESSIONS = 50
RUN_TIMEOUT = 120.0  # s for one page run; a run that takes longer fails the bench
REVIEW = "evaluatie"
MIXED_PAGES = ("", "woningen", "deelnemers", "onderzoek", "evaluatie")
FIRST_DATE = date(2021, 2, 1)  # the review page needs a comparison: after the launch (2021-01-15)


@dataclass
class Row:
    setup: str
    case: str
    times: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)  # bytes the server sent a run
    wall: float = 0.0
    cpu: float = 0.0  # CPU seconds of the server's processes during the row
    client_cpu: float = 0.0  # CPU seconds of this bench (the sessions' side) during the row

    def add(self, runs: list[tuple[float, int]]) -> None:
        self.times += [seconds for seconds, _ in runs]
        self.sizes += [size for _, size in runs]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p90(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]

    @property
    def per_second(self) -> float:
        return len(self.times) / self.wall if self.wall else 0.0


class NewDates:
    """Dates never asked before in this bench (so no server has them cached), one a day on from
    FIRST_DATE, the same sequence for every set-up."""

    def __init__(self, offset_days: int):
        self.next = FIRST_DATE + timedelta(days=offset_days)

    def __call__(self) -> date:
        day, self.next = self.next, self.next + timedelta(days=1)
        return day


def sign_in(base: str, database_url: str, username: str) -> str:
    """The cookies of `username` signed in as the sign-in page does it: the password checked, the
    ticket posted to the launcher's route of `base`. Returns them as a Cookie header's value: the
    session's token and, behind make serve's nginx, the process it routed this browser to."""
    from eet.accounts import auth
    from eet.store import get_engine, session_scope

    with session_scope(get_engine(database_url)) as session:
        actor = auth.authenticate(session, username, DEMO_PASSWORD)
        if actor is None:
            raise RuntimeError(f"{username} cannot sign in on the demo database")
        ticket = session_rules.issue_ticket(session, actor)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(
        base + "/_eet/session", data=urllib.parse.urlencode({"ticket": ticket, "next": "/"}).encode(),
        headers={"Origin": base, "Content-Type": "application/x-www-form-urlencoded"}, method="POST")
    try:
        response = urllib.request.build_opener(NoRedirect).open(request, timeout=30)
    except urllib.error.HTTPError as redirect:  # the 303 that sets the cookie
        response = redirect
    cookies = dict(header.split(";", 1)[0].strip().split("=", 1)
                   for header in response.headers.get_all("Set-Cookie") or [] if "=" in header)
    if not cookies.get(session_rules.COOKIE):
        raise RuntimeError(f"no {session_rules.COOKIE} cookie from {base}/_eet/session")
    return "; ".join(f"{name}={value}" for name, value in cookies.items() if value)  # with make serve's route


class Session:
    """One signed-in browser tab, over the websocket: `run(page, day)` asks for a page at a date
    and returns the seconds until the server finished the script run and the bytes it sent."""

    def __init__(self, base: str, cookies: str):
        self.base, self.cookies, self.socket = base, cookies, None

    async def open(self) -> None:
        url = "ws" + self.base[len("http"):] + "/_stcore/stream"
        self.socket = await websockets.connect(
            url, subprotocols=["streamlit"], additional_headers={"Cookie": self.cookies, "Origin": self.base},
            max_size=None, open_timeout=30, ping_interval=None)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def run(self, page: str, day: date) -> tuple[float, int]:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = urllib.parse.urlencode({"lang": "nl", "as_of": day.isoformat(), "meeting": day.isoformat()})
        state.page_name = page
        state.context_info.timezone = "Europe/Amsterdam"
        state.context_info.locale = "nl-NL"
        state.context_info.url = f"{self.base}/{page}?{state.query_string}"
        start = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        deadline, size = start + RUN_TIMEOUT, 0
        while True:
            raw = await asyncio.wait_for(self.socket.recv(), timeout=max(0.1, deadline - time.perf_counter()))
            size += len(raw)
            reply = ForwardMsg()
            reply.ParseFromString(raw)
            kind = reply.WhichOneof("type")
            if kind == "delta" and reply.delta.new_element.WhichOneof("type") == "exception":
                raise RuntimeError(f"the page {page or 'overview'} at {day} failed: "
                                   f"{reply.delta.new_element.exception.message}")
            if kind == "script_finished":
                if reply.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    raise RuntimeError(f"the run of {page or 'overview'} at {day} ended with status "
                                       f"{reply.script_finished}")
                return time.perf_counter() - start, size


async def _at_once(sessions: list[Session], asks: list[tuple[str, date]]) -> list[tuple[float, int]]:
    return list(await asyncio.gather(*(s.run(page, day) for s, (page, day) in zip(sessions, asks))))


async def open_sessions(base: str, database_url: str, count: int) -> list[Session]:
    """`count` sessions signed in at `base` (the demo accounts in turn), each with its first run (a
    tab opened: the server makes the session), which is not counted."""
    accounts = [username for username, _, _ in DEMO_ACCOUNTS]
    sessions = [Session(base, sign_in(base, database_url, accounts[i % len(accounts)])) for i in range(count)]
    for s in sessions:
        await s.open()
    await _at_once(sessions, [(REVIEW, FIRST_DATE - timedelta(days=1))] * count)
    return sessions


async def _case(name: str, label: str, sessions: list[Session], rounds: int, asks) -> Row:
    """`rounds` times, every session asks at once for what `asks()` gives it ((page, date) each)."""
    row, started = Row(name, label), time.perf_counter()
    for _ in range(rounds):
        row.add(await _at_once(sessions, asks()))
    row.wall = time.perf_counter() - started
    return row


async def single_case(name: str, sessions: list[Session], args) -> Row:
    dates = NewDates(0)
    return await _case(name, "1 session, review, new dates", sessions[:1], args.single_runs,
                       lambda: [(REVIEW, dates())])


async def together_case(name: str, sessions: list[Session], args) -> Row:
    dates = NewDates(100)
    return await _case(name, f"{len(sessions)} at once, review, same new date", sessions, args.rounds,
                       lambda: [(REVIEW, dates())] * len(sessions))


async def own_dates_case(name: str, sessions: list[Session], args) -> Row:
    dates = NewDates(1000)
    return await _case(name, f"{len(sessions)} at once, review, own new dates", sessions, args.rounds,
                       lambda: [(REVIEW, dates()) for _ in sessions])


async def mixed_case(name: str, sessions: list[Session], args) -> Row:
    pick = random.Random(28)  # the same asks for every set-up
    return await _case(name, f"{len(sessions)} at once, mixed pages and dates", sessions, args.mixed_rounds,
                       lambda: [(pick.choice(MIXED_PAGES), FIRST_DATE + timedelta(days=pick.randrange(200, 320)))
                                for _ in sessions])


async def measure(setups: dict[str, tuple[str, int]], database_url: str, args) -> list[Row]:
    """Each case for every set-up in turn (one process, then make serve, then the next case), so
    that both meet the machine's load of the same minutes; a server idle meanwhile costs nothing."""
    opened = {name: await open_sessions(base, database_url, args.sessions) for name, (base, _) in setups.items()}
    for name, (_, pid) in setups.items():
        processes = dashboard_processes(pid)
        if processes:  # make serve: how nginx's hash of the sign-in cookies spread the sessions
            spread = open_connections(set(processes))
            print(f"{name}: sessions per process {sorted(spread.values(), reverse=True)}", flush=True)
    cases = [single_case, together_case, own_dates_case] + ([mixed_case] if args.mixed_rounds else [])
    rows = []
    try:
        for case in cases:
            for name, sessions in opened.items():
                cpu, own = tree_cpu(setups[name][1]), time.process_time()
                row = await asyncio.wait_for(case(name, sessions, args), timeout=args.time_limit)
                row.cpu, row.client_cpu = tree_cpu(setups[name][1]) - cpu, time.process_time() - own
                rows.append(row)
    finally:
        for sessions in opened.values():
            for s in sessions:
                await s.close()
    return rows


@contextmanager
def one_process(database_url: str, folder: Path, profile: str | None = None,
                checkout: Path = ROOT) -> Iterator[tuple[str, int]]:
    """`streamlit run app.py` of `checkout` (default: this one) as tests/dashboard_server.py starts
    it; yields (base URL, pid). With `profile` (a folder), through bench/served.py, each script run
    profiled with cProfile into it."""
    port = free_port()
    env = {**os.environ, "EET_DATABASE_URL": database_url, "EET_LANG": "nl"}
    start = [sys.executable, "-m", "streamlit", "run"]
    if profile is not None:
        env["EET_BENCH_PROFILE"] = profile
        start = [sys.executable, str(ROOT / "bench" / "served.py")]
    command = [*start, str(checkout / "app.py"), "--server.headless=true", f"--server.port={port}",
               "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
    with serving(command, f"http://127.0.0.1:{port}/_stcore/health", folder / f"one-{checkout.name}.log",
                 env=env, cwd=checkout) as process:
        yield f"http://127.0.0.1:{port}", process.pid


@contextmanager
def make_serve(database_url: str, folder: Path, workers: int) -> Iterator[tuple[str, int]]:
    """What `make serve` starts (serve.py), on a free port; yields (base URL, pid)."""
    port = free_port()
    env = {**os.environ, "EET_DATABASE_URL": database_url, "EET_LANG": "nl"}
    command = [sys.executable, str(ROOT / "serve.py"), "--port", str(port), "--workers", str(workers),
               "--address", "127.0.0.1", "--run-folder", str(folder / "serve")]
    with serving(command, f"http://127.0.0.1:{port}/_stcore/health", folder / "serve.log", env=env,
                 timeout=120, cwd=ROOT) as process:
        yield f"http://127.0.0.1:{port}", process.pid


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by process `pid` and every process under it (Linux /proc): the
    server's work, which a machine busy with other work does not stretch."""
    tick, parents, cpu = os.sysconf("SC_CLK_TCK"), {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            parents[int(entry.name)], cpu[int(entry.name)] = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += cpu.get(current, 0.0)
        todo += [child for child, parent in parents.items() if parent == current]
    return total


def demo_database(folder: Path) -> str:
    from eet.bootstrap import initialise
    from eet.store import get_engine

    url = f"sqlite:///{folder / 'eet.db'}"
    initialise(get_engine(url), demo=True)
    get_engine(url).dispose()
    return url


def print_table(rows: list[Row], workers: int) -> None:
    single = {row.setup: row.median for row in rows if row.case.startswith("1 session")}
    print(f"{'set-up':<24}{'case':<40}{'runs':>5}{'median s':>10}{'p90 s':>8}{'p90/1':>7}{'runs/s':>8}{'kB/run':>8}{'CPU s/run':>10}{'cores':>6}{'bench CPU':>10}")
    for row in rows:
        ratio = row.p90 / single[row.setup] if single.get(row.setup) else float("nan")
        print(f"{row.setup:<24}{row.case:<40}{len(row.times):>5}{row.median:>10.2f}{row.p90:>8.2f}"
              f"{ratio:>7.1f}{row.per_second:>8.2f}{statistics.median(row.sizes) / 1000:>8.0f}"
              f"{row.cpu / len(row.times):>10.3f}{row.cpu / row.wall if row.wall else 0:>6.2f}"
              f"{row.client_cpu / len(row.times):>10.3f}")
    by_case: dict[str, dict[str, Row]] = {}
    for row in rows:
        by_case.setdefault(row.case, {})[row.setup] = row
    one, serve = "one process", f"make serve ({workers} workers)"
    for case, found in by_case.items():
        if one in found and serve in found and found[one].per_second:
            print(f"make serve / one process, runs a second, {case}: "
                  f"{found[serve].per_second / found[one].per_second:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=4, help="rounds of the review page at once")
    parser.add_argument("--mixed-rounds", type=int, default=3, help="rounds of mixed pages (0: none)")
    parser.add_argument("--single-runs", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="make serve's WORKERS")
    parser.add_argument("--setups", default="one,serve",
                        help="of one, serve and before (one process of --before), comma-separated")
    parser.add_argument("--before", default=None,
                        help="another checkout of the project (e.g. `git archive` of main into a folder)")
    parser.add_argument("--profile", default=None, help="a folder: profile each run of the one process there")
    parser.add_argument("--url", default=None, help="a database with data (default: the demo in a temporary file)")
    parser.add_argument("--time-limit", type=float, default=600, help="s; a case that takes longer stops the bench")
    args = parser.parse_args()
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions from 1 to {MAX_SESSIONS}")
    folder = Path(tempfile.mkdtemp(prefix="eet-load-"))
    url = args.url or demo_database(folder)
    print(f"{args.sessions} sessions; load average before: {os.getloadavg()[0]:.1f}; logs in {folder}", flush=True)
    with ExitStack() as stack:
        setups = {}
        for setup in (s.strip() for s in args.setups.split(",") if s.strip()):
            if setup == "one":
                setups["one process"] = stack.enter_context(one_process(url, folder, args.profile))
            elif setup == "serve":
                setups[f"make serve ({args.workers} workers)"] = stack.enter_context(make_serve(url, folder, args.workers))
            elif setup == "before":
                if not args.before:
                    parser.error("the set-up 'before' needs --before DIR")
                setups["one process, before"] = stack.enter_context(
                    one_process(url, folder, checkout=Path(args.before).resolve()))
            else:
                parser.error(f"unknown set-up {setup!r}")
        rows = asyncio.run(measure(setups, url, args))
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print_table(rows, args.workers)
    print(json.dumps({"rows": [{"setup": r.setup, "case": r.case, "runs": len(r.times), "median": r.median,
                                "p90": r.p90, "per_second": r.per_second,
                                "kB_per_run": statistics.median(r.sizes) / 1000,
                                "cpu_per_run": r.cpu / len(r.times),
                                "cores": r.cpu / r.wall if r.wall else 0.0} for r in rows]}))


if __name__ == "__main__":
    main()
