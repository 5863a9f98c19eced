"""The participants page's funnel table as each role reads it (issue 14): a viewer on the demo at the
May review, where every conversion borders on a withheld count, gets no column of dashes but a
caption that says why; a researcher reads every conversion."""

from __future__ import annotations

import pytest

from eet.accounts.access import Actor
from eet.texts import t
from conftest import module_demo_database, open_page

pytestmark = pytest.mark.usefixtures("entry_script_every_run")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    yield from module_demo_database(tmp_path_factory)


def _funnel_table(role: str, lang: str):
    at = open_page("pages/participants.py", Actor("test", role), "2021-05-31", lang)
    return at, at.dataframe[0].value


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_viewer_gets_no_column_of_dashes_but_the_reason(demo_url, lang):
    at, table = _funnel_table("viewer", lang)
    assert t("conversion", lang) not in table.columns
    assert any(t("conversion_withheld", lang) in c.value for c in at.caption)


def test_a_researcher_reads_every_conversion(demo_url):
    at, table = _funnel_table("researcher", "nl")
    shown = [v for v in table[t("conversion", "nl")] if v]
    assert len(shown) == 4 and all(v.endswith("%") for v in shown)
    assert not any(t("conversion_withheld", "nl") in c.value for c in at.caption)
