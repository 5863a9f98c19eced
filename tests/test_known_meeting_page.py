"""The review page of a recorded meeting (issue 16): the admin records the moment its figures are
presented; after a back-dated correction the page shows them as presented, marked "zoals bekend
op …", beside the same date as known now, and lists the correction."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlmodel import Session

from eet.accounts.access import SYSTEM
from eet.entry import services
from eet.entry.schemas import DwellingIn
from eet.store.engine import get_engine
from eet.store.models import ReviewMeeting
from sqlmodel import select
from tests.test_review_page import ADMIN, open_review

pytestmark = pytest.mark.usefixtures("entry_script_every_run")
HELD = date(2021, 5, 27)  # the demo's recorded meeting


def test_the_page_shows_a_recorded_meeting_as_presented_and_the_corrections_since(demo_url):  # noqa: F811
    at = open_review(ADMIN, as_of=HELD, meeting=HELD)
    assert not [i for i in at.info if "zoals bekend op" in i.value]
    at.button(key="mark_presented").click().run()
    assert not at.exception, [e.message for e in at.exception]
    with Session(get_engine(demo_url)) as session:
        moment = session.exec(select(ReviewMeeting).where(ReviewMeeting.held_on == HELD)).one().presented_at
        assert moment is not None
        time.sleep(0.01)
        services.upsert_dwelling(session, SYSTEM, DwellingIn(ref="LATE-1", municipality="Zeist",
                                                             status="available", status_date="2021-04-01"))
        session.commit()
    at = open_review(ADMIN, as_of=HELD, meeting=HELD)
    assert [i for i in at.info if "zoals bekend op" in i.value]
    subheaders = [s.value for s in at.subheader]
    assert any(s.startswith("Correcties sinds") for s in subheaders)
    tables = [element.value for element in (*at.table, *at.dataframe)]
    corrections = [frame for frame in tables if "Wat" in frame.columns]
    assert corrections and list(corrections[0]["Wat"]) == ["woningstatus later ingevoerd"]
    then_now = [frame for frame in tables if "zoals nu bekend" in frame.columns][0]
    counter = then_now[then_now["Cijfer"] == "Teller"].iloc[0]
    assert counter["zoals nu bekend"] == str(int(counter.iloc[1]) + 1)
