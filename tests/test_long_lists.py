"""Lists too long to choose from (issue 15, national size): beyond ui.forms.CHOICE_LIMIT codes the
entry pages ask for the participant's code or the dwelling's ref in a text box (Chromium took 4-14 s
to draw pages with lists of 50,000 and 100,000 codes), and what is typed works as a choice did: a
known code is saved or loaded, an unknown one is said to be unknown and saves nothing. The limit is
set to 0 here, so that the test's two dwellings and one participant are "too many"."""

from __future__ import annotations

from datetime import date

import pytest

from eet.store.models import ParticipantEvent
from test_forms import actor, choose_kind, count, db, errors_text, page, set_outcome, submit  # noqa: F401
from ui import forms


@pytest.fixture(autouse=True)
def short_limit(monkeypatch):
    monkeypatch.setattr(forms, "CHOICE_LIMIT", 0)


def test_a_step_is_offered_for_a_typed_code_and_not_for_an_unknown_one(db):
    at = page("pages/entry_participants.py", actor(db, "admin"))
    assert not [s for s in at.selectbox if s.key in ("sp_code", "cr_code", "zrm_code")]
    at.text_input(key="sp_code").input("P-9999").run()
    assert any("‘P-9999’ is niet bekend" in c.value for c in at.caption)
    assert not [s for s in at.selectbox if s.key == "sp_event"]  # no step for an unknown code
    assert at.text_input(key="sp_code").value == "P-9999"  # kept, to be corrected
    at.text_input(key="sp_code").input("P-0001").run()
    choose_kind(at, "sp", "assessed")
    at.date_input(key="sp_date").set_value(date(2021, 3, 2))
    set_outcome(at, "sp", "assessed", "eligible")
    submit(at, "step")
    assert not at.error, errors_text(at)
    assert count(db, ParticipantEvent) == 1


def test_a_typed_participant_shows_its_steps_and_an_unknown_one_says_so(db):
    at = page("pages/entry_participants.py", actor(db, "admin"))
    at.text_input(key="cr_code").input("P-0404").run()
    assert any("‘P-0404’ is niet bekend" in c.value for c in at.caption)
    at.text_input(key="cr_code").input("P-0001").run()
    assert not at.exception and not any("is niet bekend" in c.value for c in at.caption)


def test_a_typed_dwelling_is_loaded_for_its_status(db):
    at = page("pages/entry_dwellings.py", actor(db, "admin"))
    assert not [s for s in at.selectbox if s.key in ("st_ref", "ed_ref")]
    at.text_input(key="st_ref").input("UTR-0001").run()
    assert not at.exception
    assert at.session_state["st_current"][0] == "available"
    at.text_input(key="st_ref").input("UTR-9999").run()
    assert "st_current" not in at.session_state
    assert any("‘UTR-9999’ is niet bekend" in c.value for c in at.caption)
