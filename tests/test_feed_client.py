"""A real OData v4 client reads the served feed (issue 27): python-odata (PyPI `python-odata`, which
speaks v4 and builds its entity classes from `$metadata`; SAP's `pyodata` speaks v2 only) against
`streamlit run app.py` on a demo database, with HTTP Basic and a personal access token, reading the
service document, `$metadata` and every entity set with server-driven paging, `$filter` and `$select`.
And the served route takes no cookie: a signed-in browser's cookie alone gets 401."""

from __future__ import annotations

from datetime import date

import pytest
import requests
from odata import ODataService
from sqlmodel import select

from eet.accounts import sessions, tokens
from eet.accounts.access import SYSTEM, Actor
from eet.bootstrap import initialise
from eet.feed.entities import SETS
from eet.feed.rows import feed_months
from eet.store.engine import get_engine, session_scope
from eet.store.models import User
from tests.dashboard_server import running_dashboard

PAGE = 40  # rows per page the client asks for (Prefer: odata.maxpagesize), so every set pages


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("feed_client")
    url = f"sqlite:///{folder / 'eet.db'}"
    engine = get_engine(url)
    initialise(engine, demo=True)
    secrets = {}
    with session_scope(engine) as s:
        for name in ("beheerder", "stuurgroep"):
            secrets[name] = tokens.add_token(s, SYSTEM, name, "client test")[1]
    with running_dashboard(url, folder / "streamlit.log") as base:
        yield base, engine, secrets
    engine.dispose()


def client(base: str, user: str, secret: str) -> ODataService:
    http = requests.Session()
    http.auth = (user, secret)
    http.headers["Prefer"] = f"odata.maxpagesize={PAGE}"
    return ODataService(f"{base}/odata/", session=http, reflect_entities=True, quiet_progress=True)


def test_a_real_odata_v4_client_reads_every_set_with_paging_filter_and_select(served):
    base, engine, secrets = served
    service = client(base, "beheerder", secrets["beheerder"])
    document = service.default_context.connection.execute_get(service.url)
    assert [s["name"] for s in document["value"]] == [s.name for s in SETS]
    assert set(service.entities) == {s.name for s in SETS}  # every set reflected from $metadata
    months = feed_months(date.today())
    for entity_set in SETS:
        cls = service.entities[entity_set.name]
        everything = service.query(cls).all()  # follows @odata.nextLink page by page
        assert len(everything) > PAGE, entity_set.name
        first = everything[0]
        for prop in entity_set.properties:
            getattr(first, prop.name)  # every property reflected with its type
    municipality = service.entities["MunicipalityMonths"]
    assert len(service.query(municipality).all()) == 8 * len(months)
    rows = (service.query(municipality)
            .filter(municipality.Municipality == "Utrecht")
            .filter("Month ge 2021-03-31 and Month le 2021-06-30")
            .select(municipality.Month, municipality.Counter, municipality.Occupied).all())
    assert [r["Month"] for r in rows] == ["2021-03-31", "2021-04-30", "2021-05-31", "2021-06-30"]
    assert set(rows[0]) == {"Month", "Counter", "Occupied"}
    funnel = service.entities["FunnelMonths"]
    housed = service.query(funnel).filter(funnel.Housed >= 80).select(funnel.Month, funnel.Housed).all()
    assert housed and all(r["Housed"] >= 80 for r in housed)
    steps = service.entities["Steps"]
    moved_in = service.query(steps).filter(steps.Step == "housed").select(steps.Code, steps.Date).all()
    assert len(moved_in) > PAGE and set(moved_in[0]) == {"Code", "Date"}


def test_a_viewers_client_reads_the_figure_sets_only(served):
    base, _, secrets = served
    service = client(base, "stuurgroep", secrets["stuurgroep"])
    assert set(service.entities) == {"MunicipalityMonths", "FunnelMonths"}
    funnel = service.entities["FunnelMonths"]
    assert len(service.query(funnel).all()) == len(feed_months(date.today()))


def test_the_served_feed_takes_no_cookie_and_asks_for_basic(served):
    base, engine, secrets = served
    with session_scope(engine) as s:  # a signed-in browser's session cookie
        user = s.exec(select(User).where(User.username == "beheerder")).one()
        ticket = sessions.issue_ticket(s, Actor(user.username, user.role, user.organisation_id, user.id))
    with session_scope(engine) as s:
        cookie = sessions.redeem_ticket(s, ticket)
    with session_scope(engine) as s:
        assert sessions.lookup(s, cookie).actor is not None
    for path in ("/odata/", "/odata/$metadata", "/odata/FunnelMonths"):
        reply = requests.get(base + path, cookies={sessions.COOKIE: cookie}, allow_redirects=False)
        assert reply.status_code == 401 and reply.headers["WWW-Authenticate"].startswith("Basic"), path
    reply = requests.get(base + "/odata/FunnelMonths", auth=("beheerder", secrets["beheerder"]))
    assert reply.status_code == 200 and reply.headers["OData-Version"] == "4.0"
