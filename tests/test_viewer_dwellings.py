"""What a viewer reads on the dwellings page of the demo at the May review (issue 14, the final
walk-through): where occupied and available stand together in every row, the table holds their sum's
column alone (not two columns repeating "in bewoond of beschikbaar"), the chart's legend names only
series that have a bar, and an empty filter says "Alle" in the page's language."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from eet.accounts.access import Actor
from eet.texts import label, t
from conftest import module_demo_database, open_page

pytestmark = pytest.mark.usefixtures("entry_script_every_run")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    yield from module_demo_database(tmp_path_factory)


def _dwellings(role: str, lang: str) -> AppTest:
    return open_page("pages/dwellings.py", Actor("test", role), "2021-05-31", lang)


def _legend(at: AppTest) -> list[str]:
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [trace.get("name") for trace in chart["data"]]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_viewer_reads_the_sum_once_and_no_empty_legend_entry(demo_url, lang):
    at = _dwellings("viewer", lang)
    table = at.dataframe[0].value
    assert t("occupied_or_available", lang) in table.columns or label("status", "in_use", lang) in table.columns
    for status in ("occupied", "available"):
        assert label("status", status, lang) not in table.columns
        assert label("status", status, lang) not in _legend(at)


def test_a_researcher_reads_every_status(demo_url):
    at = _dwellings("researcher", "nl")
    table = at.dataframe[0].value
    for status in ("occupied", "available"):
        assert label("status", status, "nl") in table.columns
        assert label("status", status, "nl") in _legend(at)


def test_the_filters_say_all_in_dutch(demo_url):
    at = _dwellings("researcher", "nl")
    boxes = [box for box in at.selectbox if box.key in ("f_corp", "f_care", "f_type", "f_route")]
    assert len(boxes) == 4
    assert all(box.proto.placeholder == t("all", "nl") for box in boxes)
