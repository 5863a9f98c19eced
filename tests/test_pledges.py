"""Partners' pledges (issue 23): a hand-worked case of `pledge` and `on_track` in the report, the
versions of a pledge (a later date replaces it from that date, the same date supersedes it, as
known at K the old one), `import pledges`, and the demo's May 2021 story (both backends)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from eet.accounts.access import SYSTEM, AccessDenied
from eet.entry.imports import import_file
from eet.entry.pledges import PledgeIn, record_pledge
from eet.entry.schemas import RuleError
from eet.figures import pledges
from eet.figures.report import build_report
from eet.store.models import Pledge
from tests.test_figures import D, dwelling, status

MAY = D(2021, 5, 31)


def pledge(session, partner, n, valid_from=D(2021, 1, 15)):
    return record_pledge(session, SYSTEM, PledgeIn(partner=partner, dwellings=n, valid_from=valid_from))


def _zeist(session):
    """Zeist: 2 dwellings counted at the launch, 4 at the end of May, 1 in the pipeline."""
    for ref in ("Z-1", "Z-2"):
        dwelling(session, ref, "location_found", D(2021, 1, 1), municipality="Zeist")
    for ref in ("Z-3", "Z-4"):
        dwelling(session, ref, "location_found", D(2021, 3, 1), municipality="Zeist")
    dwelling(session, "Z-5", "searching", D(2021, 1, 1), municipality="Zeist")
    dwelling(session, "U-1", "available", D(2021, 1, 1))


def test_pledge_and_on_track_in_the_report_worked_by_hand(session):
    _zeist(session)
    pledge(session, "Zeist", 10)
    report = build_report(session, MAY)["dwellings"]["by_municipality"]
    # By hand: 136 days since the launch = 4.468 months (365.25 / 12 days each); 2 dwellings more
    # = 0.448 a month; 396 days = 13.01 months to 2022-07-01: 4 + 0.448 x 13.01 = 9.83 < 10.
    assert report["Zeist"]["pledge"] == 10 and report["Zeist"]["on_track"] is False
    assert report["Utrecht"]["pledge"] is None and report["Utrecht"]["on_track"] is None
    zeist = next(s for s in pledges.pledge_view(session, MAY).standings if s.municipality == "Zeist")
    assert (zeist.counter, zeist.pipeline, zeist.share) == (4, 1, 0.4)
    assert zeist.pace_so_far == pytest.approx(2 / (136 / (365.25 / 12)))
    assert zeist.pace_needed == pytest.approx(6 / (396 / (365.25 / 12)))
    # A pledge of 9 is reached by that pace (9.83 >= 9); one already met is on track whatever the pace.
    pledge(session, "Zeist", 9, D(2021, 5, 1))
    assert build_report(session, MAY)["dwellings"]["by_municipality"]["Zeist"]["on_track"] is True
    pledge(session, "Utrecht", 1)
    assert build_report(session, MAY)["dwellings"]["by_municipality"]["Utrecht"]["on_track"] is True
    assert build_report(session, MAY)["dwellings"]["pledged"] == 10


def test_a_later_pledge_replaces_it_from_its_date_and_the_same_date_supersedes_it(session):
    _zeist(session)
    assert pledge(session, "Zeist", 10) == "created"
    assert pledge(session, "Zeist", 10) == "unchanged"
    assert pledge(session, "Zeist", 14, D(2021, 4, 1)) == "created"
    assert pledges.pledges_at(session, D(2021, 3, 31)) == {"Zeist": 10}
    assert pledges.pledges_at(session, MAY) == {"Zeist": 14}
    session.commit()
    before = datetime.now(timezone.utc)
    assert pledge(session, "Zeist", 12, D(2021, 4, 1)) == "changed"
    session.commit()
    rows = session.exec(select(Pledge).order_by(Pledge.id)).all()
    assert [(p.dwellings, p.voided_at is not None) for p in rows] == [(10, False), (14, True), (12, False)]
    assert rows[1].void_reason and rows[1].voided_by == "system"  # kept, with who and why
    assert pledges.pledges_at(session, MAY) == {"Zeist": 12}
    known = build_report(session, MAY, known_at=before)["dwellings"]["by_municipality"]["Zeist"]
    assert known["pledge"] == 14  # as known before the correction


def test_only_the_admin_pledges_for_a_municipality_or_corporation(session, actors):
    with pytest.raises(AccessDenied):
        record_pledge(session, actors["coordinator"], PledgeIn(partner="Utrecht", dwellings=3,
                                                               valid_from=D(2021, 1, 15)))
    with pytest.raises(RuleError) as refused:
        pledge(session, "Lister", 3)  # a care provider pledges no dwellings
    assert refused.value.errors[0].field == "partner"
    assert pledge(session, "Mitros", 30) == "created"
    with pytest.raises(RuleError):
        PledgeIn.parse({"partner": "Zeist", "dwellings": "-1", "valid_from": "2021-01-15"})


def test_import_pledges_all_or_nothing_and_again_unchanged(engine, tmp_path):
    good = tmp_path / "toezeggingen.csv"
    good.write_text("Partner;Woningen;Geldig_vanaf\nZeist;25;15-01-2021\nHouten;20;2021-01-15\n", encoding="utf-8")
    result = import_file(engine, "pledges", good)
    assert result.ok and result.counts["created"] == 2, result.errors
    again = import_file(engine, "pledges", good)
    assert again.ok and again.counts["unchanged"] == 2
    lead = tmp_path / "lead.csv"  # the other spelling of the columns
    lead.write_text("organisation,pledged,valid_from\nZeist,26,2021-01-15\n", encoding="utf-8")
    assert import_file(engine, "pledges", lead).counts["changed"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("partner,dwellings,valid_from\nUtreg,5,2021-01-15\nLister,5,2021-01-15\nUtrecht,-2,2021-01-15\n"
                   "Utrecht,4,2099-01-01\n", encoding="utf-8")
    refused = import_file(engine, "pledges", bad)
    assert not refused.ok and [issue.row for issue in refused.errors] == [2, 3, 4, 5]
    assert "Utreg" in str(refused.errors[0]) and "partner" in str(refused.errors[0])
    with Session(engine) as s:
        assert pledges.pledges_at(s, MAY) == {"Zeist": 26, "Houten": 20}


def test_the_demo_may_2021_zeist_and_houten_behind(demo_engine):
    with Session(demo_engine) as s:
        view = pledges.pledge_view(s, MAY)
        report = build_report(s, MAY)
    assert view.behind == ["Houten", "Zeist"]
    assert view.pledged == 196 and view.target == 200
    utrecht = report["dwellings"]["by_municipality"]["Utrecht"]
    assert (utrecht["counter"], utrecht["pledge"], utrecht["on_track"]) == (90, 90, True)  # realised
    # The demo's figures of before the pledges: the launch counter and ambition stand.
    with Session(demo_engine) as s:
        launch = build_report(s, D(2021, 1, 15))["dwellings"]
    assert (launch["counter"], launch["pipeline"], launch["ambition"]) == (132, 45, 177)


def test_pledges_are_not_read_before_their_date(session):
    _zeist(session)
    pledge(session, "Zeist", 10, D(2021, 2, 1))
    assert build_report(session, D(2021, 1, 31))["dwellings"]["by_municipality"]["Zeist"]["pledge"] is None
    assert pledges.pledges_at(session, D(2021, 2, 1) + timedelta(days=0)) == {"Zeist": 10}
