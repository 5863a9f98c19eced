"""How sure a figure is (issue 29), worked by hand: the Wilson interval of a share, the verdict
read from the interval at its edges, the median's interval, and a Kaplan–Meier curve with censoring
whose Greenwood interval is written out here and compared with lifelines' (through the figures, on
both backends)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from eet import figures
from eet.figures import uncertainty
from eet.figures.report import build_report
from tests.test_figures import event, housed_person

Z = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = p + Z * Z / (2 * n)
    spread = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - spread) / (1 + Z * Z / n), (centre + spread) / (1 + Z * Z / n)


def test_wilson_interval_of_one_of_two_is_0_095_to_0_905():
    low, high = uncertainty.wilson(1, 2)
    assert (round(low, 3), round(high, 3)) == (0.095, 0.905)


@pytest.mark.parametrize("k,n", [(0, 1), (1, 1), (0, 8), (7, 8), (12, 12), (11, 12), (95, 100), (180, 200)])
def test_wilson_interval_as_written_out(k, n):
    assert uncertainty.wilson(k, n) == pytest.approx(wilson_by_hand(k, n), abs=1e-12)


def test_wilson_interval_of_nobody_is_none_and_of_a_wrong_share_an_error():
    assert uncertainty.wilson(0, 0) is None
    with pytest.raises(ValueError):
        uncertainty.wilson(3, 2)


@pytest.mark.parametrize("ci,target,expected", [
    ((0.90, 0.99), 0.9, "met"),            # the low end on the target: met
    ((0.8999, 0.99), 0.9, "undecided"),     # just under it: cannot tell
    ((0.50, 0.8999), 0.9, "not_met"),       # the high end just under: not met
    ((0.50, 0.90), 0.9, "undecided"),       # the high end on the target: the rate may reach it
    ((0.7575, 1.0), 0.9, "undecided"),      # 12 of 12 retained
    ((0.0, 0.0), 0.0, "met"),
    (None, 0.9, "undecided"),               # nobody to count
])
def test_verdict_is_read_from_the_interval_at_its_edges(ci, target, expected):
    assert uncertainty.verdict(ci, target) == expected


def test_a_high_point_from_few_people_is_undecided_and_a_low_one_from_many_not_met():
    assert uncertainty.verdict(uncertainty.wilson(12, 12), 0.9) == "undecided"  # 100% of 12
    assert uncertainty.verdict(uncertainty.wilson(7, 8), 0.9) == "undecided"  # 87.5% of 8
    assert uncertainty.verdict(uncertainty.wilson(160, 200), 0.9) == "not_met"
    assert uncertainty.verdict(uncertainty.wilson(396, 400), 0.9) == "met"


def test_median_interval_from_order_statistics():
    # Six values: the 1st and 6th order statistics cover the median with 1 - 2/2^6 = 96.9%; no
    # narrower pair reaches 95% (2nd and 5th: 78.1%).
    assert uncertainty.median_interval([60, 10, 30, 20, 50, 40]) == (10.0, 60.0)
    assert uncertainty.median_interval([10, 20, 30, 40, 50]) is None  # at most 93.75%: none
    assert uncertainty.median_interval_of_counts([(10, 3), (20, 3)]) == (10.0, 20.0)


def greenwood_by_hand(survival: float, terms: list[tuple[int, int]]) -> tuple[float, float]:
    """The 95% interval on the log(-log) scale with Greenwood's variance sum d / (n (n - d))."""
    variance = sum(d / (n * (n - d)) for n, d in terms) / math.log(survival) ** 2
    centre = math.log(-math.log(survival))
    return (math.exp(-math.exp(centre + Z * math.sqrt(variance))),
            math.exp(-math.exp(centre - Z * math.sqrt(variance))))


def test_kaplan_meier_with_censoring_and_its_greenwood_interval(session):
    """Four people housed on one day: one leaves positively at day 50 (censored), negative exits at
    days 100 and 200, the fourth followed to day 300 (censored)."""
    start = date(2020, 1, 1)
    for i in range(4):
        housed_person(session, f"P-{i}", f"U-{i}", date(2019, 12, 1), start)
    event(session, "P-0", "exited", start + timedelta(days=100), "negative")
    event(session, "P-1", "exited", start + timedelta(days=50), "positive")
    event(session, "P-2", "exited", start + timedelta(days=200), "negative")
    curve = figures.kaplan_meier(session, start + timedelta(days=300))
    assert curve.days == [0, 100, 200, 300]
    assert curve.at_risk == [4, 3, 2, 1]
    assert curve.survival == pytest.approx([1, 2 / 3, 1 / 3, 1 / 3])
    at_100 = greenwood_by_hand(2 / 3, [(3, 1)])
    at_200 = greenwood_by_hand(1 / 3, [(3, 1), (2, 1)])
    assert curve.lower == pytest.approx([1, at_100[0], at_200[0], at_200[0]], abs=1e-12)
    assert curve.upper == pytest.approx([1, at_100[1], at_200[1], at_200[1]], abs=1e-12)
    assert (round(at_100[0], 3), round(at_100[1], 3)) == (0.054, 0.945)
    assert (curve.events, curve.censored) == (2, 2)


def test_report_gives_each_rate_its_interval_and_verdict(session):
    """Three housed a year before D, one left negatively: retention 2 of 3, Wilson 0.208-0.939,
    against 90%: undecided."""
    start = date(2020, 1, 1)
    for i in range(3):
        housed_person(session, f"P-{i}", f"U-{i}", date(2019, 12, 1), start)
    event(session, "P-0", "exited", start + timedelta(days=100), "negative")
    report = build_report(session, date(2021, 3, 1))
    retention = report["participants"]["retention_12m"]
    assert retention["ci95"] == pytest.approx(list(wilson_by_hand(2, 3)))
    assert retention["verdict"] == "undecided"
    # Nobody measured: judged is the one negative exit, not recovered; 0 of 1 is 0-0.793, wholly
    # below 90%: not met (a negative exit is no recovery, measured or not).
    assert report["participants"]["recovery_12m"]["ci95"] == pytest.approx(list(wilson_by_hand(0, 1)))
    assert report["participants"]["recovery_12m"]["verdict"] == "not_met"


def test_the_curve_as_a_table_reads_the_last_step_on_or_before_each_day():
    fit = uncertainty.kaplan_meier([(50, 0, 1), (100, 1, 1), (200, 1, 1), (300, 0, 1)])
    rows = uncertainty.survival_every(fit, every=100)
    assert [(day, round(v, 4)) for day, v, _, _ in rows] == [(0, 1.0), (100, 0.6667), (200, 0.3333), (300, 0.3333)]
    assert rows[1][2:] == (fit.lower[1], fit.upper[1])
