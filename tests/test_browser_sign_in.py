"""Sign-in that behaves like the web (issue 12), in headless Chromium against `streamlit run app.py`
on a demo database, with a local OpenID Connect provider (oidc-provider-mock) started here:
a link opened signed out leads after sign-in to that page, date and language; F5 and a new tab stay
signed in; the cookie is HttpOnly; sign-out in one tab signs out the other and a copied token stops
working; an idle session asks to sign in again; the organisation's provider signs in a known
identity and refuses an unknown one."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from eet.accounts import administration
from eet.accounts.access import SYSTEM
from eet.bootstrap import initialise
from eet.store.engine import get_engine
from eet.store.models import UserSession, utcnow
from eet.texts import t
from tests.dashboard_server import CHROMIUM, CHROMIUM_ARGS, free_port, running_dashboard, serving

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

KNOWN = {"sub": "u-onderzoek", "email": "Onderzoek@Gemeente.example"}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """oidc-provider-mock on a free port, with one predefined user (KNOWN)."""
    port = free_port()
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "oidc-provider-mock"), "--port", str(port),
               "--user-claims", json.dumps(KNOWN)]
    with serving(command, base + "/.well-known/openid-configuration", log, timeout=30):
        yield base


@pytest.fixture(scope="module")
def server(tmp_path_factory, provider):
    folder = tmp_path_factory.mktemp("sign_in")
    url = f"sqlite:///{folder / 'eet.db'}"
    initialise(get_engine(url), demo=True)
    with Session(get_engine(url)) as s:  # the researcher's account is linked to the provider's identity
        administration.set_identity(s, SYSTEM, "onderzoeker", "onderzoek@gemeente.example", "cli")
        s.commit()
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "test-only-{port}-not-a-secret"
client_id = "eet-monitor"
client_secret = "test-only"
server_metadata_url = "{provider}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid email profile" }}
""")
    with running_dashboard(url, folder / "streamlit.log", port=port,
                           extra_args=(f"--secrets.files={secrets}",)) as base:
        yield base, get_engine(url)
    get_engine(url).dispose()


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def heading(page, text: str) -> None:
    page.wait_for_selector(f"h1:has-text('{text}')", timeout=45000)


def sign_in_form(page, lang: str = "en") -> None:
    page.get_by_role("textbox", name=t("username", lang)).wait_for(timeout=45000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30000)


def sign_in(page, user: str, password: str = "demo", lang: str = "en") -> None:
    sign_in_form(page, lang)
    page.get_by_role("textbox", name=t("username", lang)).fill(user)
    page.get_by_role("textbox", name=t("password_sign_in", lang)).fill(password)
    page.get_by_role("button", name=t("sign_in", lang), exact=True).click()


def sid(context) -> dict:
    return next(c for c in context.cookies() if c["name"] == "eet_sid")


