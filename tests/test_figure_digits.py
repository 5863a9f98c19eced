"""One rule for a figure's digits (issue 14): the review's table read "145,5 | 156 | +10,5" for the
median lead time while the participants page said "156,0 dagen". eet.texts.formatting.figure
decides: a count whole, a measure (a float) with MEASURE_DIGITS decimals; both pages use it."""

from __future__ import annotations

import pytest

from eet.accounts.access import Actor
from eet.review.tables import cell_text
from eet.texts import formatting as fmt
from eet.texts import t
from tests.conftest import module_demo_database, open_page


def test_a_measure_keeps_its_decimal_and_a_count_has_none():
    assert fmt.figure(156.0, "nl") == "156,0" and fmt.figure(145.5, "nl") == "145,5"
    assert fmt.figure(156, "nl") == "156" and fmt.figure(1234, "nl") == "1.234"
    assert fmt.figure(10.5, "nl", change=True) == "+10,5" and fmt.figure(-3, "en", change=True) == "−3"
    assert fmt.figure("<5", "nl") == "<5" and fmt.figure(None, "nl") == fmt.MISSING
    # the review's cells follow the same rule: a median of 156 days is a measure
    assert [cell_text(v, "nl") for v in (145.5, 156.0, 86)] == ["145,5", "156,0", "86"]
    assert cell_text(10.0, "nl", signed=True) == "+10,0"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    yield from module_demo_database(tmp_path_factory)


def test_the_review_and_the_participants_page_write_the_median_alike(demo_url):
    researcher = Actor("onderzoeker", "researcher")
    people = open_page("pages/participants.py", researcher, "2021-05-27")  # the demo's meeting
    summary = next(m.value for m in people.markdown if m.value.startswith("Mediaan "))
    median = summary.split()[1]  # "Mediaan 156,0 dagen, …"
    review = open_page("pages/review.py", researcher, "2021-05-27")  # the page opens on it (issue 26)
    frame = next(e.value for e in review.table if "Cijfer" in e.value.columns
                 and t("item_median", "nl") in list(e.value["Cijfer"]))
    row = frame[frame["Cijfer"] == t("item_median", "nl")].iloc[0]
    assert row["27-05-2021"] == median and "," in median
