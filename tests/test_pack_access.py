"""The meeting pack readable by everyone (issue 26): under 2 MB with plotly.js once (the basic
bundle), each chart with the sentence of its figures and its data table, its toolbar in the pack's
language, tables that scroll rather than being cut off, and no heading without anything under it
(what is withheld says why)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session

from eet.accounts.access import Actor
from eet.review.pack import meeting_pack, to_html

VIEWER, ADMIN = Actor("stuurgroep", "viewer"), Actor("beheerder", "admin")
MAX_BYTES = 2_000_000


@pytest.fixture(scope="module")
def packs(demo_engine) -> dict:
    with Session(demo_engine) as session:
        return {(who.role, day, lang): to_html(meeting_pack(session, who, day), lang)
                for who in (VIEWER, ADMIN) for day in (date(2021, 1, 15), date(2021, 5, 31)) for lang in ("nl", "en")}


def test_a_pack_is_under_2_mb_with_plotly_once(packs):
    for key, page in packs.items():
        assert len(page.encode("utf-8")) < MAX_BYTES, key
        assert page.count("plotly.js (basic - minified) v") == 1, key


def test_every_chart_has_its_figures_in_a_sentence_and_a_table(packs):
    page = packs[("viewer", date(2021, 5, 31), "nl")]
    charts = page.count('class="plotly-graph-div"')
    assert charts >= 6  # the review's six, and the outcomes by group (issue 29)
    assert page.count('class="note chart-summary">Grafiek') == charts
    assert page.count('<details class="chart-data"><summary>Gegevens van de grafiek als tabel</summary><table>') == charts


def test_the_toolbar_speaks_the_language_of_the_pack(packs):
    page = packs[("admin", date(2021, 5, 31), "nl")]
    assert '"locale": "nl"' in page and '"modeBarButtons": [["toImage"]]' in page
    assert "Grafiek downloaden als PNG" in page


def test_no_heading_stands_without_content(packs):
    for key, page in packs.items():
        body = page.split("<main>", 1)[1]
        empty = re.findall(r"<h3>([^<]*)</h3>(?=</div>)", body)
        assert not empty, (key, empty)
        sections = re.findall(r"<section[^>]*>(.*?)</section>", body, re.S)
        assert all(re.search(r"<(table|p|ul|figure)\b", section) for section in sections), key


def test_a_viewer_reads_why_recovery_per_domain_is_not_shown(packs):
    """The viewer's pack ended with this heading and nothing under it."""
    for day in (date(2021, 1, 15), date(2021, 5, 31)):
        block = packs[("viewer", day, "nl")].split('class="block table-recovery_domains"', 1)[1].split("</div>", 1)[0]
        assert "Per domein niet getoond: in elk domein telt een groep minder dan 5 deelnemers" in block


def test_a_wide_table_scrolls_and_a_keyboard_reaches_it(packs):
    page = packs[("viewer", date(2021, 5, 31), "nl")]
    assert '<div class="table-scroll" role="region" tabindex="0" aria-label="Per gemeente">' in page
