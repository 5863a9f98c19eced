"""The page boundary: the one place where Streamlit meets `eet`.

- the database, initialised once per process (st.cache_resource);
- cached reads of `eet` functions, keyed on eet.store.audit.data_version so that every write clears them;
- the signed-in actor, the language and the as-of date, the last two carried in the URL
  (?lang=en&as_of=2021-01-15) and kept when moving between pages.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import astuple, dataclass
from datetime import date
from typing import Callable
from urllib.parse import urlencode

import streamlit as st
from sqlalchemy.exc import OperationalError

from eet import texts
from eet.accounts import sessions
from eet.accounts.access import Actor
from eet.store import outside
from eet.bootstrap import initialise
from eet.store import get_settings
from eet.store import get_engine, session_scope
from eet.figures import MEMO_KEY, DwellingFilter
from eet.store import contents
from eet.store import across_processes

EARLIEST_DATE = date(2019, 1, 1)
# Every date field reads and takes day-first dates, in Dutch and in English alike (issue 26: the
# English sidebar wanted 2021-05-31 while the forms wanted 31-05-2021).
DATE_FORMAT = "DD-MM-YYYY"


@st.cache_resource(show_spinner=False)
def _ready_engine(url: str):
    """Migrate and create the coalition and targets on the first start; cheap afterwards."""
    engine = get_engine(url)
    initialise(engine)
    return engine


def engine():
    return _ready_engine(get_settings().database_url)


def current_version() -> int:
    """The data version; a change made outside eet since eet last wrote is caught up first
    (eet.store.outside), so the page runs on figures that follow the database."""
    return outside.current_version(engine())


def _scope(actor: Actor) -> tuple:
    """What a read of `eet` depends on of who asks: the role and the organisation whose rows it may
    see (eet.accounts.access), not the person. Twenty people of one role asking at one date share
    one computation (issue 28)."""
    return actor.role, actor.organisation_id


@st.cache_data(show_spinner=False, max_entries=1024, hash_funcs={Actor: _scope, DwellingFilter: astuple})
def _read(_function: Callable, name: str, version: int, url: str, args: tuple, k: int = 0):
    # The function itself is not hashed (leading underscore): its dotted name keys the cache.
    def compute():
        with session_scope(get_engine(url)) as session:
            session.info[MEMO_KEY] = _figure_memo(version, url)
            return _function(session, *args)

    shared = across_processes.store()
    key = _shared_key(name, url, args, k) if shared is not None else None
    if key is None:  # one process, or an argument that cannot name a file
        return compute()
    return shared.get(version, key, compute)


def _shared_key(name: str, url: str, args: tuple, k: int) -> bytes | None:
    """What names a read between the processes of `make serve` (eet.store.across_processes): the
    same as _read's cache key (an Actor by its role and organisation, a filter by its fields), as bytes
    that are equal in every process. None when an argument does not pickle."""
    def plain(value):
        if isinstance(value, Actor):
            return ("Actor", *_scope(value))
        if isinstance(value, DwellingFilter):
            return ("DwellingFilter", *astuple(value))
        return value

    try:
        return pickle.dumps((name, url, k, tuple(plain(a) for a in args)), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 (such a read is only not shared)
        return None


_memos: dict[str, tuple[int, dict]] = {}


def _figure_memo(version: int, url: str) -> dict:
    """The figures computed at this data version (eet.figures.memoised): the reads of one page,
    and of other pages and sessions until the next write, share the funnel, counts and lead times
    they have in common. Only the newest version's is kept."""
    held = _memos.get(url)
    if held is None or held[0] != version or len(held[1]) > 5000:  # a new version, or many dates asked
        held = (version, {})
        _memos[url] = held
    return held[1]


def _name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def read(function: Callable, *args):
    """`function(session, *args)` of `eet`, cached on the function, its arguments (an Actor by its
    role and organisation), the small-count threshold K and the data version, so that the next write
    clears it; shared by every session of the process, and computed once when several ask at once
    (Streamlit's cache holds a lock per key). Under `make serve` also shared by its processes: one
    computes, the others read it (eet.store.across_processes)."""
    settings = get_settings()
    return _read(function, _name(function), current_version(), settings.database_url, args, settings.small_count)


@st.cache_resource(show_spinner=False, max_entries=256, hash_funcs={Actor: _scope})
def _built(_function: Callable, name: str, version: int, url: str, args: tuple, key: tuple, _source, k: int = 0):
    return _function(_source, *args)


def built(function: Callable, source, *args, key: tuple = ()):
    """`function(source, *args)` made once per process for each (function, args, key, data version)
    and shared by every session, not copied: for objects that are only read, such as the Plotly
    figures of a page (rebuilding and validating them costs more than the cached read they come
    from). `source` itself is not hashed: `key` holds the arguments of the read that gave it."""
    settings = get_settings()
    return _built(function, _name(function), current_version(), settings.database_url, args, key, source,
                  settings.small_count)


