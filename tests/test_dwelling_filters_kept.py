"""The dwellings page's filters (issue 14): kept when a person goes to another page and comes back,
and a collapsed filter panel says that filters are on, and how many."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from eet import figures
from eet.accounts.access import Actor
from eet.store.engine import get_engine
from eet.texts import formatting as fmt
from eet.texts import t

APP = Path(__file__).resolve().parent.parent / "dashboard.py"
pytestmark = pytest.mark.usefixtures("entry_script_every_run")




def metric(at: AppTest, title: str) -> str:
    return next(m.value for m in at.metric if m.label == title)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_filters_are_kept_across_pages_and_shown_when_collapsed(demo_url, lang):
    as_of = date(2021, 5, 31)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["actor"] = Actor("onderzoeker", "researcher")
    at.query_params["as_of"] = as_of.isoformat()
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/dwellings.py").run()
    assert at.expander[0].label == t("filters", lang)  # nothing on: the plain label
    at.selectbox(key="f_type").set_value("transformation").run()
    at.selectbox(key="f_route").set_value("project").run()
    assert at.expander[0].label == t("filters_active", lang, n=2)
    scope = figures.DwellingFilter(building_type="transformation", route="project")
    with Session(get_engine(demo_url)) as s:
        expected = fmt.number(figures.dwelling_counts(s, as_of, scope=scope)["counter"], lang)
        unfiltered = fmt.number(figures.dwelling_counts(s, as_of)["counter"], lang)
    assert expected != unfiltered
    assert metric(at, t("counter", lang)) == expected
    # Away and back: the filters, the label and the figures are as they were.
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    at.switch_page("pages/dwellings.py").run()
    assert not at.exception
    assert at.selectbox(key="f_type").value == "transformation"
    assert at.selectbox(key="f_route").value == "project"
    assert at.expander[0].label == t("filters_active", lang, n=2)
    assert metric(at, t("counter", lang)) == expected
    # Back to all: the plain label again and the unfiltered figure.
    at.selectbox(key="f_type").set_value(None).run()
    at.selectbox(key="f_route").set_value(None).run()
    assert at.expander[0].label == t("filters", lang)
    assert metric(at, t("counter", lang)) == unfiltered
