"""The data feed for Excel and Power BI (issue 27; spec/interfaces.md, "Data feed"): personal access
tokens, and what a token's user reads on /odata/, checked figure by figure against `report` at every
month-end (as known now and as known at a moment), on SQLite and PostgreSQL. The real OData client
and the served route are in tests/test_feed_client.py; the attacker reads the viewer's feed in
tests/test_disclosure_attack.py."""

from __future__ import annotations

import time

import base64
import json
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlmodel import Session, select

from eet.accounts import tokens
from eet.accounts.access import SYSTEM, AccessDenied, Actor
from eet.accounts.administration import set_active
from eet.accounts.auth import add_user
from eet.cli import main
from eet.entry import RuleError, services
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn
from eet.feed import service
from eet.feed.entities import BY_NAME
from eet.feed.rows import FUNNEL_PROPERTIES, STATUS_PROPERTIES, feed_months
from eet.figures.report import build_report, end_of_day
from eet.store.engine import session_scope
from eet.store.models import AccessToken, AuditRecord, Organisation, utcnow

PASSWORD = "correct horse battery staple"


def _account(engine, name: str, role: str, org: str | None = None) -> str:
    """An account and a token of it; the token."""
    with session_scope(engine) as s:
        add_user(s, SYSTEM, name, PASSWORD, role, org)
    with session_scope(engine) as s:
        return tokens.add_token(s, SYSTEM, name, "test")[1]


def get(engine, path: str, user: str, token: str | None, query: dict | None = None, prefer: str | None = None):
    auth = None if token is None else "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()
    return service.handle(engine, service.Request("GET", path, query or {}, auth, "http://feed.test", prefer))


def read_all(engine, name: str, user: str, token: str, root: str = "/odata/", query: dict | None = None,
             prefer: str | None = None) -> list[dict]:
    """Every row of a set, page by page as a client follows @odata.nextLink."""
    out, path, query = [], f"{root}{name}", dict(query or {})
    while True:
        reply = get(engine, path, user, token, query, prefer)
        assert reply.status == 200, reply.body
        page = json.loads(reply.body)
        out += page["value"]
        if "@odata.nextLink" not in page:
            return out
        link = urlsplit(page["@odata.nextLink"])
        path, query = link.path, dict(parse_qsl(link.query))


# --- tokens ---------------------------------------------------------------------------------------

def test_a_token_is_shown_once_and_only_its_hash_is_stored(engine):
    with session_scope(engine) as s:
        add_user(s, SYSTEM, "analist", PASSWORD, "researcher")
        info, secret = tokens.add_token(s, SYSTEM, "analist", "Power BI", days=30)
    assert secret.startswith(tokens.PREFIX) and len(secret) >= 43 + len(tokens.PREFIX)  # 256 bits
    with Session(engine) as s:
        row = s.get(AccessToken, info.id)
        stored = json.dumps([str(v) for v in row.model_dump().values()])
        audits = " ".join(a.after or "" for a in s.exec(select(AuditRecord)).all())
    assert secret not in stored and secret not in audits and row.token_hash not in audits
    assert (info.expires_at - info.created_at).days == 30 and info.state == "active"
    with Session(engine) as s:
        assert [t.name for t in tokens.list_tokens(s, Actor("analist", "researcher"))] == ["Power BI"]


