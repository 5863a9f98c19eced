"""A language sweep (issue 14): every page for every role, through AppTest on the demo database with
the roles' demo accounts. In Dutch no page shows an English word that leaked before; in English no
page shows a Dutch one. The texts read are those the page itself writes (titles, captions, messages,
labels, options, buttons, table headers and cells); what Streamlit draws itself (the file uploader's
"Browse files") and chart internals are not read. Text people typed into the demo (titles of
meetings, decisions, sites) is Dutch in both languages and so is not checked for Dutch words."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from eet.accounts import auth
from eet.bootstrap import initialise
from eet.demo.newsletter import DEMO_ACCOUNTS, DEMO_PASSWORD
from eet.store.engine import get_engine

APP = Path(__file__).resolve().parent.parent / "dashboard.py"
AS_OF = "2021-05-31"
PAGES = {
    "all": ["pages/overview.py", "pages/dwellings.py", "pages/participants.py", "pages/research.py",
            "pages/review.py", "pages/account.py"],
    "writer": ["pages/entry_dwellings.py", "pages/entry_participants.py", "pages/upload.py"],
    "registers": ["pages/registers.py"],
    "admin": ["pages/admin.py", "pages/audit.py"],
}
ROLE_PAGES = {"admin": ("all", "writer", "registers", "admin"), "coordinator": ("all", "writer"),
              "researcher": ("all", "registers"), "viewer": ("all",)}

# English that leaked onto Dutch pages before (issue 14), as whole words.
ENGLISH = ["created", "unchanged", "changed", "searching from", "decision:", "is_demo", "Download", "Upload",
           "negative exits", "Saved", "Nothing", "not recorded", "None", "True", "False", "nan", "municipality",
           "dwelling", "participant", "status_date", "new_build", "existing", "transformation", "housed",
           "searching", "occupied", "available", "measurement"]
# Dutch words of the interface (not of typed demo text) that must not show on English pages.
DUTCH = ["Opgeslagen", "nieuw", "gewijzigd", "ongewijzigd", "zoekend", "Bewoond", "Beschikbaar", "Nieuwbouw",
         "Bouwtype", "Gemeente", "Deelnemers", "Woningen", "peildatum", "Alle", "geen", "Tijdstip", "Pijplijn",
         "Uitkomst", "ingehuisd", "uitstroom", "Besluit", "Vergadering", "Demogegevens", "ja", "nee",
         "Downloaden", "Controleren", "Inloggen", "Uitloggen", "Verschil", "Prognose"]


def _pattern(words: list[str]) -> re.Pattern:
    return re.compile("|".join(rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in words))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('sweep') / 'eet.db'}"
    previous = os.environ.get("EET_DATABASE_URL")
    os.environ["EET_DATABASE_URL"] = url
    initialise(get_engine(url), demo=True)
    with Session(get_engine(url)) as s:
        actors = {username: auth.authenticate(s, username, DEMO_PASSWORD) for username, _, _ in DEMO_ACCOUNTS}
        typed = _typed_texts(s)
    yield actors, typed
    get_engine(url).dispose()
    if previous is None:
        os.environ.pop("EET_DATABASE_URL", None)
    else:
        os.environ["EET_DATABASE_URL"] = previous


def _typed_texts(session) -> set[str]:
    """Free text people typed into the demo: shown as typed, in whatever language they wrote it."""
    from sqlalchemy import select

    from eet.store.models import (Bottleneck, CostParameter, Decision, Dwelling, Factor, Organisation,
                                  ParticipantEvent, ReviewMeeting)
    columns = [Bottleneck.title, Bottleneck.owner, Bottleneck.resolution, CostParameter.label, CostParameter.source,
               Decision.decision, Decision.owner, Dwelling.site, Factor.description, Factor.source, ParticipantEvent.note,
               Organisation.name, ReviewMeeting.title]
    return {value for column in columns for value in session.execute(select(column)).scalars() if value}


def _texts(node) -> list[str]:
    """Every text a page wrote, read from the element protos (charts and file uploader internals left out)."""
    out: list[str] = []
    kind = getattr(node, "type", "")
    if kind in ("plotly_chart", "vega_lite_chart", "file_uploader", "arrow_vega_lite_chart"):
        return [getattr(node, "label", "")] if kind == "file_uploader" else []
    proto = getattr(node, "proto", None)
    if kind == "html" and proto is not None and proto.body.lstrip().startswith("<script"):
        return []  # a page's script (ui.style) is code, not text a person reads
    if kind in ("dataframe", "table") or kind == "arrow_data_frame":
        frame = node.value
        out += [str(c) for c in frame.columns] + [str(v) for v in frame.astype(str).values.ravel()]
    elif proto is not None:
        for field, value in proto.ListFields():
            if field.name in ("id", "form_id", "key", "spec", "data", "help", "format", "args", "icon",
                              "page_script_hash", "url_path", "page_name"):
                continue
            if isinstance(value, str):
                out.append(value)
            elif field.type == field.TYPE_STRING:  # a repeated text field (options, tab labels)
                out += list(value)
    for child in getattr(node, "children", {}).values() if isinstance(getattr(node, "children", None), dict) else []:
        out += _texts(child)
    return out


def _page_texts(at: AppTest) -> list[str]:
    out = []
    for root in (at.main, at.sidebar):
        out += _texts(root)
    # Select boxes and radios show their options through format_func: read what is displayed.
    for widget in [*at.selectbox, *at.radio, *at.multiselect]:
        out += [str(o) for o in widget.options]
    return out


# Streamlit draws the file uploader's button itself, in English; a text that names that button
# quotes it as it is.
STREAMLIT_OWN = ("‘Upload’", "'Upload'", "“Upload”")


def _leaks(texts: list[str], pattern: re.Pattern, skip: set[str]) -> set[str]:
    """`word in text` for every listed word in a text; typed text (`skip`) and Streamlit's own words
    are taken out first, longest first, so that a name inside a sentence is not read as a leak."""
    found = set()
    for text in texts:
        read = text
        for typed in sorted(skip, key=len, reverse=True):
            if typed in read:
                read = read.replace(typed, " ")
        for own in STREAMLIT_OWN:
            read = read.replace(own, " ")
        found |= {f"{m.group(0)!r} in {text[:160]!r}" for m in pattern.finditer(read)}
    return found


CASES = [(username, role, page) for username, role, _ in DEMO_ACCOUNTS
         for group in ROLE_PAGES[role] for page in PAGES[group]]


@pytest.mark.usefixtures("entry_script_every_run")
@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("username", "role", "page"), CASES, ids=[f"{u}-{Path(p).stem}" for u, _, p in CASES])
def test_no_page_speaks_the_other_language(demo, username, role, page, lang):
    actors, typed = demo
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["actor"] = actors[username]
    at.query_params["as_of"] = AS_OF
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    texts = _page_texts(at)
    assert len(texts) > 10, texts  # the page was read
    if os.environ.get("SWEEP_DUMP"):
        Path(os.environ["SWEEP_DUMP"]).write_text("\n".join(texts))
    if lang == "nl":
        leaks = _leaks(texts, _pattern(ENGLISH), set())
    else:
        leaks = _leaks(texts, _pattern(DUTCH), typed)
    assert not leaks, sorted(leaks)


UPLOADS = {  # one list of each kind a coordinator of Utrecht may upload, as the templates name the columns
    "dwellings": "kenmerk;gemeente;status;statusdatum\r\nUTR-0101;Utrecht;zoekend;01-06-2021\r\n"
                 "UTR-0001;Utrecht;bewoond;05-03-2021\r\n",
    "participants": "code;toeleider;aangemeld_op\r\nP-0901;Utrecht;01-05-2021\r\n",
}


@pytest.mark.usefixtures("entry_script_every_run")
@pytest.mark.parametrize("kind", list(UPLOADS))
def test_the_upload_preview_speaks_dutch(demo, kind):
    """The preview of a list said "searching from 2021-06-01" on the Dutch page (issue 14)."""
    actors, typed = demo
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["actor"] = actors["coordinator.utrecht"]
    at.query_params["lang"] = "nl"
    at.run()
    at.switch_page("pages/upload.py").run()
    at.radio(key="up_kind").set_value(kind).run()
    at.file_uploader(key=f"up_file_{kind}").set_value(("lijst.csv", UPLOADS[kind].encode(), "text/csv")).run()
    at.button(key="up_check").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    texts = _page_texts(at)
    assert any("vanaf 01-06-2021" in text or "aangemeld op 01-05-2021" in text for text in texts), texts
    leaks = _leaks(texts, _pattern(ENGLISH + ["from", "referred", "on"]), set())
    assert not leaks, sorted(leaks)


def _submit(at: AppTest, form: str) -> list[str]:
    """Submit one form; the page's success and error messages after it."""
    buttons = [b for b in at.button if b.form_id == form]
    assert buttons, f"no submit button in form {form}"
    buttons[0].click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return [re.sub(r"\\(.)", r"\1", m.value) for m in at.success]  # as read, without markdown's escapes


