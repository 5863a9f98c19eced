"""Server time of each dashboard page on the demo data: one AppTest run, cold (empty cache) and
warm (the same view again). Not a test: prints a table.

    .venv/bin/python bench/pages_bench.py [--as-of 2021-05-31] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["pages/overview.py", "pages/dwellings.py", "pages/participants.py", "pages/research.py"]
ROLES = ["viewer", "researcher"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default="2021-05-31")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'eet.db'}"
    os.environ["EET_DATABASE_URL"] = url
    import logging

    import streamlit as st

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from eet.access import Actor
    from eet.bootstrap import initialise
    from eet.db import get_engine

    initialise(get_engine(url), demo=True)
    # As in tests/test_pages.py: run the entry script every time, as the server does.
    original = PagesManager.__init__

    def init(self, *a, **kw):
        original(self, *a, **kw)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init

    print(f"page server time on the demo data, as of {args.as_of}, SQLite, ms (median of {args.repeat})")
    print(f"{'page':<24}{'role':<12}{'cold':>8}{'warm':>8}")
    for page in PAGES:
        for role in ROLES:
            cold, warm = [], []
            for _ in range(args.repeat):
                st.cache_data.clear()
                at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
                at.session_state["actor"] = Actor("bench", role)
                at.query_params["as_of"] = args.as_of
                at.run()
                at.switch_page(page)
                start = time.perf_counter()
                at.run()
                cold.append(time.perf_counter() - start)
                start = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - start)
                assert not at.exception, at.exception
            print(f"{page:<24}{role:<12}{statistics.median(cold) * 1000:>8.0f}{statistics.median(warm) * 1000:>8.0f}")


if __name__ == "__main__":
    main()
