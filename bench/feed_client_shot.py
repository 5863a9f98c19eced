"""A picture of the data feed as a real OData v4 client reads it (issue 27, for the README): the
demo dashboard served (`streamlit run app.py`), python-odata reading the service document,
`$metadata` and MunicipalityMonths with `$filter` and `$select` as the steering committee's viewer
token sees them, written as an HTML page and photographed in headless Chromium.

    .venv/bin/python bench/feed_client_shot.py docs/feed-client.png
"""

from __future__ import annotations

import html
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from odata import ODataService  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from eet.accounts import tokens  # noqa: E402
from eet.accounts.access import SYSTEM  # noqa: E402
from eet.bootstrap import initialise  # noqa: E402
from eet.store.engine import get_engine, session_scope  # noqa: E402
from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, running_dashboard  # noqa: E402

USER = "stuurgroep"
FILTER = "Municipality eq 'Utrecht' and Month ge 2021-01-31 and Month le 2021-06-30"
COLUMNS = ("Municipality", "Month", "Counter", "Pipeline", "Occupied", "Available", "InUse", "Withheld")


def read(base: str, secret: str) -> tuple[list[str], list[dict]]:
    http = requests.Session()
    http.auth = (USER, secret)
    service = ODataService(f"{base}/odata/", session=http, reflect_entities=True, quiet_progress=True)
    document = service.default_context.connection.execute_get(service.url)
    cls = service.entities["MunicipalityMonths"]
    rows = (service.query(cls).filter(FILTER).select(*(getattr(cls, c) for c in COLUMNS)).all())
    return [s["name"] for s in document["value"]], rows


def page(base: str, sets: list[str], rows: list[dict]) -> str:
    cells = "".join("<tr>" + "".join(f"<td>{html.escape('' if r[c] is None else str(r[c]))}</td>" for c in COLUMNS)
                    + "</tr>" for r in rows)
    return f"""<!doctype html><html lang="en"><meta charset="utf-8"><title>OData client</title>
<style>body{{font:15px system-ui,sans-serif;margin:24px;color:#111}} code{{background:#f1f1f1;padding:1px 4px}}
table{{border-collapse:collapse}} td,th{{border:1px solid #bbb;padding:4px 8px;text-align:right}}
td:first-child,th:first-child,td:last-child,th:last-child{{text-align:left}} th{{background:#e8eef7}}</style>
<h2>What python-odata (an OData v4 client) read from the monitor's feed</h2>
<p>Service root <code>{html.escape(base)}/odata/</code>, HTTP Basic as <code>{USER}</code> (viewer) with a
personal access token. Entity sets in the service document: <code>{html.escape(', '.join(sets))}</code>.</p>
<p><code>MunicipalityMonths?$filter={html.escape(FILTER)}&amp;$select={','.join(COLUMNS)}</code></p>
<table><tr>{''.join(f'<th>{c}</th>' for c in COLUMNS)}</tr>{cells}</table>
<p>Empty cells are withheld as on the pages (<code>Withheld</code> names them): occupied and available shown
only as their sum <code>InUse</code>, as the dwellings page shows "bewoond of beschikbaar".</p></html>"""


def main(out: str) -> int:
    folder = Path(tempfile.mkdtemp(prefix="feed-shot-"))
    url = f"sqlite:///{folder / 'eet.db'}"
    engine = get_engine(url)
    initialise(engine, demo=True)
    with session_scope(engine) as s:
        secret = tokens.add_token(s, SYSTEM, USER, "screenshot", days=1)[1]
    with running_dashboard(url, folder / "streamlit.log") as base:
        sets, rows = read(base, secret)
    document = folder / "client.html"
    document.write_text(page(base, sets, rows), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        view = browser.new_page(viewport={"width": 1100, "height": 520})
        view.goto(document.as_uri())
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        view.screenshot(path=out, full_page=True)
        browser.close()
    print(f"{out}: {len(rows)} rows read by python-odata")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots-27/feed-client.png"))
