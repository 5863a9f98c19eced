"""Outcomes by group (issue 29): retention, recovery and lead time per care provider, route,
building type, municipality, age band and central waiting list, each with its n and 95% interval,
and the log-rank test; exact for researchers, as disclosure rule 7 allows for a viewer. On a history
worked by hand (both backends), on the demo and on a synthetic history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from eet import figures
from eet.accounts.access import Actor
from eet.demo.synth import synthesise
from eet.figures import disclosure, groups, uncertainty
from eet.figures.groups import OTHER
from eet.figures.privacy import small
from eet.figures.recovery import recovery_12m
from tests.test_figures import dwelling, event, participant
from tests.test_uncertainty import wilson_by_hand

START = date(2020, 1, 1)
AS_OF = date(2021, 6, 1)
VIEWER, RESEARCHER = Actor("stuurgroep", "viewer"), Actor("onderzoeker", "researcher")
COORDINATOR = Actor("coord", "coordinator", 1)


def person(session, i: int, provider: str, route: str, building: str, age: str, waiting: bool, lead: int,
           exit_after: int | None = None, outcome: str = "negative"):
    code, ref = f"P-{i}", f"U-{i}"
    referred = START
    dwelling(session, ref, "available", referred, "Zeist" if i % 2 else "Utrecht", route=route,
             building_type=building)
    participant(session, code, referred, care_provider=provider, central_waiting_list=waiting, age_band=age)
    event(session, code, "assessed", referred, "eligible")
    event(session, code, "matched", referred, dwelling_ref=ref)
    event(session, code, "housed", referred + timedelta(days=lead), dwelling_ref=ref)
    if exit_after is not None:
        event(session, code, "exited", referred + timedelta(days=lead + exit_after), outcome)


@pytest.fixture
def history(session):
    """Eight people housed in 2020: Kwintes' four in scattered existing dwellings, one leaving
    negatively after 100 days; Lister's four in project new builds, two leaving negatively after 50
    and 200 days, and one housed only in 2021 (outside the retention cohort)."""
    for i, lead in enumerate((10, 20, 30, 40)):
        person(session, i, "Kwintes", "scattered", "existing", "23-29", True, lead,
               exit_after=100 if i == 0 else None)
    for i, (lead, gone) in enumerate(((15, 50), (25, 200), (35, None), (400, None)), start=4):
        person(session, i, "Lister", "project", "new_build", "50-64", i % 2 == 0, lead, exit_after=gone)
    return session


def test_retention_and_lead_time_per_care_provider_worked_by_hand(history):
    result = groups.outcomes_by(history, AS_OF, "care_provider")
    by = {g.key: g for g in result.groups}
    assert list(by) == ["Kwintes", "Lister"]  # four housed each; then by name
    kwintes, lister = by["Kwintes"], by["Lister"]
    assert (kwintes.housed, kwintes.cohort, kwintes.retained) == (4, 4, 3)
    assert (lister.housed, lister.cohort, lister.retained) == (4, 3, 1)  # the fourth moved in 2021-02-04
    assert kwintes.retention_ci == pytest.approx(wilson_by_hand(3, 4))
    assert lister.retention_ci == pytest.approx(wilson_by_hand(1, 3))
    assert (kwintes.retention_verdict, lister.retention_verdict) == ("undecided", "not_met")
    assert kwintes.lead_median == 25.0 and lister.lead_median == 30.0
    assert kwintes.lead_ci is None  # four values give no 95% interval of a median


def test_route_building_type_and_municipality_come_from_the_dwelling_of_the_first_move_in(history):
    route = {g.key: g.housed for g in groups.outcomes_by(history, AS_OF, "route").groups}
    building = {g.key: g.cohort for g in groups.outcomes_by(history, AS_OF, "building_type").groups}
    municipality = {g.key: g.housed for g in groups.outcomes_by(history, AS_OF, "municipality").groups}
    waiting = {g.key: g.housed for g in groups.outcomes_by(history, AS_OF, "central_waiting_list").groups}
    ages = {g.key: g.housed for g in groups.outcomes_by(history, AS_OF, "age_band").groups}
    assert route == {"scattered": 4, "project": 4}
    assert building == {"existing": 4, "new_build": 3}
    assert municipality == {"Utrecht": 4, "Zeist": 4}
    assert waiting == {"yes": 6, "no": 2}
    assert ages == {"23-29": 4, "50-64": 4}


def test_groups_add_up_to_the_headline_figures(history):
    retention, lead = figures.retention_12m(history, AS_OF), figures.lead_time(history, AS_OF)
    recovery = recovery_12m(history, AS_OF)
    for by in groups.GROUPINGS:
        rows = groups.outcomes_by(history, AS_OF, by).groups
        assert sum(g.cohort for g in rows) == retention.cohort, by
        assert sum(g.retained for g in rows) == retention.retained, by
        assert sum(g.housed for g in rows) == lead.n, by
        assert sum(g.judged for g in rows) == recovery.judged, by


def test_log_rank_across_care_providers_is_lifelines_on_the_same_follow_up(history):
    from lifelines.statistics import logrank_test

    test = groups.outcomes_by(history, AS_OF, "care_provider").logrank
    housed = {0: START + timedelta(days=10), 1: START + timedelta(days=20), 2: START + timedelta(days=30),
              3: START + timedelta(days=40), 4: START + timedelta(days=15), 5: START + timedelta(days=25),
              6: START + timedelta(days=35), 7: START + timedelta(days=400)}
    end = {0: 100, 4: 50, 5: 200}
    durations = [end.get(i, (AS_OF - housed[i]).days) for i in range(8)]
    events = [i in end for i in range(8)]
    expected = logrank_test(durations[:4], durations[4:], events[:4], events[4:])
    assert test.degrees_of_freedom == 1
    assert test.statistic == pytest.approx(expected.test_statistic)
    assert test.p_value == pytest.approx(expected.p_value)


def test_researchers_and_the_admin_see_exact_groups_others_the_rule(history):
    exact = groups.outcomes_for(history, RESEARCHER, AS_OF, "care_provider")
    assert exact.logrank is not None and [g.key for g in exact.groups] == ["Kwintes", "Lister"]
    for actor in (VIEWER, COORDINATOR):
        shown = groups.outcomes_for(history, actor, AS_OF, "care_provider")
        assert shown.withheld and shown.groups == [] and shown.logrank is None  # 1 and 2 people left


def test_an_unknown_grouping_is_refused(history):
    with pytest.raises(ValueError, match="not a grouping"):
        groups.outcomes_by(history, AS_OF, "shoe_size")


# --- disclosure rule 7 ------------------------------------------------------------------------------

def test_a_group_with_a_small_count_is_combined_and_a_small_combination_takes_the_smallest_group():
    rows = {"A": (40, 30, 25, 5), "B": (20, 12, 12, 0), "C": (3, 3, 3, 0), "D": (7, 5, 5, 0)}
    # C has 3 people: combined; alone it would still be small, so D (the fewest housed) joins it.
    assert disclosure.pool_groups(rows, hide=True, limit=5) == (["A", "B"], ["C", "D"])
    assert disclosure.pool_groups(rows, hide=False, limit=5) == (list(rows), [])


def test_a_grouping_whose_only_safe_combination_is_everyone_is_withheld():
    rows = {"A": (10, 10, 9, 1), "B": (10, 10, 10, 0)}
    assert disclosure.pool_groups(rows, hide=True, limit=5) == ([], ["A", "B"])


def test_recovery_by_group_is_withheld_where_it_gives_a_small_count_back():
    assert disclosure.recovery_groups_shown([(10, 5), (6, 0)], cohort=30, measured=16, limit=5)
    assert not disclosure.recovery_groups_shown([(10, 5), (6, 3)], cohort=30, measured=16, limit=5)
    assert not disclosure.recovery_groups_shown([(10, 5), (6, 0)], cohort=30, measured=13, limit=5)  # 3 unmeasured exits
    assert not disclosure.recovery_groups_shown([(10, 5), (6, 0)], cohort=18, measured=16, limit=5)  # 2 not judged


def _viewer_rows_are_safe(session, as_of):
    retention, lead = figures.retention_12m(session, as_of), figures.lead_time(session, as_of)
    shown_any = False
    for by in groups.GROUPINGS:
        grouping = groups.viewer_outcomes(session, as_of, by)
        if grouping.withheld:
            assert grouping.groups == []
            continue
        shown_any = shown_any or bool(grouping.groups)
        for g in grouping.groups:
            for n in (g.housed, g.cohort, g.retained, g.cohort - g.retained):
                assert not small(n), (by, g)
            if grouping.recovery_shown:
                assert not any(small(n) for n in (g.judged, g.recovered, g.judged - g.recovered)), (by, g)
        # Every participant is in a shown row or in "other": the rows still add up to the totals.
        assert sum(g.cohort for g in grouping.groups) == retention.cohort
        assert sum(g.housed for g in grouping.groups) == lead.n
        assert sum(g.key == OTHER for g in grouping.groups) <= 1
    return shown_any


def test_the_demo_groups_for_a_viewer_follow_rule_7(demo_engine):
    with Session(demo_engine) as session:
        for as_of in (date(2021, 3, 1), date(2021, 5, 30), date(2022, 3, 1), date.today()):
            _viewer_rows_are_safe(session, as_of)


def test_groups_on_a_synthetic_history(engine):
    synthesise(engine, participants=3000, seed=29, end=date(2023, 12, 31))
    as_of = date(2023, 12, 31)
    with Session(engine) as session:
        assert _viewer_rows_are_safe(session, as_of)  # at this size a viewer sees groups
        retention = figures.retention_12m(session, as_of)
        for by in groups.GROUPINGS:
            exact = groups.outcomes_by(session, as_of, by)
            assert sum(g.cohort for g in exact.groups) == retention.cohort
            for g in exact.groups:
                assert g.retention_ci == (uncertainty.wilson(g.retained, g.cohort))
                if g.retention_ci:
                    assert g.retention_ci[0] <= g.retention <= g.retention_ci[1]
                if g.lead_ci:
                    assert g.lead_ci[0] <= g.lead_median <= g.lead_ci[1]
        assert groups.outcomes_by(session, as_of, "care_provider").logrank.degrees_of_freedom >= 1


def test_the_group_chart_draws_each_interval_and_keeps_it_and_the_target_in_view():
    from eet.charts.research import group_intervals

    rows = [("A", 0.904, (0.898, 0.909)), ("B", 0.91, (0.905, 0.915)), ("C", None, None)]
    fig = group_intervals(rows, "nl", 0.9, True)
    dots = fig.data[0]
    assert list(dots.y) == ["A", "B"]  # a group without an estimate is left out
    assert [v - low for v, low in zip(dots.x, dots.error_x.arrayminus)] == pytest.approx([0.898, 0.905])
    assert [v + high for v, high in zip(dots.x, dots.error_x.array)] == pytest.approx([0.909, 0.915])
    start, end = fig.layout.xaxis.range
    assert start <= 0.898 and 0.9 > start and end >= 1.0
    assert start > 0.5  # narrow intervals of many people are not squeezed onto 0-100%