@dataclass(frozen=True)
class Kept:
    """A figure named by how it is made (`kept`), not yet made: style.chart draws it from what
    this process, or another process of `make serve`, already drew of it, and makes the figure
    only when none has. `name`: bytes naming it (None: it cannot be named, always made)."""

    name: bytes | None
    version: int
    figure: Callable[[], object]

    def across(self, key: bytes, compute: Callable[[], object]):
        """`compute()`, or its value as another process of `make serve` computed it for `key`."""
        shared = across_processes.store()
        return compute() if shared is None else shared.get(self.version, key, compute)


def kept(function: Callable, source, *args, key: tuple = ()) -> Kept:
    """`built(function, source, *args, key=key)` as style.chart takes it: made only when no process
    has drawn it yet at this data version. At a meeting's new date the review's charts were made
    and serialised once in each process (most of that date's first run, bench/load.py); now once
    for all (issue 28)."""
    settings, version = get_settings(), current_version()
    name = _shared_key(_name(function), settings.database_url, (*args, key), settings.small_count)
    return Kept(name, version, lambda: built(function, source, *args, key=key))


def content(value) -> str:
    """A fingerprint of what `value` holds (its pickle, BLAKE2b): a key for `built` when equal
    sources come from different reads, e.g. the review as an admin, a coordinator and a researcher
    see it, which is the same review (0.1 ms for a review of 10 kB)."""
    return hashlib.blake2b(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).hexdigest()


def deferred(function: Callable, *args):
    """A callable for st.download_button: the file is made when it is asked for (on a thread of
    its own), not on every run of the page; cached like read()."""
    version, settings = current_version(), get_settings()
    return lambda: _read(function, _name(function), version, settings.database_url, args, settings.small_count)


def demo_data() -> bool:
    return read(contents.is_demo)


# --- signed-in actor -----------------------------------------------------------------------------
# The browser holds the session token in an HttpOnly cookie (set by app.py's route); every run looks
# it up on the server (eet.accounts.sessions), so a reload or a new tab stays signed in and a
# sign-out, an admin's "end sessions", a deactivation or a new password apply at the next click.
# AppTest has no cookie: tests put an Actor into st.session_state["actor"] themselves.

ENDED_TEXT = {"idle": "signed_out_idle", "expired": "signed_out_expired", "revoked": "signed_out_ended",
              "account": "signed_out_ended"}


def _token() -> str | None:
    try:
        token = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # no browser connection (AppTest, bare mode)
        return None
    return token if isinstance(token, str) and token else None


def resolve_actor() -> Actor | None:
    """Who is signed in on this run: the session of the cookie, checked on the server now. Called
    once per run by dashboard.py; a session that ended leaves a note for the sign-in page."""
    token = _token()
    if token is None:
        held = st.session_state.get("actor")
        if held is not None and st.session_state.get("_actor_from_cookie"):
            st.session_state.pop("actor", None)  # the cookie went: no session any more
            return None
        return held
    try:
        with session_scope(engine()) as session:
            found = sessions.lookup(session, token)
    except OperationalError:  # SQLite busy with a long write: check without noting the activity
        with session_scope(engine()) as session:
            found = sessions.lookup(session, token, touch=False)
            session.rollback()
    if found.actor is None:
        if found.ended in ENDED_TEXT:
            st.session_state["signed_out_reason"] = found.ended
        st.session_state.pop("actor", None)
        st.session_state.pop("_actor_from_cookie", None)
        return None
    st.session_state["actor"] = found.actor
    st.session_state["_actor_from_cookie"] = True
    return found.actor


def actor() -> Actor | None:
    return st.session_state.get("actor")


def signed_out_key() -> str | None:
    """The catalogue key of why the last session ended (idle, 12 hours, ended elsewhere), once."""
    reason = st.session_state.pop("signed_out_reason", None)
    return ENDED_TEXT.get(reason)


def _post(action: str, fields: dict[str, str]) -> None:
    """Make the browser POST `fields` to one of app.py's routes (a top-level navigation, so the
    response can set the cookie and the ticket never enters the address or the history)."""
    payload = json.dumps({"a": action, "f": fields}).replace("<", "\\u003c")
    st.html(f"""<script>
      const p = {payload}; const f = document.createElement('form');
      f.method = 'POST'; f.action = p.a; f.style.display = 'none';
      for (const [k, v] of Object.entries(p.f)) {{
        const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
      }}
      document.body.appendChild(f); f.submit();
    </script>""", unsafe_allow_javascript=True)


def here(page_path: str) -> str:
    """This page's path with the URL's query ("/woningen?as_of=…&lang=…")."""
    query = urlencode(st.query_params.to_dict())
    return "/" + page_path + (f"?{query}" if query else "")


