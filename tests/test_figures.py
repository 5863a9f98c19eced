"""Every figure of DESIGN.md on small histories whose answers were worked out by hand.

Histories are entered through the service layer (the same rules as every other door) and the
figures read back through eet.figures, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy
import pytest

from eet import figures

from eet.entry import services
from eet.accounts.access import SYSTEM
from eet.store.models import Target
from eet.figures.report import build_report
from eet.entry.schemas import DwellingIn, EventIn, ParticipantIn, StatusChangeIn
from eet.accounts import administration

D = date


# --- small helpers to write a history ------------------------------------------------------------

def dwelling(session, ref, status, on, municipality="Utrecht", **extra):
    services.upsert_dwelling(session, SYSTEM, DwellingIn(
        ref=ref, municipality=municipality, status=status, status_date=on, **extra))


def status(session, ref, new_status, on):
    services.change_dwelling_status(session, SYSTEM, StatusChangeIn(ref=ref, status=new_status, effective_on=on))


def participant(session, code, referred, referrer="Stadsteam Back Up", **extra):
    services.register_participant(session, SYSTEM, ParticipantIn(
        code=code, referrer=referrer, referred_on=referred, **extra))


def event(session, code, kind, on, outcome=None, dwelling_ref=None):
    services.record_event(session, SYSTEM, EventIn(
        code=code, event=kind, date=on, outcome=outcome, dwelling_ref=dwelling_ref))


def housed_person(session, code, ref, referred, moved_in, municipality="Utrecht"):
    """A participant referred, assessed eligible, matched and moved into a new dwelling `ref`."""
    dwelling(session, ref, "available", referred, municipality)
    participant(session, code, referred)
    event(session, code, "assessed", referred, "eligible")
    event(session, code, "matched", referred, dwelling_ref=ref)
    event(session, code, "housed", moved_in, dwelling_ref=ref)


# --- dwellings -----------------------------------------------------------------------------------

def test_status_change_on_the_as_of_date_counts_that_day(session):
    dwelling(session, "U-1", "searching", D(2021, 1, 1))
    status(session, "U-1", "location_found", D(2021, 2, 1))
    before = figures.dwelling_counts(session, D(2021, 1, 31))
    on_the_day = figures.dwelling_counts(session, D(2021, 2, 1))
    assert (before["counter"], before["pipeline"]) == (0, 1)
    assert (on_the_day["counter"], on_the_day["pipeline"], on_the_day["ambition"]) == (1, 0, 1)


def test_dwelling_that_did_not_exist_yet_counts_nowhere(session):
    dwelling(session, "U-1", "available", D(2021, 3, 1))
    dwelling(session, "Z-1", "searching", D(2021, 1, 10), municipality="Zeist")
    counts = figures.dwelling_counts(session, D(2021, 2, 28))
    assert counts["counter"] == 0 and counts["pipeline"] == 1
    by_municipality = figures.dwellings_by_municipality(session, D(2021, 2, 28))
    assert by_municipality["Utrecht"]["counter"] == 0  # listed with zeros: a partner since the launch
    assert by_municipality["Zeist"]["pipeline"] == 1
    assert "Utrechtse Heuvelrug" in by_municipality  # joined 2021-01-22


def test_statuses_counter_pipeline_and_withdrawn(session):
    for i, st in enumerate(["searching", "location_found", "available", "occupied", "withdrawn"]):
        dwelling(session, f"U-{i}", st, D(2021, 1, 5))
    counts = figures.dwelling_counts(session, D(2021, 1, 15))
    assert counts == {"searching": 1, "location_found": 1, "available": 1, "occupied": 1, "withdrawn": 1,
                      "counter": 3, "pipeline": 1, "ambition": 4}


def test_municipality_that_joins_later_is_listed_from_its_join_date(session):
    before = figures.dwellings_by_municipality(session, D(2021, 1, 15))
    after = figures.dwellings_by_municipality(session, D(2021, 2, 1))
    assert "Utrechtse Heuvelrug" not in before and len(before) == 7
    assert "Utrechtse Heuvelrug" in after and len(after) == 8


def test_filters_narrow_the_counts(session):
    dwelling(session, "U-1", "available", D(2021, 1, 5), corporation="Mitros", building_type="new_build",
             route="project")
    dwelling(session, "U-2", "available", D(2021, 1, 5), corporation="Portaal", route="scattered")
    mitros = figures.dwelling_counts(
        session, D(2021, 1, 15), scope=figures.DwellingFilter(corporation_id=_org_id(session, "Mitros")))
    scattered = figures.dwelling_counts(session, D(2021, 1, 15), scope=figures.DwellingFilter(route="scattered"))
    assert mitros["counter"] == 1 and scattered["counter"] == 1
    by_type = figures.dwelling_counts(session, D(2021, 1, 15), by="building_type")
    assert by_type["new_build"]["counter"] == 1 and by_type[None]["counter"] == 1


def test_trend_equals_the_counts_on_each_date(session):
    dwelling(session, "U-1", "searching", D(2021, 1, 1))
    dwelling(session, "U-2", "location_found", D(2021, 1, 1))
    status(session, "U-1", "location_found", D(2021, 2, 1))
    status(session, "U-2", "available", D(2021, 2, 1))
    status(session, "U-2", "withdrawn", D(2021, 3, 1))
    trend = figures.dwelling_trend(session, D(2021, 12, 31))
    assert [p["date"] for p in trend] == [D(2021, 1, 1), D(2021, 2, 1), D(2021, 3, 1)]
    for point in trend:
        assert {k: v for k, v in point.items() if k != "date"} == figures.dwelling_counts(session, point["date"])


def test_the_counter_over_time_starts_at_the_launch_with_what_was_counted_before_it(session):
    """The dwellings page drew the counter from 07-2019, climbing from 0, 1½ years before the
    launch (15-01-2021): the trend starts at the launch, the count recorded before it in its first point."""
    dwelling(session, "U-1", "available", D(2019, 7, 1))
    dwelling(session, "U-2", "occupied", D(2020, 3, 1))
    dwelling(session, "U-3", "searching", D(2021, 2, 1))
    trend = figures.counter_trend(session, D(2021, 5, 30))
    assert [p["date"] for p in trend] == [D(2021, 1, 15), D(2021, 2, 1)]
    assert (trend[0]["counter"], trend[0]["ambition"]) == (2, 2)  # counted before the launch: kept
    assert trend[-1] == {**figures.dwelling_counts(session, D(2021, 2, 1)), "date": D(2021, 2, 1)}


def test_the_counter_over_time_starts_at_the_first_month_counted_when_that_is_after_the_launch(session):
    dwelling(session, "U-1", "searching", D(2021, 3, 10))
    status(session, "U-1", "location_found", D(2021, 4, 2))
    trend = figures.counter_trend(session, D(2021, 5, 30))
    assert trend[0]["date"] == D(2021, 3, 1) and trend[0]["ambition"] == 0
    assert [p["counter"] for p in trend] == [0, 0, 1]
    assert figures.counter_trend(session, D(2021, 3, 5)) == []  # nothing counted by D: nothing drawn


def test_move_in_makes_the_dwelling_occupied_and_exit_available(session):
    housed_person(session, "P-1", "U-1", D(2021, 1, 5), D(2021, 2, 1))
    event(session, "P-1", "exited", D(2021, 6, 1), "negative")
    assert figures.dwelling_counts(session, D(2021, 1, 31))["available"] == 1
    assert figures.dwelling_counts(session, D(2021, 2, 1))["occupied"] == 1
    assert figures.dwelling_counts(session, D(2021, 6, 1))["available"] == 1


# --- the funnel ----------------------------------------------------------------------------------

def test_reassessment_from_not_eligible_to_eligible(session):
    participant(session, "P-1", D(2021, 1, 5))
    event(session, "P-1", "assessed", D(2021, 1, 10), "not_eligible")
    event(session, "P-1", "assessed", D(2021, 2, 10), "eligible")
    between = figures.funnel(session, D(2021, 2, 9))
    after = figures.funnel(session, D(2021, 2, 10))
    assert (between["assessed"], between["eligible"]) == (1, 0)
    assert (after["assessed"], after["eligible"]) == (1, 1)


def test_funnel_counts_each_step_on_or_before_the_date(session):
    housed_person(session, "P-1", "U-1", D(2021, 1, 5), D(2021, 2, 1))
    participant(session, "P-2", D(2021, 1, 20))
    event(session, "P-2", "assessed", D(2021, 1, 25), "eligible")
    event(session, "P-2", "withdrawn", D(2021, 2, 15), "verhuisd")
    participant(session, "P-3", D(2021, 3, 1))
    assert figures.funnel(session, D(2021, 1, 31)) == {
        "referred": 2, "assessed": 2, "eligible": 2, "matched": 1, "housed": 0, "housed_now": 0, "withdrawn": 0}
    assert figures.funnel(session, D(2021, 3, 1)) == {
        "referred": 3, "assessed": 2, "eligible": 2, "matched": 1, "housed": 1, "housed_now": 1, "withdrawn": 1}


def test_housed_now_after_an_exit_and_a_second_move_in(session):
    housed_person(session, "P-1", "U-1", D(2020, 1, 5), D(2020, 2, 1))
    event(session, "P-1", "exited", D(2020, 6, 1), "negative")
    dwelling(session, "U-2", "available", D(2020, 6, 10))
    event(session, "P-1", "matched", D(2020, 7, 1), dwelling_ref="U-2")
    event(session, "P-1", "housed", D(2020, 7, 15), dwelling_ref="U-2")
    assert figures.funnel(session, D(2020, 7, 1))["housed_now"] == 0
    f = figures.funnel(session, D(2020, 7, 15))
    assert (f["housed"], f["housed_now"]) == (1, 1)


def test_voided_event_counts_nowhere(session):
    housed_person(session, "P-1", "U-1", D(2021, 1, 5), D(2021, 2, 1))
    housed = [e for e in services.participant_events(session, services.participant_by_code(session, "P-1").id)
              if e.kind == "housed"][0]
    services.void_event(session, SYSTEM, housed.id, "entered for the wrong person")
    f = figures.funnel(session, D(2021, 3, 1))
    assert (f["matched"], f["housed"]) == (1, 0)
    assert figures.dwelling_counts(session, D(2021, 3, 1))["available"] == 1


def test_breakdown_by_referrer(session):
    participant(session, "P-1", D(2021, 1, 5), referrer="Stadsteam Back Up")
    participant(session, "P-2", D(2021, 1, 5), referrer="Lister", central_waiting_list=True)
    participant(session, "P-3", D(2021, 1, 5), referrer="Lister", central_waiting_list=False)
    by = figures.funnel(session, D(2021, 2, 1), by="referrer_id")
    assert by[_org_id(session, "Lister")]["referred"] == 2
    assert figures.central_waiting_list(session, D(2021, 2, 1)) == {"yes": 1, "no": 1, "unknown": 1}


# --- lead time -----------------------------------------------------------------------------------

def test_lead_time_median_and_p75_as_numpy_computes_them(session):
    lead_days = [10, 20, 30, 45]
    for i, days in enumerate(lead_days):
        referred = D(2021, 1, 1)
        housed_person(session, f"P-{i}", f"U-{i}", referred, referred + timedelta(days=days))
    lead = figures.lead_time(session, D(2021, 6, 1))
    assert lead.n == 4
    assert lead.median == pytest.approx(numpy.percentile(lead_days, 50)) == 25
    assert lead.p75 == pytest.approx(numpy.percentile(lead_days, 75)) == 33.75
    assert figures.lead_time(session, D(2021, 1, 5)).median is None  # nobody housed yet


def test_lead_time_counts_the_first_move_in_only(session):
    housed_person(session, "P-1", "U-1", D(2021, 1, 1), D(2021, 1, 31))
    event(session, "P-1", "exited", D(2021, 3, 1), "negative")
    dwelling(session, "U-2", "available", D(2021, 3, 2))
    event(session, "P-1", "matched", D(2021, 3, 5), dwelling_ref="U-2")
    event(session, "P-1", "housed", D(2021, 4, 1), dwelling_ref="U-2")
    lead = figures.lead_time(session, D(2021, 6, 1))
    assert (lead.n, lead.median) == (1, 30)


# --- retention at 12 months ----------------------------------------------------------------------

def test_housed_exactly_365_days_before_the_date_is_in_the_cohort(session):
    housed_person(session, "P-1", "U-1", D(2019, 12, 1), D(2020, 1, 1))
    # 2020 is a leap year: 2020-01-01 + 365 days = 2020-12-31.
    assert figures.retention_12m(session, D(2020, 12, 30)).cohort == 0
    at = figures.retention_12m(session, D(2020, 12, 31))
    assert (at.cohort, at.retained, at.rate) == (1, 1, 1.0)


def test_positive_exit_counts_as_retained(session):
    housed_person(session, "P-1", "U-1", D(2019, 12, 1), D(2020, 1, 1))
    event(session, "P-1", "exited", D(2020, 6, 1), "positive")
    r = figures.retention_12m(session, D(2021, 1, 31))
    assert (r.cohort, r.retained, r.rate) == (1, 1, 1.0)
    assert figures.funnel(session, D(2021, 1, 31))["housed_now"] == 0


def test_death_within_the_first_year_leaves_the_cohort(session):
    housed_person(session, "P-1", "U-1", D(2019, 12, 1), D(2020, 1, 1))
    event(session, "P-1", "exited", D(2020, 5, 1), "deceased")
    housed_person(session, "P-2", "U-2", D(2019, 12, 1), D(2020, 1, 1))
    event(session, "P-2", "exited", D(2020, 3, 1), "negative")
    r = figures.retention_12m(session, D(2021, 1, 31))
    assert (r.cohort, r.retained, r.rate) == (1, 0, 0.0)


def test_negative_exit_on_day_365_counts_and_on_day_366_does_not(session):
    housed_person(session, "P-1", "U-1", D(2019, 12, 1), D(2020, 1, 1))
    event(session, "P-1", "exited", D(2020, 12, 31), "negative")  # day 365
    housed_person(session, "P-2", "U-2", D(2019, 12, 1), D(2020, 1, 1))
    event(session, "P-2", "exited", D(2021, 1, 1), "negative")  # day 366
    housed_person(session, "P-3", "U-3", D(2019, 12, 1), D(2020, 1, 1))
    r = figures.retention_12m(session, D(2021, 3, 1))
    assert (r.cohort, r.retained) == (3, 2)
    assert r.rate == pytest.approx(2 / 3)


def test_retention_ignores_exits_after_the_date(session):
    housed_person(session, "P-1", "U-1", D(2019, 12, 1), D(2020, 1, 1))
    event(session, "P-1", "exited", D(2020, 12, 20), "negative")
    assert figures.retention_12m(session, D(2020, 12, 31)).retained == 0
    # Asked for a date before the exit was recorded to happen, the participant was still housed:
    # but that date is too early for the cohort, so the cohort is empty.
    assert figures.retention_12m(session, D(2020, 12, 19)).cohort == 0


def test_kaplan_meier_by_hand(session):
    start = D(2020, 1, 1)
    for i in range(4):
        housed_person(session, f"P-{i}", f"U-{i}", D(2019, 12, 1), start)
    event(session, "P-0", "exited", start + timedelta(days=100), "negative")
    event(session, "P-1", "exited", start + timedelta(days=50), "positive")  # censored at 50
    event(session, "P-2", "exited", start + timedelta(days=200), "negative")
    as_of = start + timedelta(days=300)  # P-3 censored at 300
    curve = figures.kaplan_meier(session, as_of)
    # At day 100: 3 at risk (P-1 left at 50), 1 event -> 2/3. At day 200: 2 at risk, 1 event -> 1/3.
    # The curve goes on to the longest follow-up (P-3, 300 days) at the last estimate.
    assert curve.days == [0, 100, 200, 300]
    assert curve.survival == pytest.approx([1.0, 2 / 3, 1 / 3, 1 / 3])
    assert curve.at_risk == [4, 3, 2, 1]
    assert (curve.events, curve.censored) == (2, 2)


# --- coalition, targets, the report --------------------------------------------------------------

def test_coalition_by_join_date(session):
    assert figures.coalition(session, D(2021, 1, 14)) == {
        "municipality": 0, "care_provider": 0, "housing_corporation": 0}
    assert figures.coalition(session, D(2021, 1, 15)) == {
        "municipality": 7, "care_provider": 5, "housing_corporation": 5}
    assert figures.coalition(session, D(2021, 2, 1)) == {
        "municipality": 8, "care_provider": 5, "housing_corporation": 6}


def test_targets_are_dated(session):
    administration.add_target(session, SYSTEM, {"key": "dwellings", "value": 220, "due_on": "2022-07-01",
                                                "valid_from": "2021-06-01"})
    session.flush()
    assert figures.targets(session, D(2021, 5, 31))["dwellings"].value == 200
    assert figures.targets(session, D(2021, 6, 1))["dwellings"].value == 220
    assert figures.targets(session, D(2020, 1, 1))["dwellings"].value == 200  # before any: the first


def test_report_has_every_key_of_the_spec(session):
    housed_person(session, "P-1", "U-1", D(2021, 1, 5), D(2021, 2, 1))
    report = build_report(session, D(2021, 3, 1))
    assert set(report) == {"as_of", "known_at", "demo", "coalition", "dwellings", "participants", "business_case"}
    assert report["known_at"] is None
    assert set(report["dwellings"]) == {"target", "target_date", "counter", "pipeline", "ambition",
                                        "by_status", "by_municipality", "pledged"}  # pledged: issue 23 (README)
    assert set(report["participants"]) == {"target", "funnel", "lead_time_days", "retention_12m", "recovery_12m"}
    assert set(report["participants"]["funnel"]) == {
        "referred", "assessed", "eligible", "matched", "housed", "housed_now", "withdrawn"}
    assert report["participants"]["retention_12m"] == {"rate": None, "cohort": 0, "target": 0.9, "ci95": None,
                                                       "verdict": "undecided"}
    assert report["participants"]["recovery_12m"] == {"rate": None, "cohort": 0, "measured": 0, "target": 0.9,
                                                      "ci95": None, "verdict": "undecided"}
    case = report["business_case"]
    assert {k: case[k] for k in ("per_payer", "total")} == {
        "per_payer": {}, "total": {"housing_first": None, "shelter": None, "difference": None}}
    # Issue 29: per group of participants (P-1 housed with no care provider, in a dwelling of no
    # building type), without parameters no amount.
    assert case["per_group"] == {by: {"": {"housed": 1, "participant_years": round(28 / 365.25, 4), "housing_first": None,
                                           "shelter": None, "difference": None}}
                                 for by in ("care_provider", "building_type")}
    assert report["participants"]["lead_time_days"] == {"median": 27.0, "p75": 27.0, "n": 1, "median_ci95": None}
    assert report["dwellings"]["by_municipality"]["Houten"] == {
        "counter": 0, "pipeline": 0, "searching": 0, "location_found": 0, "available": 0, "occupied": 0,
        "withdrawn": 0, "pledge": None, "on_track": None}  # pledge, on_track: spec, "Pledges"
    assert report["demo"] is False


def _org_id(session, name):
    return services.find_organisation(session, name, "org", "municipality", "care_provider",
                                      "housing_corporation", "referral").id


def test_lead_time_trend_is_the_median_per_month_of_first_move_in(session):
    referred = D(2021, 1, 1)
    for i, days in enumerate([10, 20, 90]):  # moved in in January, January, April
        housed_person(session, f"P-{i}", f"U-{i}", referred, referred + timedelta(days=days))
    trend = figures.lead_time_trend(session, D(2021, 6, 1))
    assert trend == [("2021-01", 15.0, 2), ("2021-04", 90.0, 1)]
    assert figures.lead_time_distribution(session, D(2021, 6, 1)) == [(0, 2), (90, 1)]
