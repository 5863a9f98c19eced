"""Every figure of DESIGN.md at an as-of date, and how each role may see it.

The definitions live in `dwellings` and `participants`, counted from the histories that `timeline`
keeps per data version (`histories` reads them, `timeline_file` keeps them for the next process); the
pages, `python -m eet report` and the meeting pack read them from here. Beside them: `privacy`
(small-count suppression), `disclosure` (the rules that keep 1 to 4 people out of reach) and `shown`
(their one pass per date over everything a viewer sees), `progress` (forecast, changes, headlines), `participant_view`,
`research`, `business_case`, `registers`, `dwelling_table` and `report`.
"""

from eet.figures.dwellings import (
    TargetValue, coalition, counter_and_housed_at, counter_trend, dwelling_counts, dwelling_counts_by, dwelling_trend,
    dwelling_totals_and_municipalities, dwellings_by_municipality, municipalities, targets, with_totals,
)
from eet.figures.participants import (
    LeadTime, Retention, SurvivalCurve, central_waiting_list, funnel, funnel_breakdowns, kaplan_meier,
    lead_time, lead_time_counts, lead_time_distribution, lead_time_trend, lead_times,
    percentile_of_counts, retention_12m, withdrawals,
)
from eet.figures.query import (
    BREAKDOWNS, FUNNEL_STEPS, KNOWN_AT_KEY, MEMO_KEY, NO_DWELLING_FILTER, NO_PARTICIPANT_FILTER, RETENTION_DAYS,
    DwellingFilter, ParticipantFilter, as_known_at, known_at_of, memoised,
)

__all__ = [
    "TargetValue", "coalition", "counter_and_housed_at", "counter_trend", "dwelling_counts", "dwelling_counts_by",
    "dwelling_trend", "dwelling_totals_and_municipalities", "dwellings_by_municipality",
    "municipalities", "targets", "with_totals",
    "LeadTime", "Retention", "SurvivalCurve", "central_waiting_list", "funnel", "funnel_breakdowns",
    "kaplan_meier", "lead_time", "lead_time_counts", "lead_time_distribution", "lead_time_trend",
    "lead_times", "percentile_of_counts", "retention_12m", "withdrawals",
    "BREAKDOWNS", "FUNNEL_STEPS", "MEMO_KEY", "NO_DWELLING_FILTER", "NO_PARTICIPANT_FILTER",
    "RETENTION_DAYS", "DwellingFilter", "ParticipantFilter", "memoised",
    "KNOWN_AT_KEY", "as_known_at", "known_at_of",
]
