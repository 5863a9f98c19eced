"""The OData v4 feed as one function from a request to a response, without a web framework:
app.py's route /odata/ hands every request here (spec/interfaces.md, "Data feed"; issue 27).

    /odata/                              the service document
    /odata/$metadata                     CSDL XML of the sets this user may read
    /odata/<Set>[?$filter=…&$select=…&$orderby=…&$top=…&$skip=…&$count=true]
    /odata/<Set>/$count                  the number of rows (plain text)
    /odata/known-at/<K>/…                the same, as the database knew it at moment K
                                         (YYYY-MM-DD: the end of that day; YYYY-MM-DDTHH:MM[:SS];
                                         Europe/Amsterdam time), as `report --known-at K`
    /odata/meeting/<YYYY-MM-DD>/…        as known at the recorded moment of that review meeting

Authentication is HTTP Basic with the user name and a personal access token (eet.accounts.tokens),
checked and audited at every request; a cookie is never read, so no other site can read the feed
through a signed-in browser. No or a wrong token: 401 with `WWW-Authenticate: Basic`.

Rows come from eet.feed.rows (the functions of the pages and `report`), computed once per data
version, moment K and audience and kept (FEED_CACHE sets), so that the pages of one set cost one
computation; each page holds at most PAGE_SIZE rows (or the client's `Prefer: odata.maxpagesize`),
with `@odata.nextLink` to the next.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote, unquote, urlencode

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from eet.accounts import tokens
from eet.accounts.access import Actor, can_read_rows, row_scope, sees_suppressed_counts
from eet.feed import csdl, options as query_options
from eet.feed.entities import BY_NAME, EntitySet, sets_for
from eet.feed.rows import feed_months
from eet.figures.query import MEMO_KEY, as_known_at
from eet.figures.report import PROGRAMME_ZONE, parse_known_at
from eet.review.known import meeting_moment
from eet.store.engine import session_scope
from eet.store.models import DataVersion, utcnow

PREFIX = "/odata"
PAGE_SIZE = 250
MAX_PAGE_SIZE = 5000
REALM = 'Basic realm="Eerst een Thuis data feed", charset="UTF-8"'
JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _headers(content_type: str) -> dict[str, str]:
    return {"Content-Type": content_type, "OData-Version": "4.0", "Cache-Control": "no-store"}


def _json(status: int, payload: dict) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False, default=_plain).encode("utf-8"),
                 _headers(JSON_TYPE))


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def _error(status: int, code: str, message: str) -> Reply:
    reply = _json(status, {"error": {"code": code, "message": message}})
    if status == 401:
        reply.headers["WWW-Authenticate"] = REALM
    return reply


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(user name, token) of an `Authorization: Basic …` header, or None."""
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        text = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, secret = text.partition(":")
    return (username, secret) if sep else None


# --- rows kept per data version, K and audience ----------------------------------------------------

FEED_CACHE = 8
_CACHE: "OrderedDict[tuple, list[dict]]" = OrderedDict()
_BUILDING: dict[tuple, threading.Lock] = {}
_LOCK = threading.Lock()


def _audience(entity_set: EntitySet, actor: Actor) -> tuple:
    """Who sees the same rows: for the figure sets viewers (the disclosure pass) or everyone else
    (exact); for the row-level sets each coordinator's organisation, or all rows."""
    if entity_set.row_level:
        return ("rows", row_scope(actor), actor.role == "researcher")
    return ("shown",) if sees_suppressed_counts(actor) else ("exact",)


def rows_of(engine: Engine, entity_set: EntitySet, actor: Actor, known_at: datetime | None, until: date) -> list[dict]:
    """Every row of the set for this actor at `until` (as known at K), kept per data version."""
    with Session(engine) as session:
        # the data version with the moment it changed (as eet.figures.timeline keys on it): a
        # database emptied and filled again, or restored, counts its versions from the start again
        stamp = tuple(session.execute(select(DataVersion.version, DataVersion.changed_at)
                                      .where(DataVersion.id == 1)).first() or (0, None))
        key = (str(engine.url), stamp, known_at, until, entity_set.name, _audience(entity_set, actor))
        with _LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
            building = _BUILDING.setdefault(key, threading.Lock())
        try:
            with building:  # one computation per key, however many pages ask at once
                with _LOCK:
                    if key in _CACHE:
                        return _CACHE[key]
                # one computation per figure and month: the report and the pass (or recovery_view)
                # ask for the same funnel, counts and recovery (eet.figures.query.memoised)
                session.info[MEMO_KEY] = {}
                with as_known_at(session, known_at):
                    rows = entity_set.read(session, actor, feed_months(until), until)
                with _LOCK:
                    _CACHE[key] = rows
                    while len(_CACHE) > FEED_CACHE:
                        _CACHE.popitem(last=False)
        finally:
            with _LOCK:
                _BUILDING.pop(key, None)
        return rows


# --- requests --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    method: str
    path: str  # from /odata on, not decoded further than the server did
    query: dict[str, str]  # the query string's options, each once
    authorization: str | None
    base: str  # scheme://host[:port] as the client reached us
    prefer: str | None = None