def test_the_command_line_prints_the_token_alone_on_its_last_line(engine, monkeypatch, capsys):
    monkeypatch.setenv("EET_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    with session_scope(engine) as s:
        add_user(s, SYSTEM, "kijker", PASSWORD, "viewer")
    assert main(["token", "add", "--user", "kijker", "--days", "10"]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert get(engine, "/odata/", "kijker", secret).status == 200
    assert main(["token", "list"]) == 0
    assert "kijker" in capsys.readouterr().out
    assert main(["token", "revoke", "1"]) == 0
    assert get(engine, "/odata/", "kijker", secret).status == 401
    assert main(["token", "add", "--user", "kijker", "--days", "400"]) == 1


def test_no_wrong_revoked_expired_or_deactivated_token_reads_the_feed(engine):
    secret = _account(engine, "kijker", "viewer")
    other = _account(engine, "ander", "viewer")
    ok = get(engine, "/odata/FunnelMonths", "kijker", secret)
    assert ok.status == 200
    for user, token in (("kijker", None), ("kijker", "eet_wrong"), ("ander", secret), ("kijker", other),
                        ("kijker", PASSWORD)):
        reply = get(engine, "/odata/FunnelMonths", user, token)
        assert reply.status == 401 and reply.headers["WWW-Authenticate"].startswith("Basic "), (user, token)
    with session_scope(engine) as s:  # deactivated: stops; reactivated: works again
        set_active(s, SYSTEM, "kijker", False)
    assert get(engine, "/odata/", "kijker", secret).status == 401
    with session_scope(engine) as s:
        set_active(s, SYSTEM, "kijker", True)
    assert get(engine, "/odata/", "kijker", secret).status == 200
    with session_scope(engine) as s:  # past its end
        row = s.exec(select(AccessToken).where(AccessToken.user_id != 0)).all()
        for r in row:
            r.expires_at = utcnow() - timedelta(seconds=1)
            s.add(r)
    assert get(engine, "/odata/", "kijker", secret).status == 401
    with session_scope(engine) as s:
        fresh = tokens.add_token(s, SYSTEM, "kijker", "nieuw")
    assert get(engine, "/odata/", "kijker", fresh[1]).status == 200
    with session_scope(engine) as s:
        tokens.revoke_token(s, Actor("kijker", "viewer"), fresh[0].id)
    assert get(engine, "/odata/", "kijker", fresh[1]).status == 401


def test_every_use_of_a_token_is_audited(engine):
    secret = _account(engine, "kijker", "viewer")
    get(engine, "/odata/FunnelMonths", "kijker", secret, {"$top": "1"})
    get(engine, "/odata/FunnelMonths", "ander", secret)
    with Session(engine) as s:
        uses = s.exec(select(AuditRecord).where(AuditRecord.entity == "access_token")
                      .order_by(AuditRecord.id)).all()
        last_used = s.exec(select(AccessToken)).one().last_used_at
    assert [(u.action, u.actor) for u in uses][-2:] == [("token_use", "kijker"), ("token_refused", "kijker")]
    assert "FunnelMonths" in uses[-2].after and "$top" in uses[-2].after
    assert last_used is not None


def test_only_the_owner_or_the_admin_manages_a_token(engine):
    _account(engine, "kijker", "viewer")
    with session_scope(engine) as s:
        add_user(s, SYSTEM, "ander", PASSWORD, "viewer")
    with Session(engine) as s:
        mine = tokens.list_tokens(s, Actor("kijker", "viewer"))[0]
        assert tokens.list_tokens(s, Actor("ander", "viewer")) == []
        with pytest.raises(AccessDenied):
            tokens.revoke_token(s, Actor("ander", "viewer"), mine.id)
        with pytest.raises(AccessDenied):
            tokens.add_token(s, Actor("ander", "viewer"), "kijker", "x")
        with pytest.raises(RuleError):
            tokens.add_token(s, Actor("kijker", "viewer"), "kijker", "x", days=0)
        assert tokens.revoke_token(s, SYSTEM, mine.id).state == "revoked"


def test_the_browsers_cookie_is_never_read():
    """The feed's request carries no cookie at all: service.Request has no field for one, and the
    route builds it from the Authorization header only (tests/test_feed_client.py sends a signed-in
    cookie to the served route and gets 401)."""
    assert "cookie" not in {f.lower() for f in service.Request.__dataclass_fields__}


# --- the figures equal the report ------------------------------------------------------------------

def _history(engine) -> None:
    """A small history spread over months (dwellings, people through every step)."""
    start = date(2021, 1, 20)
    with session_scope(engine) as s:
        for i in range(14):
            services.upsert_dwelling(s, SYSTEM, DwellingIn(
                ref=f"UTR-{i}", municipality=("Utrecht", "Zeist", "Houten")[i % 3],
                status=("available", "searching", "location_found")[i % 3] if i % 5 else "available",
                status_date=start))
        for i in range(12):
            code, referred = f"P-{i}", start + timedelta(days=7 * i)
            services.register_participant(s, SYSTEM, ParticipantIn(code=code, referrer="Stadsteam Back Up",
                                                                   referred_on=referred, municipality="Utrecht"))
            services.record_event(s, SYSTEM, EventIn(code=code, event="assessed", date=referred + timedelta(days=3),
                                                     outcome="eligible" if i % 4 else "not_eligible"))
            if i % 4 and i < 10:
                ref = f"UTR-{[0, 5, 10][i % 3]}"  # available dwellings
                if i < 3:
                    services.record_event(s, SYSTEM, EventIn(code=code, event="matched", date=referred + timedelta(days=9),
                                                             dwelling_ref=ref))
                    services.record_event(s, SYSTEM, EventIn(code=code, event="housed", date=referred + timedelta(days=20),
                                                             dwelling_ref=ref))


def _expected_municipality_row(report: dict, name: str) -> dict:
    counts = report["dwellings"]["by_municipality"][name]
    return {"Counter": counts["counter"], "Pipeline": counts["pipeline"],
            **{prop: counts[status] for status, prop in STATUS_PROPERTIES.items()},
            "InUse": counts["occupied"] + counts["available"], "Pledge": counts.get("pledge")}


def _expected_funnel_row(report: dict) -> dict:
    p = report["participants"]
    return {**{prop: p["funnel"][step] for step, prop in FUNNEL_PROPERTIES.items()},
            "Retention12m": p["retention_12m"]["rate"], "Retention12mCohort": p["retention_12m"]["cohort"],
            "Recovery12m": p["recovery_12m"]["rate"]}


def _check_equal_to_report(engine, user: str, secret: str, root: str, known_at) -> int:
    municipality = read_all(engine, "MunicipalityMonths", user, secret, root, prefer="odata.maxpagesize=50")
    funnel = {r["Month"]: r for r in read_all(engine, "FunnelMonths", user, secret, root,
                                              prefer="odata.maxpagesize=7")}
    until = min(date.today(), known_at.date()) if known_at else date.today()
    months = feed_months(until)
    assert sorted(funnel) == [m.isoformat() for m in months]
    by_month: dict = {}
    for row in municipality:
        by_month.setdefault(row["Month"], {})[row["Municipality"]] = row
    checked = 0
    with Session(engine) as s:
        for month in months:
            report = build_report(s, month, known_at=known_at)
            names = report["dwellings"]["by_municipality"]
            assert sorted(by_month[month.isoformat()]) == sorted(names), month
            for name in names:
                row = by_month[month.isoformat()][name]
                assert {k: row[k] for k in _expected_municipality_row(report, name)} == \
                    _expected_municipality_row(report, name), (month, name)
                checked += 1
            expected = _expected_funnel_row(report)
            assert {k: funnel[month.isoformat()][k] for k in expected} == expected, month
            checked += 1
    return checked


def test_every_figure_of_the_feed_equals_report_at_each_month_end(engine):
    _history(engine)
    secret = _account(engine, "analist", "researcher")
    assert _check_equal_to_report(engine, "analist", secret, "/odata/", None) > 100


def test_every_figure_as_known_at_a_moment_equals_report_known_at_it(engine):
    """K before a late, back-dated correction: the feed at /odata/known-at/K/ is report --known-at K,
    and differs from the figures as known now."""
    _history(engine)
    secret = _account(engine, "analist", "researcher")
    # K is typed to the second: the history a whole second before it, the correction a second after.
    time.sleep(1.1)
    moment = utcnow()
    time.sleep(1.1)
    with session_scope(engine) as s:  # recorded after K, dated in February 2021
        services.register_participant(s, SYSTEM, ParticipantIn(code="LATE", referrer="Stadsteam Back Up",
                                                               referred_on=date(2021, 2, 3)))
    stamp = moment.astimezone(end_of_day(date.today()).tzinfo).strftime("%Y-%m-%dT%H:%M:%S")
    # K to the second, Europe/Amsterdam time, as a person types it; the path's K is read that way
    from eet.figures.report import parse_known_at

    known = parse_known_at(stamp)
    assert known <= utcnow()
    _check_equal_to_report(engine, "analist", secret, f"/odata/known-at/{stamp}/", known)
    then = read_all(engine, "FunnelMonths", "analist", secret, f"/odata/known-at/{stamp}/",
                    {"$filter": "Month eq 2021-02-28", "$select": "Referred"})
    now = read_all(engine, "FunnelMonths", "analist", secret, query={"$filter": "Month eq 2021-02-28",
                                                                     "$select": "Referred"})
    assert now[0]["Referred"] == then[0]["Referred"] + 1


def test_a_viewers_feed_shows_the_pages_cells_and_no_count_of_one_to_four_people(engine):
    """Cells a viewer reads exactly equal report; withheld ones are null and named; no property of
    people (occupied dwellings, funnel steps, cohort) is ever 1 to 4."""
    _history(engine)
    secret = _account(engine, "kijker", "viewer")
    municipality = read_all(engine, "MunicipalityMonths", "kijker", secret)
    funnel = read_all(engine, "FunnelMonths", "kijker", secret)
    people = ["Occupied", *FUNNEL_PROPERTIES.values(), "Retention12mCohort"]
    withheld_somewhere = False
    with Session(engine) as s:
        for row in funnel:
            report = build_report(s, date.fromisoformat(row["Month"]))
            for key, value in _expected_funnel_row(report).items():
                assert row[key] in (value, None), (row["Month"], key)
                named = (row["SmallCounts"] or "").split(",") + (row["Withheld"] or "").split(",")
                assert row[key] is not None or value is None or key in named, (row["Month"], key)
                withheld_somewhere |= row[key] is None and value is not None
        for row in municipality:
            report = build_report(s, date.fromisoformat(row["Month"]))
            for key, value in _expected_municipality_row(report, row["Municipality"]).items():
                assert row[key] in (value, None), (row["Month"], key)
    for row in municipality + funnel:
        assert not any(row.get(p) is not None and 1 <= row[p] <= 4 for p in people), row
    assert withheld_somewhere


def test_a_coordinator_reads_the_rows_of_their_own_organisation_only(engine):
    _history(engine)
    secret = _account(engine, "coord", "coordinator", "Zeist")
    admin = _account(engine, "beheer", "admin")
    with Session(engine) as s:
        zeist = s.exec(select(Organisation).where(Organisation.name == "Zeist")).one()
    mine = read_all(engine, "Dwellings", "coord", secret)
    everyone = read_all(engine, "Dwellings", "beheer", admin)
    assert mine and len(mine) < len(everyone)
    assert all(zeist.name in (r["Municipality"], r["Corporation"], r["CareProvider"]) for r in mine)
    assert read_all(engine, "Steps", "coord", secret) == []  # Zeist referred and houses nobody here
    assert len(read_all(engine, "Steps", "beheer", admin)) > 10
    viewer = _account(engine, "kijker", "viewer")
    assert get(engine, "/odata/Dwellings", "kijker", viewer).status == 403
    listed = json.loads(get(engine, "/odata/", "kijker", viewer).body)["value"]
    assert [s["name"] for s in listed] == ["MunicipalityMonths", "FunnelMonths"]


def test_the_query_options_filter_select_order_count_and_page(engine):
    _history(engine)
    secret = _account(engine, "analist", "researcher")
    rows = read_all(engine, "MunicipalityMonths", "analist", secret,
                    query={"$filter": "Municipality eq 'Zeist' and Month ge 2021-03-31 and Month le 2021-06-30",
                           "$select": "Month,Counter", "$orderby": "Month desc"}, prefer="odata.maxpagesize=2")
    assert [r["Month"] for r in rows] == ["2021-06-30", "2021-05-31", "2021-04-30", "2021-03-31"]
    assert set(rows[0]) == {"Month", "Counter"}
    reply = json.loads(get(engine, "/odata/FunnelMonths", "analist", secret,
                           {"$count": "true", "$top": "3", "$skip": "2", "$filter": "Referred ne 0 or Housed gt 0"}).body)
    assert len(reply["value"]) == 3 and reply["@odata.count"] >= 3
    assert get(engine, "/odata/FunnelMonths/$count", "analist", secret).body == str(len(feed_months(date.today()))).encode()
    for bad in ({"$filter": "Nope eq 1"}, {"$expand": "x"}, {"$top": "-1"}, {"$filter": "Month eq"},
                {"$select": "Nope"}):
        assert get(engine, "/odata/FunnelMonths", "analist", secret, bad).status == 400, bad
    assert get(engine, "/odata/Nothing", "analist", secret).status == 404
    metadata = get(engine, "/odata/$metadata", "analist", secret).body.decode()
    for typed in ('Name="Month" Type="Edm.Date"', 'Name="Counter" Type="Edm.Int32"',
                  'Name="Retention12m" Type="Edm.Decimal"'):
        assert typed in metadata
    assert set(BY_NAME) <= set(metadata.split('"'))


def test_a_filter_is_read_with_odatas_precedence_and_anything_else_is_refused():
    from eet.feed import filters

    assert filters.parse("A eq 1 or B eq 'x''y' and not C ge 2021-05-31") == (
        "or", ("eq", ("name", "A"), ("value", 1)),
        ("and", ("eq", ("name", "B"), ("value", "x'y")), ("not", ("ge", ("name", "C"), ("value", date(2021, 5, 31))))))
    assert filters.parse("(A eq 1 or B eq 2) and C in (3, 4)")[0] == "and"
    for bad in ("A eq", "A like 3", "contains(A, 'x')", "A add 1 eq 2", "A eq 'open", "A eq 2021-02-30", "A eq 1)"):
        with pytest.raises(filters.FilterError):
            filters.parse(bad)


def test_a_meetings_root_serves_the_figures_as_presented_at_its_moment(engine):
    """/odata/meeting/D/ is the feed as known at the recorded moment of the review meeting held on D."""
    from eet.review.decisions import add_meeting, mark_presented

    _history(engine)
    secret = _account(engine, "analist", "researcher")
    with session_scope(engine) as s:
        meeting = add_meeting(s, SYSTEM, {"held_on": date(2021, 5, 31), "title": "Evaluatie"})
        mark_presented(s, SYSTEM, meeting.id)
    with session_scope(engine) as s:  # a late correction after the meeting, dated before it
        services.register_participant(s, SYSTEM, ParticipantIn(code="LATE", referrer="Stadsteam Back Up",
                                                               referred_on=date(2021, 3, 3)))
    query = {"$filter": "Month eq 2021-03-31", "$select": "Referred"}
    presented = read_all(engine, "FunnelMonths", "analist", secret, "/odata/meeting/2021-05-31/", query)
    now = read_all(engine, "FunnelMonths", "analist", secret, query=query)
    with Session(engine) as s:
        from eet.review.known import meeting_moment

        moment = meeting_moment(s, date(2021, 5, 31))
        expected = build_report(s, date(2021, 3, 31), known_at=moment)["participants"]["funnel"]["referred"]
    assert presented == [{"Referred": expected}] and now == [{"Referred": expected + 1}]
    assert get(engine, "/odata/meeting/2021-06-30/FunnelMonths", "analist", secret).status == 404


def test_removing_the_demo_removes_its_accounts_tokens(tmp_path):
    from eet.bootstrap import initialise
    from eet.store.contents import remove_demo
    from eet.store.engine import get_engine

    engine = get_engine(f"sqlite:///{tmp_path / 'eet.db'}")
    initialise(engine, demo=True)
    with session_scope(engine) as s:
        tokens.add_token(s, SYSTEM, "stuurgroep", "demo")
    with session_scope(engine) as s:
        assert remove_demo(s, SYSTEM)["demo_tokens"] == 1
    with Session(engine) as s:
        assert s.exec(select(AccessToken)).all() == []
    engine.dispose()
