"""In a real browser: from a click in the sidebar until the page's last chart is drawn.

    .venv/bin/python bench/browser.py [--url URL] [--as-of 2021-05-31] [--roles viewer,admin] [--rounds 2]

Serves `streamlit run dashboard.py` on a free port (tests/dashboard_server.py) on the demo database
(a temporary SQLite file, or --url), and for each role: a fresh browser session (headless Debian
Chromium through playwright) signs in with the demo account, then clicks through every page of the
sidebar in order, `--rounds` times. Before each role the data version is bumped, as a write does,
so that the server's caches are cold: round 1 is "cold", later rounds "warm".

What is timed (wall clock, ms): from the click (dispatched in the page, its time taken there) until
the page is drawn, that is: the page's title shows, Streamlit's running indicator is gone, no stale
element is left, every visible Plotly chart has drawn its SVG, and nothing in the document changed
for QUIET_MS; the time reported is that of the last change before the quiet, so the quiet itself is
not counted. "title" is when the page's title first showed. A MutationObserver installed in every
document (also after a navigation) keeps the time of the last change.

Prints one table; `measure(...)` returns its rows for other scripts. Timings on a shared machine are
noisy: compare pages with each other and runs with runs of the same machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eet.demo.newsletter import DEMO_ACCOUNTS, DEMO_PASSWORD  # noqa: E402
from eet.texts import t  # noqa: E402
from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, running_dashboard  # noqa: E402

QUIET_MS = 500
TIMEOUT_MS = 30_000
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


def sign_in(page, username: str, password: str) -> float:
    """Sign in on the sign-in page; returns the time of the submitting click (epoch ms).

    The one place that knows how signing in works: today the Streamlit form of pages/sign_in.py
    (issue 12 moves it to a cookie session through a route: adapt this function only)."""
    page.wait_for_selector("input[type='password']", timeout=TIMEOUT_MS)
    page.locator("[data-testid='stMain'] input[type='text']").first.fill(username)
    page.locator("[data-testid='stMain'] input[type='password']").first.fill(password)
    return page.evaluate("""() => {
        window.__eet.titled = null;
        const at = Date.now();
        document.querySelector('[data-testid="stMain"] [data-testid="stFormSubmitButton"] button').click();
        return at;
    }""")


def wait_drawn(page, title: str, clicked_at: float) -> tuple[float, float]:
    """(ms until the title showed, ms until drawn) after the click at `clicked_at` (epoch ms)."""
    page.wait_for_function(DRAWN, arg=[title, QUIET_MS], polling=25, timeout=TIMEOUT_MS)
    titled, last = page.evaluate("() => [window.__eet.titled, window.__eet.last]")
    # The title is noticed at the next poll (25 ms): never later than the last change.
    return min(titled or last, last) - clicked_at, last - clicked_at


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


def measure(base: str, url: str, as_of: date, roles: list[str], rounds: int, lang: str = "nl") -> dict:
    """{(role, page title, "cold"|"warm"): [(title ms, drawn ms), ...]} with the sign-in under the
    page title "sign-in → <overview>"; raises when a page shows an exception."""
    from playwright.sync_api import sync_playwright

    overview = t("page_overview", lang)
    results: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for role in roles:
                _bump(url)
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_init_script(TRACK_CHANGES)
                page = context.new_page()
                page.goto(f"{base}/?as_of={as_of.isoformat()}&lang={lang}")
                clicked = sign_in(page, ACCOUNTS[role], DEMO_PASSWORD)
                results[(role, f"sign-in → {overview}", "cold")] = [wait_drawn(page, overview, clicked)]
                titles = nav_titles(page)
                order = titles[1:] + titles[:1]  # from the overview onwards, ending on it
                for round_number in range(rounds):
                    state = "cold" if round_number == 0 else "warm"
                    for title in order:
                        clicked = page.evaluate(CLICK_NAV, title)
                        if clicked is None:
                            raise RuntimeError(f"no sidebar link {title!r} for {role}")
                        timing = wait_drawn(page, title, clicked)
                        if page.locator("[data-testid='stException']").count():
                            raise RuntimeError(f"{title} shows an exception for {role}")
                        results.setdefault((role, title, state), []).append(timing)
                context.close()
        finally:
            browser.close()
    return results


def print_table(results: dict, roles: list[str], as_of: date) -> None:
    columns = [(role, state) for role in roles for state in ("cold", "warm")
               if any(k[0] == role and k[2] == state for k in results)]
    pages: list[str] = []
    for _, title, _ in results:
        if title not in pages:
            pages.append(title)
    print(f"\nbrowser: Chromium, demo data as of {as_of}; ms from the click until the last chart is drawn "
          f"(title shown in brackets); medians; shared machine: compare, do not quote alone")
    print(f"{'page':<30} " + " ".join(f"{role + ' ' + state:>22}" for role, state in columns))
    for title in pages:
        cells = []
        for role, state in columns:
            timings = results.get((role, title, state))
            if not timings:
                cells.append(f"{'-':>22}")
                continue
            titled = statistics.median(x for x, _ in timings)
            drawn = statistics.median(y for _, y in timings)
            cells.append(f"{drawn:>13.0f} ({titled:>5.0f})")
        print(f"{title:<30} " + " ".join(f"{c:>22}" for c in cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=None, help="a database (default: the demo in a temporary file)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2021, 5, 31))
    parser.add_argument("--roles", default="viewer,admin", help=f"of {', '.join(ACCOUNTS)}")
    parser.add_argument("--rounds", type=int, default=2, help="passes through the pages: 1 cold, then warm")
    args = parser.parse_args(argv)
    roles = [r for r in args.roles.split(",") if r]
    folder = Path(tempfile.mkdtemp(prefix="eet-browser-"))
    url = args.url
    if url is None:
        from eet.bootstrap import initialise
        from eet.store.engine import get_engine

        url = f"sqlite:///{folder / 'eet.db'}"
        initialise(get_engine(url), demo=True)
    started = time.perf_counter()
    with running_dashboard(url, folder / "streamlit.log") as base:
        print(f"dashboard up in {time.perf_counter() - started:.1f} s ({base}; log {folder / 'streamlit.log'})")
        results = measure(base, url, args.as_of, roles, args.rounds)
    print_table(results, roles, args.as_of)
    return 0


if __name__ == "__main__":
    sys.exit(main())
