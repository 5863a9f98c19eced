"""How sure a figure is (issue 29): the 95% interval of a share, of a median and of the
Kaplan–Meier curve, the verdict against a target read from the interval, and the log-rank test
between groups. The statistics come from well-kept libraries (scipy, lifelines), not our own code:

- a share k of n: the Wilson score interval, scipy.stats.binomtest(k, n).proportion_ci(method=
  "wilson") (no continuity correction; 1 of 2 gives 0.095–0.905). None for n = 0.
- a median of n values: the distribution-free interval from order statistics,
  scipy.stats.quantile_test(...).confidence_interval() (at least 95% coverage; none below 6 values,
  where no two order statistics cover the median with 95%).
- the Kaplan–Meier curve: lifelines.KaplanMeierFitter, its pointwise 95% interval from Greenwood's
  variance on the log(-log) scale (lifelines' "exponential Greenwood", which stays within 0 and 1).
- groups compared on survival: lifelines.statistics.multivariate_logrank_test (exploratory: no
  correction for the number of comparisons).

The verdict of a rate against a target (DESIGN.md: retention above 90%, recovery above 90%) is
"met" when the whole interval lies at or above the target, "not_met" when it lies wholly below it,
and "undecided" otherwise, or when there is no interval (nobody to count). The point estimate alone
never decides.

The libraries are imported when first used: lifelines takes a second to import, and a page or a
report that draws no curve should not pay it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

CONFIDENCE = 0.95
VERDICTS = ("met", "not_met", "undecided")
VERDICT_TEXTS = {"met": "verdict_met", "not_met": "verdict_not_met", "undecided": "verdict_undecided"}
Interval = tuple[float, float]


def wilson(k: int, n: int) -> Interval | None:
    """The 95% Wilson score interval of the share k / n (fractions 0..1), or None for n = 0.
    Raises ValueError for k outside 0..n."""
    if n == 0:
        return None
    if not 0 <= k <= n:
        raise ValueError(f"a share of {k} out of {n} is not a share")
    from scipy.stats import binomtest

    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return float(ci.low), float(ci.high)


def verdict(ci: Interval | None, target: float) -> str:
    """"met" when the interval lies at or above the target, "not_met" when wholly below it,
    else (or without an interval) "undecided"."""
    if ci is None:
        return "undecided"
    low, high = ci
    if low >= target - 1e-12:
        return "met"
    if high < target - 1e-12:
        return "not_met"
    return "undecided"


def median_interval(values: Sequence[float] | np.ndarray) -> Interval | None:
    """The 95% distribution-free interval of the median of `values` (order statistics), or None
    when there are too few values (under 6) to give one."""
    values = np.asarray(values, float)
    if len(values) == 0:
        return None
    from scipy.stats import quantile_test

    ci = quantile_test(values, q=float(np.median(values)), p=0.5).confidence_interval(CONFIDENCE)
    low, high = float(ci.low), float(ci.high)
    if math.isnan(low) or math.isnan(high) or math.isinf(low) or math.isinf(high):
        return None
    return low, high


def median_interval_of_counts(counts: Iterable[tuple[int, int]]) -> Interval | None:
    """median_interval of values given as (value, how often)."""
    pairs = list(counts)
    if not pairs:
        return None
    values, weights = zip(*pairs)
    return median_interval(np.repeat(np.asarray(values, float), np.asarray(weights, np.int64)))


# --- survival ---------------------------------------------------------------------------------------

@dataclass
class SurvivalFit:
    """A Kaplan–Meier curve: at each day a step (day 0 first), the estimate, its 95% Greenwood
    interval and the number at risk just before that day; `events` and `censored` in all."""

    days: list[int] = field(default_factory=list)
    survival: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    at_risk: list[int] = field(default_factory=list)
    events: int = 0
    censored: int = 0


def kaplan_meier(rows: Iterable[tuple[int, int, int]]) -> SurvivalFit:
    """The Kaplan–Meier estimate (lifelines) from rows of (days followed, 1 if the event happened
    on that day else 0 (censored), how many people): the curve steps at each day with an event and
    is carried on to the longest follow-up, so that a cohort without events still draws a line."""
    rows = [(int(d), int(e), int(n)) for d, e, n in rows if n]
    if not rows:
        return SurvivalFit(days=[0], survival=[1.0], lower=[1.0], upper=[1.0], at_risk=[0])
    days, events, weights = (np.array(column, np.int64) for column in zip(*rows))
    fitter = _fitter(days, events, weights)
    table = fitter.event_table
    at = np.asarray(table.index, float)
    observed = table["observed"].to_numpy()
    at_risk = table["at_risk"].to_numpy()
    # The estimate and its bounds on lifelines' timeline, read at the event table's days.
    where = np.searchsorted(np.asarray(fitter.survival_function_.index, float), at)
    survival = fitter.survival_function_.to_numpy()[where, 0]
    bounds = fitter.confidence_interval_survival_function_.to_numpy()[where]
    longest = int(days.max())
    steps = (observed > 0) | ((at == longest) & (at > 0))
    return SurvivalFit(days=[0, *at[steps].astype(int).tolist()], survival=[1.0, *survival[steps].tolist()],
                       lower=[1.0, *bounds[steps, 0].tolist()], upper=[1.0, *bounds[steps, 1].tolist()],
                       at_risk=[int(weights.sum()), *np.rint(at_risk[steps]).astype(int).tolist()],
                       events=int(weights[events == 1].sum()), censored=int(weights[events == 0].sum()))


def survival_every(fit: SurvivalFit, every: int = 30) -> list[tuple[int, float, float, float]]:
    """The curve read every `every` days from day 0 to the longest follow-up, as (day, estimate,
    lower, upper): the estimate of the last step on or before that day (the curve as a table of a
    readable length; at national size it has thousands of steps)."""
    if not fit.days:
        return []
    steps = np.asarray(fit.days)
    out = []
    for day in range(0, int(steps[-1]) + 1, every):
        i = int(np.searchsorted(steps, day, side="right")) - 1
        out.append((day, fit.survival[i], fit.lower[i], fit.upper[i]))
    return out


def _fitter(days: np.ndarray, events: np.ndarray, weights: np.ndarray):
    import warnings

    from lifelines import KaplanMeierFitter

    with warnings.catch_warnings():  # lifelines' own use of pandas' deprecated positional arguments
        warnings.simplefilter("ignore")
        return KaplanMeierFitter(alpha=1 - CONFIDENCE).fit(days, events, weights=weights)


@dataclass(frozen=True)
class LogRank:
    """The log-rank test of equal survival across groups: chi-squared statistic, degrees of freedom
    (groups - 1) and p-value. Exploratory."""

    statistic: float
    degrees_of_freedom: int
    p_value: float


def logrank(groups: np.ndarray, days: np.ndarray, events: np.ndarray, weights: np.ndarray) -> LogRank | None:
    """The log-rank test (lifelines) from rows of group code, days followed, 1 if the event else 0
    (censored) and how many people (arrays of one length); None with fewer than two groups or no
    event at all."""
    chosen = weights > 0
    groups, days, events, weights = groups[chosen], days[chosen], events[chosen], weights[chosen]
    if len(np.unique(groups)) < 2 or not events.any():
        return None
    import warnings

    from lifelines.statistics import multivariate_logrank_test

    with warnings.catch_warnings():  # lifelines' own use of pandas' deprecated positional arguments
        warnings.simplefilter("ignore")
        result = multivariate_logrank_test(days, groups, events, weights=weights)
    return LogRank(float(result.test_statistic), int(result.degrees_of_freedom), float(result.p_value))


# --- a rate as shown ---------------------------------------------------------------------------------

def interval_of_shown(rate) -> Interval | None:
    """The 95% interval of a rate as a reader is shown it (an eet.figures.disclosure.Rate): of the
    exact rate, k = rate × cohort of the cohort; of a band, the union of the intervals of every k
    the band allows (so that it tells no more than the band and the cohort); None where the cohort
    is hidden or nothing is measured."""
    n = rate.cohort
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        return None
    if rate.value is not None:
        return wilson(int(round(rate.value * n)), n)
    if rate.low is None:
        return None
    ks = range(math.ceil(rate.low * n - 1e-9), math.floor(rate.high * n + 1e-9) + 1)
    intervals = [wilson(k, n) for k in ks if 0 <= k <= n]
    if not intervals:
        return None
    return min(low for low, _ in intervals), max(high for _, high in intervals)


def interval_text(ci: Interval | None, target: float, lang: str) -> str:
    """"95%-betrouwbaarheidsinterval 75,8%–100%: nog niet te zeggen of het doel (90%) gehaald is.",
    or "" without an interval."""
    if ci is None:
        return ""
    from eet.texts import formatting as fmt
    from eet.texts import t

    aim = fmt.percent(target, lang, 0)
    return t("ci_caption", lang, low=fmt.percent(ci[0], lang), high=fmt.percent(ci[1], lang),
             verdict=t(VERDICT_TEXTS[verdict(ci, target)], lang, target=aim))


def conversion_intervals(shown_funnel: dict, conversion: dict, steps: tuple) -> dict[str, Interval | None]:
    """The 95% Wilson interval of each step's conversion (the step as a share of the step before
    it), from the counts as shown, only where the conversion itself is shown (both counts exact)."""
    out = {}
    for before, step in zip(steps, steps[1:]):
        shown = conversion.get(step) is not None
        out[step] = wilson(shown_funnel[step], shown_funnel[before]) if shown else None
    return out


def verdict_sentence(rate, lang: str) -> str:
    """The verdict of a rate as shown (a disclosure.Rate) against its target, from its interval
    (interval_text), or "" where there is no interval."""
    return interval_text(interval_of_shown(rate), rate.target, lang)


def range_text(ci: Interval | None, lang: str, percent: bool = True) -> str:
    """An interval in a table cell: "75,8–100%" (or "113–170" days), "–" without one."""
    from eet.texts import formatting as fmt

    if ci is None:
        return fmt.MISSING
    if percent:
        return f"{fmt.percent(ci[0], lang)}–{fmt.percent(ci[1], lang)}"
    return f"{fmt.number(ci[0], lang)}–{fmt.number(ci[1], lang)}"
