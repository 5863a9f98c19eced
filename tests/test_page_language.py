"""WCAG 3.1.1 (issue 26): the page's first byte declares the language of the link. Streamlit serves
one index.html with `<html lang="en">` for every page; ui.page_language (a middleware of app.py)
writes ?lang= (else EET_LANG) into it and leaves everything else as it was."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ui.page_language import PageLanguage, page_language

INDEX = '<!DOCTYPE html><html lang="en"><head></head><body>…</body></html>'


def client() -> TestClient:
    app = Starlette(routes=[Route("/{path:path}", lambda request: HTMLResponse(INDEX)),
                            Route("/_data.json", lambda request: JSONResponse({"lang": "en"}))],
                    middleware=[Middleware(PageLanguage)])
    return TestClient(app)


def test_the_link_language_is_declared_on_the_first_byte(monkeypatch):
    monkeypatch.setenv("EET_LANG", "nl")
    http = client()
    assert '<html lang="nl">' in http.get("/woningen").text
    assert '<html lang="en">' in http.get("/woningen?as_of=2021-05-31&lang=en").text
    assert '<html lang="nl">' in http.get("/?lang=fr").text  # unknown: the default
    answer = http.get("/woningen?lang=nl")
    assert int(answer.headers["content-length"]) == len(answer.content)


def test_the_default_language_is_the_configured_one(monkeypatch):
    monkeypatch.setenv("EET_LANG", "en")
    assert page_language("") == "en" and page_language("lang=nl") == "nl"