# Each language writes rows of its own into the module's one demo database.
SAVE_CASES = {"nl": ("UTR-0901", "P-0901"), "en": ("UTR-0902", "P-0902")}


@pytest.mark.usefixtures("entry_script_every_run")
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_save_messages_after_a_submit_speak_the_language_of_the_page(demo, lang):
    """The sweep read pages as they open; a save message appears only after a submit, and said
    "UTR-9001: changed" or "beoordeeld created" on Dutch pages (issue 14). A coordinator adds a
    dwelling, edits it, changes its status, registers a participant and records a step."""
    from datetime import date

    actors, typed = demo
    ref, code = SAVE_CASES[lang]
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["actor"] = actors["coordinator.utrecht"]
    at.query_params["lang"] = lang
    at.query_params["as_of"] = AS_OF
    at.run()
    at.switch_page("pages/entry_dwellings.py").run()
    messages = []
    at.text_input(key="nd_ref").input(ref)
    at.selectbox(key="nd_municipality").select("Utrecht")
    at.date_input(key="nd_status_date").set_value(date(2021, 5, 1))
    messages += _submit(at, "new_dwelling")
    at.selectbox(key="ed_ref").select(ref).run()
    at.text_input(key="ed_site").input("Complex Z")
    messages += _submit(at, "edit_dwelling")
    at.selectbox(key="st_ref").select(ref).run()
    at.selectbox(key="st_status").select("location_found")
    at.date_input(key="st_effective_on").set_value(date(2021, 5, 20))
    messages += _submit(at, "status")
    at.switch_page("pages/entry_participants.py").run()
    at.text_input(key="np_code").input(code)
    at.selectbox(key="np_referrer").select("Utrecht")
    at.selectbox(key="np_municipality").select("Utrecht")
    at.date_input(key="np_referred_on").set_value(date(2021, 5, 3))
    messages += _submit(at, "new_participant")
    at.selectbox(key="sp_code").select(code).run()
    at.selectbox(key="sp_event").select("assessed").run()
    at.date_input(key="sp_date").set_value(date(2021, 5, 10))
    at.radio(key="sp_outcome_assessed").set_value("eligible")
    messages += _submit(at, "step")
    messages = list(dict.fromkeys(messages))  # a form's message stays while the next is saved
    assert sum(ref in m for m in messages) >= 2 and any(code in m for m in messages), messages
    saved = "Opgeslagen" if lang == "nl" else "Saved"
    assert all(saved in m for m in messages), messages
    if lang == "nl":
        leaks = _leaks(messages, _pattern(ENGLISH + ["assessed", "eligible", "location_found", "edited"]), set())
    else:
        leaks = _leaks(messages, _pattern(DUTCH + ["beoordeeld", "geschikt", "locatie_gevonden", "Complex"]),
                       typed | {"Complex Z"})
    assert not leaks, sorted(leaks)


@pytest.mark.usefixtures("entry_script_every_run")
@pytest.mark.parametrize("page", ["pages/research.py", "pages/registers.py"])
def test_the_demo_says_it_is_simulated_in_the_language_of_the_page(demo, page):
    """The demo's cost parameters and factors carried "(gesimuleerd)", "geen echte bron" and
    "(demo)" into English pages (issue 14): the demo's rows hold what a programme would type, and
    the page says, in its language, that they are simulated."""
    from eet.texts import t

    actors, _ = demo
    for lang in ("nl", "en"):
        at = AppTest.from_file(str(APP), default_timeout=90)
        at.session_state["actor"] = actors["onderzoeker"]
        at.query_params["lang"] = lang
        at.query_params["as_of"] = AS_OF
        at.run()
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        if lang == "en":
            texts = " ".join(_page_texts(at))
            assert not re.search(r"gesimuleerd|geen echte bron|\(demo\)|\\\(demo\\\)", texts)
        assert t("demo_costs_note", lang) in [c.value for c in at.caption]
