"""The figures the newsletter printed, from the demo data set, on both backends."""

from datetime import date

from sqlmodel import Session

from eet.figures.report import build_report


def test_demo_matches_newsletter_on_launch_day(demo_engine):
    with Session(demo_engine) as session:
        report = build_report(session, date(2021, 1, 15))
    dwellings = report["dwellings"]
    assert (dwellings["counter"], dwellings["pipeline"], dwellings["ambition"]) == (132, 45, 177)
    assert dwellings["target"] == 200 and dwellings["target_date"] == "2022-07-01"
    assert report["coalition"] == {"municipality": 7, "care_provider": 5, "housing_corporation": 5}
    assert report["demo"] is True


def test_heuvelrug_joined_before_february(demo_engine):
    with Session(demo_engine) as session:
        report = build_report(session, date(2021, 2, 1))
    assert report["coalition"] == {"municipality": 8, "care_provider": 5, "housing_corporation": 6}
    assert "Utrechtse Heuvelrug" in report["dwellings"]["by_municipality"]