def sign_in(signed_in: Actor, next_path: str = "/", door: str = "password") -> None:
    """After a checked sign-in: a one-time ticket that the browser turns into the session cookie,
    continuing to `next_path` (the page the person asked for)."""
    with session_scope(engine()) as session:
        ticket = sessions.issue_ticket(session, signed_in, door)
    st.session_state["actor"] = signed_in  # this run's view; the next run reads the cookie
    st.session_state["_actor_from_cookie"] = True
    _post("/_eet/session", {"ticket": ticket, "next": sessions.safe_next(next_path)})


def sign_out(next_path: str = "/") -> None:
    """End the session on the server now (every tab is signed out at its next run) and let the
    browser drop the cookie."""
    with session_scope(engine()) as session:
        sessions.revoke(session, _token())
    st.session_state.pop("actor", None)
    st.session_state.pop("_actor_from_cookie", None)
    _post("/_eet/logout", {"next": sessions.safe_next(next_path)})


# --- language and as-of date, in the URL ---------------------------------------------------------

def _from_url(param: str, parse):
    """The URL's value when someone changed the URL (a shared link, an edited address), else None.
    A value this app wrote itself on the previous run is not a change."""
    raw = st.query_params.get(param)
    if raw is None or raw == st.session_state.get(f"_url_{param}"):
        return None
    try:
        return parse(raw)
    except ValueError:
        return None


def _to_url(param: str, value: str) -> None:
    st.session_state[f"_url_{param}"] = value
    st.query_params[param] = value


def _remember(widget_key: str, value_key: str) -> None:
    st.session_state[value_key] = st.session_state[widget_key]


def _bound_widget(draw, value_key: str) -> None:
    """Draw a sidebar widget showing session_state[value_key]. The value lives under a key of its
    own, because Streamlit drops a widget's state when the page changes."""
    widget_key = f"_{value_key}_widget"
    st.session_state[widget_key] = st.session_state[value_key]
    draw(key=widget_key, on_change=_remember, args=(widget_key, value_key))


def language() -> str:
    """The sidebar's language choice (default EET_LANG), synced with ?lang=."""
    def parse(raw: str) -> str:
        if raw not in texts.LANGUAGES:
            raise ValueError(raw)
        return raw

    asked = _from_url("lang", parse)
    if asked is not None:
        st.session_state["lang"] = asked
    st.session_state.setdefault("lang", texts.default_lang())
    lang = st.session_state["lang"]
    _bound_widget(lambda **kw: st.sidebar.radio(
        texts.t("language", lang), texts.LANGUAGES, horizontal=True,
        format_func=lambda code: {"nl": "Nederlands", "en": "English"}[code], **kw), "lang")
    _to_url("lang", st.session_state["lang"])
    return st.session_state["lang"]


def current_language() -> str:
    return st.session_state.get("lang") or texts.default_lang()


def as_of(lang: str) -> date:
    """The sidebar's as-of date (default: today, or a demo database's last data date), synced with
    ?as_of=YYYY-MM-DD."""
    today = date.today()
    asked = _from_url("as_of", date.fromisoformat)
    if asked is not None:
        st.session_state["as_of"] = min(max(asked, EARLIEST_DATE), today)
    if "as_of" not in st.session_state:
        st.session_state["as_of"] = read(contents.opening_date, today)
    _bound_widget(lambda **kw: st.sidebar.date_input(
        texts.t("as_of", lang), min_value=EARLIEST_DATE, max_value=today,
        format=DATE_FORMAT, help=texts.t("as_of_help", lang), **kw), "as_of")
    _to_url("as_of", st.session_state["as_of"].isoformat())
    return st.session_state["as_of"]


def url_date(param: str, key: str, default: date, draw) -> date:
    """A page's own date widget kept in the URL (?param=YYYY-MM-DD) like the as-of date, so a link
    to the page keeps it: `draw(key=key)` draws the widget (without value=); a date in a shared
    link wins over `default`, a later choice is written back to the URL. Used for the review
    page's meeting date (?meeting=)."""
    asked = _from_url(param, date.fromisoformat)
    if asked is not None:
        st.session_state[key] = min(max(asked, EARLIEST_DATE), date.today())
    elif key not in st.session_state:
        st.session_state[key] = default
    value = draw(key=key)
    _to_url(param, value.isoformat())
    return value


def current_as_of() -> date:
    return st.session_state.get("as_of") or date.today()


def context() -> tuple[Actor, str, date]:
    """What every page starts from: who, in which language, at which date. A page file reached
    without dashboard.py (Streamlit runs a pages/ file directly before the first st.navigation of
    a fresh server) shows nothing to someone not signed in."""
    if actor() is None:
        st.info(texts.t("sign_in", current_language()) + ": /")
        st.stop()
    return actor(), current_language(), current_as_of()


def demo_banner(lang: str) -> None:
    if demo_data():
        st.caption(":material/science: " + texts.t("demo_banner", lang))
