"""Outcomes by group as a reader sees them (issue 29): the table, the chart's rows and the sentences
of one grouping (eet.figures.groups), in a language. The research page and the meeting pack both
draw from here, so that they show the same columns and words.

A table is (column keys, column titles, rows); a row holds raw values by column key: counts as
int, shares as float (0..1), days as float, intervals as (low, high), verdicts as a code of
eet.figures.uncertainty.VERDICTS, the group's name as text. `cell_text` writes one for the page.
"""

from __future__ import annotations

from eet.figures import uncertainty
from eet.figures.groups import OTHER, Grouping, GroupOutcome
from eet.figures.privacy import threshold
from eet.texts import formatting as fmt
from eet.texts import label, t

SHARES = ("retention", "recovery")
INTERVALS = {"retention_ci": True, "recovery_ci": True, "lead_ci": False}  # key: a share (else days)


def group_name(by: str, key, lang: str) -> str:
    """The name of a group: an organisation's name, a route, building type or age band, yes/no,
    "not recorded", or "other groups together"."""
    if key is None:
        return t("not_recorded", lang)
    if key == OTHER:
        return t("group_other", lang)
    if by in ("route", "building_type"):
        return label(by, key, lang)
    if by == "central_waiting_list":
        return t("yes" if key == "yes" else "no", lang)
    return str(key)


def columns(grouping: Grouping, exact: bool) -> list[str]:
    """The column keys of the grouping's table: the count housed only in the exact table (a
    viewer reads those in the participants page's breakdowns), recovery only where shown."""
    keys = ["group", *(["housed"] if exact else []), "cohort", "retention", "retention_ci", "retention_verdict"]
    if grouping.recovery_shown:
        keys += ["judged", "recovery", "recovery_ci", "recovery_verdict"]
    return keys + ["lead_median", "lead_ci"]


TITLES = {"group": "group_column", "housed": "col_housed_n", "cohort": "col_cohort_n", "retention": "retention",
          "retention_ci": "ci_column", "retention_verdict": "verdict_column", "judged": "col_judged_n",
          "recovery": "recovery_rate", "recovery_ci": "ci_column", "recovery_verdict": "verdict_column",
          "lead_median": "col_lead_median", "lead_ci": "ci_column"}


def titles(keys: list[str], lang: str) -> list[str]:
    """Column titles; a second "95% interval" or "Target" says which figure it belongs to."""
    out = []
    for key in keys:
        title = t(TITLES[key], lang)
        if key.endswith(("_ci", "_verdict")) and key.split("_")[0] != "lead":
            title = f"{title} ({t(TITLES[key.split('_')[0]], lang).lower()})"
        elif key == "lead_ci":
            title = f"{title} ({t('days', lang).lower()})"
        out.append(title)
    return out


def row(grouping: Grouping, group: GroupOutcome, lang: str) -> dict:
    return {"group": group_name(grouping.by, group.key, lang), "housed": group.housed, "cohort": group.cohort,
            "retention": group.retention, "retention_ci": group.retention_ci,
            "retention_verdict": group.retention_verdict if group.cohort else None,
            "judged": group.judged, "recovery": group.recovery, "recovery_ci": group.recovery_ci,
            "recovery_verdict": group.recovery_verdict if group.judged else None,
            "lead_median": group.lead_median, "lead_ci": group.lead_ci}


def table(grouping: Grouping, lang: str, exact: bool) -> tuple[list[str], list[str], list[list]]:
    """(column keys, titles, rows of raw values in the columns' order)."""
    keys = columns(grouping, exact)
    return keys, titles(keys, lang), [[row(grouping, g, lang)[k] for k in keys] for g in grouping.groups]


def cell_text(key: str, value, lang: str) -> str:
    """A raw cell as the page shows it."""
    if value is None:
        return fmt.MISSING
    if key in SHARES:
        return fmt.percent(value, lang)
    if key in INTERVALS:
        return uncertainty.range_text(value, lang, percent=INTERVALS[key])
    if key.endswith("_verdict"):
        return label("verdict", value, lang)
    if key == "lead_median":
        return fmt.number(value, lang, 1) if value % 1 else fmt.number(value, lang)
    if key == "group":
        return value
    return fmt.number(value, lang)


def chart_rows(grouping: Grouping, measure: str, lang: str) -> list[tuple[str, float | None, tuple | None]]:
    """(group name, estimate, interval) for the chart of `measure`: retention, recovery or lead."""
    get = {"retention": lambda g: (g.retention, g.retention_ci), "recovery": lambda g: (g.recovery, g.recovery_ci),
           "lead": lambda g: (g.lead_median, g.lead_ci)}[measure]
    return [(group_name(grouping.by, g.key, lang), *get(g)) for g in grouping.groups]


CHART_TITLES = {"retention": "groups_chart_retention", "recovery": "groups_chart_recovery", "lead": "groups_chart_lead"}


def chart_text(grouping: Grouping, measure: str, lang: str) -> str:
    """The chart in one sentence: the lowest and the highest group and how many groups."""
    rows = [r for r in chart_rows(grouping, measure, lang) if r[1] is not None]
    if not rows:
        return ""
    lowest, highest = min(rows, key=lambda r: r[1]), max(rows, key=lambda r: r[1])

    def value(v: float) -> str:
        return fmt.number(v, lang) if measure == "lead" else fmt.percent(v, lang)

    return t("groups_chart_text", lang, measure=t(CHART_TITLES[measure], lang), lowest=lowest[0],
             lowest_value=value(lowest[1]), highest=highest[0], highest_value=value(highest[1]),
             groups=fmt.number(len(rows), lang))


def logrank_text(grouping: Grouping, lang: str) -> str:
    test = grouping.logrank
    if test is None:
        return t("groups_logrank_none", lang)
    return t("groups_logrank", lang, statistic=fmt.number(test.statistic, lang, 2),
             dof=fmt.number(test.degrees_of_freedom, lang), p=fmt.number(test.p_value, lang, 3))


def notes(grouping: Grouping, lang: str) -> list[str]:
    """What a reader must know beside the table: withheld, combined groups, recovery withheld."""
    if grouping.withheld:
        return [t("groups_withheld", lang, n=threshold())]
    out = []
    for g in grouping.groups:
        if g.key == OTHER and g.members:
            out.append(t("groups_other_caption", lang, n=threshold(),
                         names=", ".join(group_name(grouping.by, k, lang) for k in g.members)))
    if not grouping.recovery_shown:
        out.append(t("groups_recovery_withheld", lang, n=threshold()))
    return out