def test_links_reload_tabs_sign_out_and_expiry(server, browser):
    base, engine = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    # A link opened signed out: sign in, then that page at that date in that language.
    tab.goto(f"{base}/woningen?as_of=2021-05-31&lang=en")  # the first visit of a fresh server
    sign_in_form(tab)
    assert tab.locator("[role='dialog']").count() == 0  # no "Page not found"
    assert t("sign_in_continue", "en", page="Dwellings") in tab.inner_text("[data-testid='stMain']")
    sign_in(tab, "stuurgroep")
    heading(tab, "Dwellings · 31 May 2021")
    assert "/woningen?" in tab.url and "as_of=2021-05-31" in tab.url and "lang=en" in tab.url
    # The cookie: HttpOnly, SameSite=Lax, not readable by the page's scripts.
    cookie = sid(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and len(cookie["value"]) >= 43
    assert "eet_sid" not in tab.evaluate("document.cookie")
    # F5 keeps the user on the same page and date.
    tab.reload()
    heading(tab, "Dwellings · 31 May 2021")
    # A shared link in a new tab opens signed in.
    other = context.new_page()
    other.goto(f"{base}/deelnemers?as_of=2021-01-15&lang=nl")
    heading(other, "Deelnemers · 15 januari 2021")
    # A page this role may not see says so, in the page's language.
    other.goto(f"{base}/beheer?lang=nl")
    other.get_by_text("Deze pagina is er niet voor uw rol").wait_for(timeout=45000)
    # Sign-out in one tab signs out the other, and a copied token stops working.
    stolen = cookie["value"]
    other.goto(f"{base}/deelnemers?as_of=2021-01-15&lang=nl")
    heading(other, "Deelnemers · 15 januari 2021")
    other.get_by_role("button", name=t("sign_out", "nl")).click()
    sign_in_form(other, "nl")
    assert not [c for c in context.cookies() if c["name"] == "eet_sid"]
    tab.locator("[data-testid='stSidebarNav'] a").filter(has=tab.get_by_text("Research", exact=True)).click()
    sign_in_form(tab)  # the next click of the first tab (its old cookie) finds the session ended
    assert t("signed_out_ended", "en") in tab.inner_text("[data-testid='stMain']")
    thief = browser.new_context()
    thief.add_cookies([{"name": "eet_sid", "value": stolen, "url": base}])
    thief_tab = thief.new_page()
    thief_tab.goto(f"{base}/woningen?as_of=2021-05-31&lang=en")
    sign_in_form(thief_tab)
    assert thief_tab.locator("h1:has-text('Dwellings')").count() == 0
    thief.close()
    # An idle session (31 minutes without a click, kept on the server) asks to sign in again.
    sign_in(tab, "stuurgroep")
    heading(tab, "Research")
    with Session(engine) as s:
        for row in s.exec(select(UserSession).where(UserSession.revoked_at.is_(None))).all():
            row.last_seen = utcnow() - timedelta(minutes=31)
            s.add(row)
        s.commit()
    tab.reload()
    sign_in_form(tab)
    assert t("signed_out_idle", "en") in tab.inner_text("[data-testid='stMain']")
    assert tab.locator("[data-testid='stException']").count() == 0
    context.close()


def test_organisation_provider_known_and_unknown_identity(server, browser, provider):
    base, _ = server
    # Known identity: the provider's user whose e-mail is linked to the researcher's account.
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{base}/woningen?as_of=2021-05-31&lang=en")
    sign_in_form(tab)
    tab.get_by_role("button", name=t("sign_in_provider", "en")).click()
    tab.wait_for_url(f"{provider}/**", timeout=30000)
    tab.get_by_role("button", name=KNOWN["sub"]).click()
    heading(tab, "Dwellings · 31 May 2021")  # back on the page the link named
    assert "as_of=2021-05-31" in tab.url
    assert "onderzoeker" in tab.inner_text("[data-testid='stSidebar']")
    assert sid(context)["httpOnly"]
    assert not [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]  # ours only
    tab.reload()
    heading(tab, "Dwellings · 31 May 2021")
    context.close()
    # Unknown identity: a clear refusal and no access.
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{base}/?lang=en")
    sign_in_form(tab)
    tab.get_by_role("button", name=t("sign_in_provider", "en")).click()
    tab.wait_for_url(f"{provider}/**", timeout=30000)
    tab.fill("input[name=sub]", "stranger@elsewhere.example")
    tab.get_by_role("button", name="Authorize").click()
    tab.get_by_text("is not linked to an account of this monitor").wait_for(timeout=45000)
    assert "stranger@elsewhere.example" in tab.inner_text("[data-testid='stMain']").replace("\u2060", "")  # no mailto link (issue 25)
    assert not [c for c in context.cookies() if c["name"] == "eet_sid"]
    assert tab.locator("[data-testid='stSidebarNav']").count() == 0
    context.close()


def _post(url: str, body: str, origin: str | None) -> tuple[int, dict]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        headers["Origin"] = origin
    connection.request("POST", parts.path, body=body, headers=headers)
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}


def test_routes_refuse_other_sites_bad_tickets_and_foreign_next(server):
    base, _ = server
    status, _ = _post(f"{base}/_eet/session", "ticket=x&next=/", "https://evil.example")
    assert status == 403
    status, _ = _post(f"{base}/_eet/session", "ticket=x&next=/", None)
    assert status == 403
    status, headers = _post(f"{base}/_eet/session", "ticket=not-a-ticket&next=//evil.example/", base)
    assert status == 303 and headers["location"] == "/" and "set-cookie" not in headers
    status, _ = _post(f"{base}/_eet/logout", "next=/", "https://evil.example")
    assert status == 403
