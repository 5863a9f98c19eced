"""app.py, the launcher `make run` serves: before the first request it imports every module the
pages use (issue 18: the first sign-in after a start met a half-imported chart module) and turns off
Streamlit's pages/-folder mode (issue 12: a fresh server's first link said "Page not found")."""

from __future__ import annotations

import asyncio
import pkgutil
import sys

import eet


def test_lifespan_imports_everything_and_uses_the_navigation_only(monkeypatch, tmp_path):
    from streamlit.runtime.pages_manager import PagesManager

    import app

    monkeypatch.setenv("EET_DATABASE_URL", f"sqlite:///{tmp_path / 'eet.db'}")
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)

    async def start():
        async with app.lifespan(None):
            pass

    asyncio.run(start())
    assert PagesManager.uses_pages_directory is False
    wanted = {m.name for m in pkgutil.walk_packages(eet.__path__, "eet.") if not m.name.endswith("__main__")}
    assert wanted - set(sys.modules) == set()
    assert "plotly.graph_objects" in sys.modules and "ui.forms" in sys.modules
    assert (tmp_path / "eet.db").exists()  # migrated before serving
