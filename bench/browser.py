"""In a real browser: from a click in the sidebar until the page's last chart is drawn.

    .venv/bin/python bench/browser.py [--url URL] [--as-of 2021-05-31] [--roles viewer,admin] [--rounds 2]
                                      [--quick] [--sign-ins N] [--first-sign-ins N] [--port P]
                                      [--server-option runner.postScriptGC=false ...]

Serves `streamlit run app.py` (the dashboard with its sign-in routes) on a free port or --port
(through bench/served.py, which notes each script run's start and end) on the demo database (a
temporary SQLite file, or --url), with any --server-option added to Streamlit's command line (to
compare a setting), and for each role: a fresh browser session (headless Debian Chromium through
playwright) signs in with the demo account, then clicks through every page of the sidebar in order,
`--rounds` times. Before each role the data version is bumped, as a write does, so that the
server's caches are cold: round 1 is "cold", later rounds "warm".

What is timed (wall clock, ms): from the click (dispatched in the page, its time taken there) until
the page is drawn, that is: the page's title shows, Streamlit's running indicator is gone, no stale
element is left, every visible Plotly chart has drawn its SVG, and nothing in the document changed
for QUIET_MS; the time reported is that of the last change before the quiet, so the quiet itself is
not counted. "title" is when the page's title first showed, "server" when the last script run the
click caused ended (both ms after the click). A MutationObserver installed in every document (also
after a navigation) keeps the time of the last change. The sign-in is clicked once the sign-in page
is drawn and the browser fetches nothing more, as a person reads and types first; it is timed until
the overview is drawn.

Each cell says whether it meets issue 15's target in Chromium at pilot size: under 1 s from a click
in the sidebar until every chart is drawn, under 2 s from the sign-in to a drawn overview (ok or
OVER; a last line lists those over). The exit status does not depend on it: times are measured here,
never asserted (CI runs `--quick` so that the bench keeps working).

--quick: one role (admin, who sees every page) and one pass, what CI runs.
--sign-ins N: then N more sign-ins in fresh browser sessions (nothing cached), server caches warm.
--first-sign-ins N: only this, N times: start the server, and as soon as it answers the first
visitor opens the sign-in page and signs in (what a freshly started server costs).

Prints one table; `measure(...)` returns its rows for other scripts. Timings on a shared machine are
noisy (the load average is printed): compare pages with each other and runs with runs of the same
machine, interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eet.demo.newsletter import DEMO_ACCOUNTS, DEMO_PASSWORD  # noqa: E402
from eet.texts import t  # noqa: E402
from tests import dashboard_server  # noqa: E402
from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

QUIET_MS = 500
TIMEOUT_MS = 30_000
SIGN_IN_TARGET_MS = 2000
PAGE_TARGET_MS = 1000
ACCOUNTS = {role: name for name, role, _ in DEMO_ACCOUNTS}

TRACK_CHANGES = """
window.__eet = {last: Date.now(), titled: null};
new MutationObserver(() => { window.__eet.last = Date.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""

# True once the page titled `title` is drawn and has been still for `quiet` ms.
DRAWN = """([title, quiet]) => {
    const e = window.__eet;
    if (!e) return false;
    const h1 = document.querySelector('[data-testid="stMain"] h1');
    const titled = !!h1 && h1.innerText.trim().startsWith(title);
    if (titled && e.titled === null) e.titled = Date.now();
    if (!titled || document.querySelector('[data-testid="stStatusWidget"]')
        || document.querySelector('[data-stale="true"]')) return false;
    for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
        if (chart.offsetParent !== null && !chart.querySelector('.main-svg')) return false;
    }
    return Date.now() - e.last >= quiet;
}"""

CLICK_NAV = """(title) => {
    const link = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
        .find(a => a.innerText.trim().split('\\n').pop().trim() === title);  // after the icon's name
    if (!link) return null;
    window.__eet.titled = null;
    const at = Date.now();
    link.click();
    return at;
}"""


def sign_in(page, username: str, password: str, app_title: str | None = None) -> float:
    """Sign in on the sign-in page; returns the time of the submitting click (epoch ms).

    With `app_title`, first waits until the sign-in page (titled so) is drawn and the browser has
    fetched what it asked for, as a person would read the form and type before the click: what the
    page loads meanwhile (pages/sign_in.py fetches the chart code then) is not counted in the
    sign-in. The one place that knows how signing in works: the Streamlit form of pages/sign_in.py
    (adapt this function only)."""
    page.wait_for_selector("input[type='password']", timeout=TIMEOUT_MS)
    if app_title is not None:
        page.wait_for_function(DRAWN, arg=[app_title, QUIET_MS], polling=50, timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
    page.locator("[data-testid='stMain'] input[type='text']").first.fill(username)
    page.locator("[data-testid='stMain'] input[type='password']").first.fill(password)
    return page.evaluate("""() => {
        window.__eet.titled = null;
        const at = Date.now();
        document.querySelector('[data-testid="stMain"] [data-testid="stFormSubmitButton"] button').click();
        return at;
    }""")


class Server:
    """The dashboard served through bench/served.py; `runs_after(t)` reads its script runs."""

    def __init__(self, base: str, run_log: Path, pid: int):
        self.base, self.run_log, self.pid = base, run_log, pid

    def runs_after(self, clicked_at: float) -> tuple[float | None, float]:
        """(when the last script run that ended after the click ended (epoch ms), if any; the
        server's CPU ms in the runs that ended after the click)."""
        if not self.run_log.exists():
            return None, 0.0
        runs = [run for run in map(json.loads, self.run_log.read_text().splitlines()) if run["end"] > clicked_at]
        return max((run["end"] for run in runs), default=None), sum(run.get("cpu", 0.0) for run in runs)


def _processes() -> dict[int, tuple[int, float]]:
    """{pid: (parent pid, CPU ms so far)} of every process this user may read (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) * 1000 / tick)
    return found


def browser_cpu_ms(server: Server | None) -> float:
    """CPU ms used so far by this benchmark's Chromium (with playwright's driver): every process
    descended from this one except the dashboard server's. Dead processes no longer count, so read
    it around one page, whose renderer lives on."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        if server is not None and pid == server.pid:
            continue
        total += processes[pid][1]
        todo.extend(children.get(pid, []))
    return total


@contextmanager
def serving(database_url: str, folder: Path, options: list[str], port: int | None = None) -> Iterator[Server]:
    """`streamlit run app.py` on `port` (default: a free one), as tests/dashboard_server.py starts
    it, through bench/served.py; its output goes to folder/streamlit.log."""
    port = port or free_port()
    run_log = folder / "runs.jsonl"
    env = {**os.environ, "EET_DATABASE_URL": database_url, "EET_LANG": "nl",
           "EET_BENCH_RUN_LOG": str(run_log), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(ROOT / "bench" / "served.py"), str(ROOT / "app.py"),
               "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
               "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
               *(f"--{option}" for option in options)]
    base = f"http://127.0.0.1:{port}"
    with dashboard_server.serving(command, base + "/_stcore/health", folder / "streamlit.log", env=env,
                                  cwd=ROOT) as process:
        yield Server(base, run_log, process.pid)


def wait_drawn(page, title: str, clicked_at: float, server: Server | None = None,
               cpu_before: float | None = None) -> tuple[float, ...]:
    """(ms until the title showed, ms until drawn, ms until the server's run ended, the browser's
    CPU ms, the server's CPU ms) after the click at `clicked_at` (epoch ms); the server's are 0
    without a server to ask, the browser's 0 without `cpu_before` (browser_cpu_ms before the click;
    it then counts until the page has been still for QUIET_MS, the polling of this wait included)."""
    page.wait_for_function(DRAWN, arg=[title, QUIET_MS], polling=25, timeout=TIMEOUT_MS)
    browser_cpu = 0.0 if cpu_before is None else browser_cpu_ms(server) - cpu_before
    titled, last = page.evaluate("() => [window.__eet.titled, window.__eet.last]")
    ended, server_cpu = server.runs_after(clicked_at) if server else (None, 0.0)
    # The title is noticed at the next poll (25 ms): never later than the last change.
    return (min(titled or last, last) - clicked_at, last - clicked_at,
            0.0 if ended is None else ended - clicked_at, browser_cpu, server_cpu)


def nav_titles(page) -> list[str]:
    """The sidebar's page titles, in order (the "view more" of a long list opened first)."""
    more = page.locator("[data-testid='stSidebarNavViewButton']")
    if more.count() and "less" not in more.inner_text().lower() and "minder" not in more.inner_text().lower():
        more.click()
        page.wait_for_timeout(300)
    # A link's text is the icon's ligature name, then the title.
    return [text.strip().split("\n")[-1].strip()
            for text in page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()]


def _bump(url: str) -> None:
    from eet.store.audit import bump_data_version
    from eet.store.engine import get_engine, session_scope

    with session_scope(get_engine(url)) as session:
        bump_data_version(session)


def _signed_in_page(browser, server: Server, role: str, as_of: date, lang: str):
    """A fresh browser session (its own cache, as a first visit) signed in as `role`; returns
    (context, page, ms from opening the address until the sign-in form shows, wait_drawn's tuple
    from the sign-in until the overview is drawn)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(TRACK_CHANGES)
    page = context.new_page()
    opened = time.time() * 1000
    page.goto(f"{server.base}/?as_of={as_of.isoformat()}&lang={lang}")
    page.wait_for_selector("[data-testid='stMain'] input[type='password']", timeout=TIMEOUT_MS)
    form = time.time() * 1000 - opened
    clicked = sign_in(page, ACCOUNTS[role], DEMO_PASSWORD, t("app_title", lang))
    return context, page, form, wait_drawn(page, t("page_overview", lang), clicked, server)


def _chromium(p):
    return p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def measure(server: Server, url: str, as_of: date, roles: list[str], rounds: int, lang: str = "nl") -> dict:
    """{(role, page title, "cold"|"warm"): [wait_drawn's tuple, ...]} with the sign-in under the page
    title "sign-in → <overview>" (no browser CPU: it spans a navigation); raises when a page shows
    an exception."""
    from playwright.sync_api import sync_playwright

    results: dict[tuple[str, str, str], list[tuple[float, ...]]] = {}
    with sync_playwright() as p:
        browser = _chromium(p)
        try:
            for role in roles:
                _bump(url)
                context, page, _, timing = _signed_in_page(browser, server, role, as_of, lang)
                results[(role, sign_in_row(lang), "cold")] = [timing]
                titles = nav_titles(page)
                order = titles[1:] + titles[:1]  # from the overview onwards, ending on it
                for round_number in range(rounds):
                    state = "cold" if round_number == 0 else "warm"
                    for title in order:
                        cpu_before = browser_cpu_ms(server)
                        clicked = page.evaluate(CLICK_NAV, title)
                        if clicked is None:
                            raise RuntimeError(f"no sidebar link {title!r} for {role}")
                        timing = wait_drawn(page, title, clicked, server, cpu_before)
                        if page.locator("[data-testid='stException']").count():
                            raise RuntimeError(f"{title} shows an exception for {role}")
                        results.setdefault((role, title, state), []).append(timing)
                context.close()
        finally:
            browser.close()
    return results


def sign_ins(server: Server, as_of: date, role: str, count: int, lang: str = "nl") -> list[tuple]:
    """`count` sign-ins as `role`, each in a fresh browser session (nothing in its cache), the
    server's caches as they are: [(form ms, wait_drawn's tuple), ...]: from opening the address
    until the form shows, and from the sign-in until the overview is drawn."""
    from playwright.sync_api import sync_playwright

    timings = []
    with sync_playwright() as p:
        browser = _chromium(p)
        try:
            for _ in range(count):
                context, _page, form, timing = _signed_in_page(browser, server, role, as_of, lang)
                timings.append((form, timing))
                context.close()
        finally:
            browser.close()
    return timings


def first_sign_ins(url: str, folder: Path, options: list[str], port: int | None, as_of: date, role: str,
                   count: int, lang: str = "nl") -> list[tuple]:
    """`count` times: start the server, and as soon as it answers, the first visitor opens the
    sign-in page and signs in. [(start s, form ms, wait_drawn's tuple), ...]: the server's
    start until its health check answers, the first page's load until the sign-in form shows, then
    (once the sign-in page is drawn) the sign-in until the overview is drawn."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = _chromium(p)
        try:
            for number in range(count):
                sub = folder / f"start-{number + 1}"
                sub.mkdir()
                started = time.perf_counter()
                with serving(url, sub, options, port) as server:
                    up = time.perf_counter() - started
                    context, _page, form, timing = _signed_in_page(browser, server, role, as_of, lang)
                    rows.append((up, form, timing))
                    context.close()
        finally:
            browser.close()
    return rows


def sign_in_row(lang: str = "nl") -> str:
    return f"sign-in → {t('page_overview', lang)}"


def target_ms(title: str, lang: str = "nl") -> float:
    """Issue 15's targets in Chromium at pilot size: sign-in to a drawn overview under 2 s, a click
    in the sidebar until every chart of the page is drawn under 1 s."""
    return SIGN_IN_TARGET_MS if title == sign_in_row(lang) else PAGE_TARGET_MS


def spread(values: list[float]) -> str:
    """The median, then the range and the count, in ms."""
    return (f"{statistics.median(values):.0f} ms ({min(values):.0f}–{max(values):.0f}, n={len(values)})")


def load_average() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def print_table(results: dict, roles: list[str], as_of: date) -> int:
    """Prints the table; returns how many cells miss their target."""
    columns = [(role, state) for role in roles for state in ("cold", "warm")
               if any(k[0] == role and k[2] == state for k in results)]
    pages: list[str] = []
    for _, title, _ in results:
        if title not in pages:
            pages.append(title)
    print(f"\nbrowser: Chromium, demo data as of {as_of}; ms from the click until: the last chart is "
          f"drawn / the title showed / the server's run ended; medians; ok or OVER: the drawn time "
          f"against issue 15's target (sign-in {SIGN_IN_TARGET_MS:.0f} ms, a page {PAGE_TARGET_MS:.0f} ms); "
          f"a shared machine ({load_average()}): compare, do not quote alone")
    print(f"{'page':<30} " + " ".join(f"{role + ' ' + state:>24}" for role, state in columns))
    over = []
    for title in pages:
        cells = []
        for role, state in columns:
            timings = results.get((role, title, state))
            if not timings:
                cells.append("-")
                continue
            titled, drawn, served = (statistics.median(t[i] for t in timings) for i in range(3))
            met = drawn < target_ms(title)
            if not met:
                over.append(f"{title} ({role} {state}) {drawn:.0f}")
            cells.append(f"{drawn:.0f} /{titled:>4.0f} /{served:>4.0f} {'ok' if met else 'OVER'}")
        print(f"{title:<30} " + " ".join(f"{c:>24}" for c in cells))
    print(f"targets: {'all met' if not over else str(len(over)) + ' over: ' + '; '.join(over)}")
    print(f"\nCPU ms of each click until drawn, medians: the browser's (Chromium's processes, until "
          f"{QUIET_MS} ms still) + the server's (its script runs); a loaded machine stretches the times "
          f"above, not these")
    print(f"{'page':<30} " + " ".join(f"{role + ' ' + state:>24}" for role, state in columns))
    for title in pages:
        cells = []
        for role, state in columns:
            timings = results.get((role, title, state))
            if not timings or len(timings[0]) < 5 or not any(t[3] for t in timings):
                cells.append("-")
                continue
            browser, server = (statistics.median(t[i] for t in timings) for i in (3, 4))
            cells.append(f"{browser:.0f} + {server:.0f}")
        print(f"{title:<30} " + " ".join(f"{c:>24}" for c in cells))
    return len(over)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=None, help="a database (default: the demo in a temporary file)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2021, 5, 31))
    parser.add_argument("--roles", default="viewer,admin", help=f"of {', '.join(ACCOUNTS)}")
    parser.add_argument("--rounds", type=int, default=2, help="passes through the pages: 1 cold, then warm")
    parser.add_argument("--quick", action="store_true",
                        help="one role (admin: every page) and one pass, no extra sign-ins (what CI runs)")
    parser.add_argument("--sign-ins", type=int, default=0, metavar="N",
                        help="then N more sign-ins as the first role, each in a fresh browser session")
    parser.add_argument("--first-sign-ins", type=int, default=0, metavar="N",
                        help="only this: N times, a freshly started server and its first visitor's sign-in")
    parser.add_argument("--server-option", action="append", default=[], metavar="SECTION.NAME=VALUE",
                        help="a Streamlit option for the server, e.g. runner.postScriptGC=false (repeatable)")
    parser.add_argument("--port", type=int, default=None, help="the server's port (default: a free one)")
    args = parser.parse_args(argv)
    if args.quick:
        args.roles, args.rounds, args.sign_ins = "admin", 1, 0
    roles = [r for r in args.roles.split(",") if r]
    folder = Path(tempfile.mkdtemp(prefix="eet-browser-"))
    url = args.url
    if url is None:
        from eet.bootstrap import initialise
        from eet.store.engine import get_engine

        url = f"sqlite:///{folder / 'eet.db'}"
        initialise(get_engine(url), demo=True)
    print(f"{load_average()} at the start")
    if args.first_sign_ins:
        rows = first_sign_ins(url, folder, args.server_option, args.port, args.as_of, roles[0], args.first_sign_ins)
        print(f"first sign-in on a freshly started server, as {roles[0]}, {len(rows)} starts "
              f"(median (min–max)); {load_average()}")
        print(f"  server start until it answers:        {spread([r[0] * 1000 for r in rows])}")
        print(f"  first page load until the form shows:  {spread([r[1] for r in rows])}")
        print(f"  sign-in until the overview is drawn:   {spread([r[2][1] for r in rows])}"
              f" (title {spread([r[2][0] for r in rows])}); each: {' '.join(f'{r[2][1]:.0f}' for r in rows)}")
        return 0
    started = time.perf_counter()
    with serving(url, folder, args.server_option, args.port) as server:
        print(f"dashboard up in {time.perf_counter() - started:.1f} s ({server.base}; log {folder / 'streamlit.log'})"
              + (f"; options {' '.join(args.server_option)}" if args.server_option else ""))
        results = measure(server, url, args.as_of, roles, args.rounds)
        print_table(results, roles, args.as_of)
        if args.sign_ins:
            timings = sign_ins(server, args.as_of, roles[0], args.sign_ins)
            drawn = [timing[1] for _, timing in timings]
            print(f"\nsign-in → overview drawn, as {roles[0]}, {len(timings)} fresh browser sessions, server "
                  f"caches warm: {spread(drawn)}; title {spread([timing[0] for _, timing in timings])}; "
                  f"{load_average()}; each: {' '.join(f'{d:.0f}' for d in drawn)}")
            print(f"opening the address until the sign-in form shows: {spread([form for form, _ in timings])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
