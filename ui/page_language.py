"""The page's language on its first byte (WCAG 3.1.1): Streamlit serves one index.html, declared
`<html lang="en">`, for every page. `PageLanguage` (a middleware of app.py) writes the language of
the link (?lang=nl|en, else EET_LANG) into it; after that, ui.style's script keeps <html lang> in
step with the sidebar's choice."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from eet.texts import LANGUAGES
from eet.texts.catalogue import default_lang

DECLARED = b'<html lang="en">'


def page_language(query: str) -> str:
    """The language a link asks for (`lang=` of its query string), else the configured default."""
    asked = parse_qs(query).get("lang", [""])[0]
    return asked if asked in LANGUAGES else default_lang()


class PageLanguage(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        response = await call_next(request)
        if request.method != "GET" or not response.headers.get("content-type", "").startswith("text/html"):
            return response
        body = b"".join([chunk async for chunk in response.body_iterator])
        lang = page_language(request.url.query)
        if DECLARED in body:
            body = body.replace(DECLARED, f'<html lang="{lang}">'.encode(), 1)
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "etag")}
        return Response(body, status_code=response.status_code, headers=headers)
