"""The review page's meeting date lives in the URL (?meeting=) like the as-of date (issue 12): a
link with it opens the page at that meeting date, and a date chosen on the page is written back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from eet.accounts.access import Actor

APP = Path(__file__).resolve().parent.parent / "dashboard.py"
pytestmark = pytest.mark.usefixtures("entry_script_every_run")




def test_meeting_date_comes_from_the_link_and_goes_back_into_it(demo_url):
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["actor"] = Actor("test-admin", "admin")
    at.query_params["as_of"] = "2021-06-30"
    at.query_params["meeting"] = "2021-05-31"
    at.run()
    at.switch_page("pages/review.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.date_input(key="review_date").value == date(2021, 5, 31)  # the link's, not the as-of date
    at.date_input(key="review_date").set_value(date(2021, 4, 1)).run()
    assert at.query_params["meeting"] == "2021-04-01"
    assert at.query_params["as_of"] == "2021-06-30"


def test_without_a_meeting_in_the_link_the_last_recorded_meeting_is_used(demo_url):
    """Issue 26: not the as-of date (the demo's one meeting was held on 27 May 2021)."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state["actor"] = Actor("test-admin", "admin")
    at.query_params["as_of"] = "2021-05-31"
    at.run()
    at.switch_page("pages/review.py").run()
    assert at.date_input(key="review_date").value == date(2021, 5, 27)
    assert at.query_params["meeting"] == "2021-05-27"