def _moment(segments: list[str], session: Session) -> tuple[datetime | None, str, list[str]]:
    """K and the service root named by the path (/known-at/K/ or /meeting/D/), and the rest."""
    if len(segments) >= 2 and segments[0] == "known-at":
        moment = unquote(segments[1])
        try:
            return parse_known_at(moment), f"{PREFIX}/known-at/{quote(moment, safe=':')}/", segments[2:]
        except ValueError as exc:
            raise query_options.BadQuery(str(exc)) from None
    if len(segments) >= 2 and segments[0] == "meeting":
        try:
            held_on = date.fromisoformat(segments[1])
        except ValueError:
            raise query_options.BadQuery(f"'{segments[1]}' is not a meeting date (YYYY-MM-DD)") from None
        moment = meeting_moment(session, held_on)
        if moment is None:
            raise LookupError(f"no review meeting on {held_on.isoformat()} with a recorded moment")
        return moment, f"{PREFIX}/meeting/{held_on.isoformat()}/", segments[2:]
    return None, f"{PREFIX}/", segments


def _page_size(prefer: str | None) -> int:
    for part in (prefer or "").split(","):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "odata.maxpagesize" and value.strip().isdigit():
            return max(1, min(int(value), MAX_PAGE_SIZE))
    return PAGE_SIZE


def handle(engine: Engine, request: Request) -> Reply:
    """The reply to one request of the feed (every status the feed gives: 200, 400, 401, 403,
    404, 405)."""
    if request.method not in ("GET", "HEAD"):
        return _error(405, "MethodNotAllowed", "the feed is read-only: GET")
    credentials = basic_credentials(request.authorization)
    resource = request.path + ("?" + urlencode(request.query, quote_via=quote, safe="$,'()") if request.query else "")
    with session_scope(engine) as session:  # the check and its audit record, committed before reading
        use = tokens.authenticate(session, *(credentials or (None, None)), resource)
    if use.actor is None:
        return _error(401, "Unauthorized", "sign in with your user name and a personal access token "
                                           "(python -m eet token add, or the account page)")
    actor = use.actor
    segments = [s for s in request.path[len(PREFIX):].split("/") if s]
    try:
        with Session(engine) as session:
            known_at, root, rest = _moment(segments, session)
        sets = sets_for(actor)
        base = request.base.rstrip("/")
        if not rest:
            return _json(200, csdl.service_document(base + root, sets))
        if rest == ["$metadata"]:
            return Reply(200, csdl.metadata_xml(sets).encode("utf-8"), _headers("application/xml;charset=utf-8"))
        entity_set = BY_NAME.get(rest[0])
        if entity_set is None or len(rest) > 2 or (len(rest) == 2 and rest[1] != "$count"):
            return _error(404, "NotFound", f"no such resource: {'/'.join(rest)}; the sets are "
                                           + ", ".join(s.name for s in sets))
        if entity_set.row_level and not can_read_rows(actor):
            return _error(403, "Forbidden", f"{entity_set.name}: row-level data is for coordinators, researchers "
                                            f"and admins; a {actor.role} reads MunicipalityMonths and FunnelMonths")
        if known_at is not None and not entity_set.known_at:
            raise query_options.BadQuery(f"{entity_set.name} cannot be read as known at a moment; "
                                         f"read it at {PREFIX}/{entity_set.name}")
        wanted = query_options.parse(entity_set, request.query)
        until = _until(known_at)
        rows = rows_of(engine, entity_set, actor, known_at, until)
        if len(rest) == 2:  # /$count: the rows the filter leaves
            picked = query_options.apply(entity_set, rows, query_options.Options(filter=wanted.filter))
            return Reply(200, str(len(picked)).encode(), _headers("text/plain;charset=utf-8"))
        return _json(200, _page(entity_set, rows, wanted, base + root, request))
    except query_options.BadQuery as exc:
        return _error(400, "BadRequest", str(exc))
    except LookupError as exc:
        return _error(404, "NotFound", str(exc))


def _until(known_at: datetime | None) -> date:
    """The last month-end covered is on or before today, or before K's day when K is earlier."""
    today = utcnow().astimezone(PROGRAMME_ZONE).date()
    return today if known_at is None else min(today, known_at.astimezone(PROGRAMME_ZONE).date())


def _page(entity_set: EntitySet, rows: list[dict], wanted, root: str, request: Request) -> dict:
    picked = query_options.apply(entity_set, rows, wanted)
    size = _page_size(request.prefer)
    page = picked[wanted.skiptoken:wanted.skiptoken + size]
    context = f"{root}$metadata#{entity_set.name}" + (f"({','.join(wanted.select)})" if wanted.select else "")
    out: dict = {"@odata.context": context}
    if wanted.count:
        total = query_options.Options(filter=wanted.filter)
        out["@odata.count"] = len(query_options.apply(entity_set, rows, total))
    names = wanted.select or tuple(p.name for p in entity_set.properties)
    out["value"] = [{name: row.get(name) for name in names} for row in page]
    if wanted.skiptoken + size < len(picked):
        following = {k: v for k, v in request.query.items() if k != "$skiptoken"}
        following["$skiptoken"] = str(wanted.skiptoken + size)
        out["@odata.nextLink"] = f"{root}{entity_set.name}?{urlencode(following, quote_via=quote, safe='$,')}"
    return out
