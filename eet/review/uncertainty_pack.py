"""The meeting pack's share of issue 29: how sure the headline rates are (their 95% interval and the
verdict that follows from it) and the outcomes by group, as tables (html and xlsx) and, in the html,
one chart per grouping with its sentence. A suppressed pack shows what a viewer sees (the shown
rate's interval, eet.figures.uncertainty.interval_of_shown; the groups of disclosure rule 7); an
exact one what a researcher sees, with the log-rank test.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from eet import figures
from eet.figures import disclosure, group_tables, groups, uncertainty
from eet.figures.privacy import small
from eet.figures.recovery import recovery_12m, recovery_rate
from eet.review.tables import Percent, Table
from eet.texts import label, t


# The pack's table (and xlsx sheet) of each grouping.
GROUP_TABLES = {"care_provider": "groups_care_provider", "route": "groups_route", "building_type": "groups_building_type",
                "municipality": "groups_municipality", "age_band": "groups_age_band",
                "central_waiting_list": "groups_central_waiting_list"}


def uncertainty_figures(session: Session, as_of: date, suppressed: bool) -> dict:
    """Retention, recovery and lead time at D, and every grouping as the pack shows it."""
    goal = figures.targets(session, as_of).get("retention")
    target = goal.value if goal else 0.9
    retention = figures.retention_12m(session, as_of, target=target)
    by = {name: (groups.viewer_outcomes(session, as_of, name, target) if suppressed
                 else groups.outcomes_by(session, as_of, name, target)) for name in groups.GROUPINGS}
    return {"retention": retention, "recovery": recovery_12m(session, as_of),
            "lead": figures.lead_time(session, as_of), "groups": by, "suppressed": suppressed}


def uncertainty_table(data: dict, lang: str) -> Table:
    """Per headline rate: as shown, its 95% interval and the verdict; the median lead time with
    its interval (for a viewer only where its n is not small)."""
    hide = data["suppressed"]
    r, rec, lead = data["retention"], data["recovery"], data["lead"]
    rows = []
    for name, shown in ((t("retention", lang), disclosure.retention(r.rate, r.cohort, r.target, hide)),
                        (t("recovery_rate", lang), recovery_rate(rec, hide))):
        ci = uncertainty.interval_of_shown(shown)
        value = Percent(shown.value) if shown.value is not None else (
            disclosure.rate_text(shown, lang) if shown.low is not None else None)
        rows.append([name, value, uncertainty.range_text(ci, lang),
                     label("verdict", uncertainty.verdict(ci, shown.target), lang) if ci else None])
    lead_shown = lead.n and not (hide and small(lead.n))
    rows.append([t("col_lead_median", lang), lead.median if lead_shown else None,
                 uncertainty.range_text(lead.median_ci if lead_shown else None, lang, percent=False), None])
    return Table("uncertainty", t("pack_uncertainty", lang),
                 [t("figure", lang), t("now", lang), t("ci_column", lang), t("verdict_column", lang)], rows,
                 note=t("pack_uncertainty_note", lang))


def group_table(grouping: groups.Grouping, lang: str, exact: bool) -> Table:
    """One grouping as a table of the pack: shares as percentages, intervals and verdicts as text."""
    keys, titles, rows = group_tables.table(grouping, lang, exact)

    def cell(key: str, value):
        return value if isinstance(value, int) or key == "group" else group_tables.cell_text(key, value, lang)

    notes = group_tables.notes(grouping, lang)
    if exact and not grouping.withheld:
        notes.append(group_tables.logrank_text(grouping, lang))
    return Table(GROUP_TABLES[grouping.by], label("grouping", grouping.by, lang), titles if grouping.groups else [],
                 [[cell(k, v) for k, v in zip(keys, row)] for row in rows], note=" ".join(notes) or None)


def tables(data: dict | None, lang: str) -> list[Table]:
    """The uncertainty table, then one table per grouping."""
    if not data:
        return []
    exact = not data["suppressed"]
    return [uncertainty_table(data, lang),
            *(group_table(grouping, lang, exact) for grouping in data["groups"].values())]


def charts(data: dict | None, lang: str) -> list[tuple[str, str, object]]:
    """(key, sentence, figure) per grouping with groups: retention by group with its interval."""
    from eet.charts.research import group_intervals

    if not data:
        return []
    target = data["retention"].target
    out = []
    for by, grouping in data["groups"].items():
        if grouping.groups:
            rows = group_tables.chart_rows(grouping, "retention", lang)
            if any(value is not None for _, value, _ in rows):
                out.append((GROUP_TABLES[by], group_tables.chart_text(grouping, "retention", lang),
                            group_intervals(rows, lang, target, True)))
    return out


def chart_title(key: str, lang: str) -> str:
    by = next(name for name, table in GROUP_TABLES.items() if table == key)
    return f'{t("groups_chart_retention", lang)}: {label("grouping", by, lang).lower()}'

