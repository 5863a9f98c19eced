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

SHARES = ("retention", "recovery")  # shown as a percentage with its interval in brackets


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
    keys = ["group", *(["housed"] if exact else []), "cohort", "retention", "retention_verdict"]
    if grouping.recovery_shown:
        keys += ["judged", "recovery", "recovery_verdict"]
    return keys + ["lead"]


TITLES = {"group": "group_column", "housed": "col_housed_n", "cohort": "col_cohort_n", "retention": "col_retention_ci",
          "retention_verdict": "col_retention_verdict", "judged": "col_judged_n", "recovery": "col_recovery_ci",
          "recovery_verdict": "col_recovery_verdict", "lead": "col_lead_ci"}


def titles(keys: list[str], lang: str) -> list[str]:
    return [t(TITLES[key], lang) for key in keys]


def row(grouping: Grouping, group: GroupOutcome, lang: str) -> dict:
    """A group's raw values by column key: counts, (estimate, interval) pairs, verdict codes."""
    return {"group": group_name(grouping.by, group.key, lang), "housed": group.housed, "cohort": group.cohort,
            "retention": (group.retention, group.retention_ci),
            "retention_verdict": group.retention_verdict if group.cohort else None,
            "judged": group.judged, "recovery": (group.recovery, group.recovery_ci),
            "recovery_verdict": group.recovery_verdict if group.judged else None,
            "lead": (group.lead_median, group.lead_ci)}


def table(grouping: Grouping, lang: str, exact: bool) -> tuple[list[str], list[str], list[list]]:
    """(column keys, titles, rows of raw values in the columns' order)."""
    keys = columns(grouping, exact)
    return keys, titles(keys, lang), [[row(grouping, g, lang)[k] for k in keys] for g in grouping.groups]


def cell_text(key: str, value, lang: str) -> str:
    """A raw cell as a reader sees it: "87,5% (52,9–97,8%)", "156 (136–170)", "nog niet te zeggen"."""
    if value is None:
        return fmt.MISSING
    if key in (*SHARES, "lead"):
        estimate, ci = value
        if estimate is None:
            return fmt.MISSING
        if key == "lead":
            shown = fmt.number(estimate, lang, 1) if estimate % 1 else fmt.number(estimate, lang)
            return shown + (f" ({uncertainty.range_text(ci, lang, percent=False)})" if ci else "")
        return f"{fmt.percent(estimate, lang)} ({uncertainty.range_text(ci, lang)})"
    if key.endswith("_verdict"):
        return label("verdict", value, lang)
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

    if lowest[1] == highest[1]:
        return t("groups_chart_text_same", lang, measure=t(CHART_TITLES[measure], lang),
                 value=value(lowest[1]), groups=fmt.number(len(rows), lang))
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
