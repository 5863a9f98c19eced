"""Onderzoek: the living lab's indicators: retention at 12 months with a Kaplan-Meier curve,
participants housed against 200, the business case from entered cost parameters, success and
failure factors by domain, and open bottlenecks."""

import streamlit as st

from ui import forms as fx
import ui
from ui import style
from eet.charts import base as charts
from eet.texts import formatting as fmt
from eet.figures.research import sees_survival_curve
from eet.texts import label, t
from eet.store.models import FACTOR_DOMAINS
from eet.figures import research
from eet.figures import registers
from eet.figures import progress
from eet.figures import business_case
from eet.figures import uncertainty

actor, lang, as_of = ui.context()
st.title(t("page_research", lang) + " · " + fmt.long_date(as_of, lang))
ui.demo_banner(lang)

# The headline as this actor may see it: small counts of people suppressed for viewers (eet.figures.privacy).
head = ui.read(progress.headline, actor, as_of)

cols = st.columns(2)
fx.retention_metric(cols[0], head, lang)
cols[1].metric(t("housed_vs_target", lang), fmt.number(head.housed, lang) + " / "
               + fmt.number(head.participants_target, lang), border=True)

# The survival curve is for researchers and the admin (eet.research refuses every other role).
if sees_survival_curve(actor):
    st.subheader(t("kaplan_meier", lang))
    curve = ui.read(research.survival_curve, actor, as_of)
    if curve.at_risk[0] == 0:
        st.info(t("km_empty", lang))
    else:
        style.chart(ui.built(charts.kaplan_meier, curve.days, curve.survival, head.retention_target, lang,
                             365, curve.lower, curve.upper, key=(actor, as_of)), key="km_chart")
        st.caption(t("km_caption", lang, events=fmt.number(curve.events, lang), censored=fmt.number(curve.censored, lang)) + " "
                   + t("km_interval_caption", lang))
        with st.expander(t("km_table", lang)):
            every = uncertainty.survival_every(curve)
            fx.dataframe({
                t("days_since_move_in_short", lang): [fmt.number(d, lang) for d, *_ in every],
                t("still_housed", lang): [fmt.percent(v, lang) for _, v, _, _ in every],
                t("ci_column", lang): [uncertainty.range_text((low, high), lang) for _, _, low, high in every],
            }, hide_index=True, key="km_table")

st.subheader(t("business_case", lang))
case = ui.read(business_case.business_case, as_of)
if not case.parameters:
    st.info(t("business_case_empty", lang))
else:
    if case.missing:
        st.warning(t("business_case_partial", lang,
                     missing=", ".join(label("cost_model", m, lang) for m in case.missing)))
    else:
        left, right = st.columns([2, 3], gap="large")
        with left:
            style.chart(charts.cost_comparison(case.hf_recurring, case.hf_one_off_spread, case.shelter, lang),
                            key="cost_chart")
        with right:
            difference = case.difference
            verdict = t("bc_cheaper" if difference >= 0 else "bc_dearer", lang, diff=fmt.euro(abs(difference), lang))
            st.markdown(t("bc_summary", lang, hf=fmt.euro(case.housing_first, lang),
                          shelter=fmt.euro(case.shelter, lang), verdict=verdict))
            if case.hf_one_off_per_participant:
                st.caption(t("bc_one_off_note", lang, one_off=fmt.euro(case.hf_one_off_per_participant, lang),
                             housed=fmt.number(head.housed, lang), years=fmt.figure(case.participant_years, lang)))
    st.markdown("**" + t("cost_parameters_sources", lang) + "**")
    fx.dataframe({
        t("model", lang): [label("cost_model", p["model"], lang) for p in case.parameters],
        t("category", lang): [label("cost_category", p["category"], lang) for p in case.parameters],
        t("label", lang): [p["label"] for p in case.parameters],
        t("amount", lang): [fmt.euro(p["amount_eur"], lang) for p in case.parameters],
        t("unit", lang): [label("cost_unit", p["unit"], lang) for p in case.parameters],
        t("source", lang): [p["source"] for p in case.parameters],
        t("valid_from", lang): [fmt.short_date(p["valid_from"], lang) for p in case.parameters],
    }, hide_index=True, key="cost_table")
    if ui.demo_data():
        st.caption(t("demo_costs_note", lang))

st.subheader(t("factors", lang))
factors = ui.read(registers.factors_by_domain, as_of)
for column, domain in zip(st.columns(len(FACTOR_DOMAINS), gap="medium"), FACTOR_DOMAINS):
    with column:
        st.markdown("**" + label("domain", domain, lang) + "**")
        if not factors.get(domain):
            st.caption(t("factors_empty", lang))
        for factor in factors.get(domain, []):
            icon = ":material/check_circle:" if factor["kind"] == "success" else ":material/warning:"
            st.markdown(f"{icon} {label('factor_kind', factor['kind'], lang)}: {fmt.plain(factor['description'])}")
            st.caption(fmt.plain(f"{fmt.short_date(factor['observed_on'], lang)} · {factor['source'] or ''}"))

st.subheader(t("bottlenecks_open", lang))
bottlenecks = ui.read(registers.open_bottlenecks, as_of)
if not bottlenecks:
    st.info(t("bottlenecks_empty", lang))
else:
    fx.dataframe({
        t("title", lang): [b["title"] for b in bottlenecks],
        t("domain", lang): [label("domain", b["domain"], lang) for b in bottlenecks],
        t("owner", lang): [b["owner"] or "–" for b in bottlenecks],
        t("status", lang): [label("bottleneck_status", b["status"], lang) for b in bottlenecks],
        t("raised_on", lang): [fmt.short_date(b["raised_on"], lang) for b in bottlenecks],
    }, hide_index=True, key="bottleneck_table")

# --- issue 17: the living lab's two research questions, answered ---------------------------------
from eet.charts import research as research_charts  # noqa: E402
from eet.figures import disclosure, recovery  # noqa: E402
from eet.figures.privacy import threshold  # noqa: E402

st.subheader(t("recovery_title", lang))
rec = ui.read(recovery.recovery_view, actor, as_of)
if not rec.cohort:
    st.info(t("recovery_empty", lang))
else:
    withheld = disclosure.band_withheld(rec.rate)
    cols = st.columns(2)
    cols[0].metric(t("recovery_rate", lang), disclosure.rate_text(rec.rate, lang), border=True)
    cols[1].metric(t("recovery_measured", lang), f"{fmt.number(rec.measured, lang)} / {fmt.number(rec.cohort, lang)}",
                   border=True, help=t("recovery_coverage", lang))
    # Issue 29: the verdict follows from the 95% interval, not from the point.
    st.caption(fx.plain(" ".join(filter(None, (
        t("rate_withheld_caption", lang, n=threshold()) if withheld else "",
        uncertainty.verdict_sentence(rec.rate, lang) or disclosure.verdict_text(rec.rate, lang),
        t("recovery_caption", lang, target=fmt.percent(rec.target, lang, 0)))))))
    st.markdown("**" + t("recovery_domains", lang) + "**")
    if rec.domains:
        style.chart(ui.built(research_charts.recovery_domains, rec.domains, lang, key=(actor, as_of)),
                    key="recovery_chart")
    if rec.hidden_domains:
        # Every domain hidden: the reason in place of the chart, not a line under nothing.
        (st.caption if rec.domains else st.info)(t("recovery_hidden_domains", lang, n=rec.hidden_domains,
                                                   small=threshold()))


def _who(line) -> str:
    """Whether the payer (or group) gains or invests: the sign of shelter minus Housing First."""
    return t("bc_gains" if line.difference > 0 else "bc_invests" if line.difference < 0 else "bc_even", lang)


st.subheader(t("bc_per_payer", lang))
payer_case = ui.read(business_case.business_case, as_of)
payer_lines = business_case.per_payer(payer_case)
total_line = payer_lines[-1]
if total_line.difference is None:
    st.info(t("bc_per_payer_empty", lang))
else:
    payers = [line for line in payer_lines if line.payer != "total"]
    style.chart(ui.built(research_charts.payer_bars, [(x.payer, x.housing_first, x.shelter) for x in payers], lang,
                         key=(as_of,)),
                    key="payer_chart")

    fx.dataframe({
        t("bc_payer", lang): [label("payer", x.payer, lang) for x in payer_lines],
        t("housing_first", lang): [fmt.euro(x.housing_first, lang) for x in payer_lines],
        t("shelter_model", lang): [fmt.euro(x.shelter, lang) for x in payer_lines],
        t("bc_difference_short", lang): [fmt.euro(x.difference, lang) for x in payer_lines],
        t("bc_who", lang): [_who(x) for x in payer_lines],
    }, hide_index=True, key="payer_table")
    st.caption(t("bc_payer_caption", lang))
    st.markdown("**" + t("bc_sensitivity", lang) + "**")
    spread = business_case.sensitivity(payer_case)
    if not spread:
        st.info(t("bc_sensitivity_empty", lang))
    else:
        style.chart(ui.built(research_charts.tornado, [(s.label, s.difference_at_low, s.difference_at_high)
                                                       for s in spread], total_line.difference, lang, key=(as_of,)),
                    key="tornado_chart")
        evens = [s for s in spread if s.break_even_eur is not None and s.low_eur <= s.break_even_eur <= s.high_eur]
        for s in evens:
            st.caption(t("bc_break_even", lang, label=fmt.plain(s.label), value=fmt.euro(s.break_even_eur, lang)))
        if not evens:
            st.caption(t("bc_no_break_even", lang))

# --- issue 29: for whom is it cheaper, and outcomes by group with their uncertainty (exploratory) ---
from eet.charts.research import group_intervals  # noqa: E402
from eet.figures import group_costs, group_tables, groups  # noqa: E402

st.subheader(t("bc_per_group", lang))
st.caption(t("bc_per_group_intro", lang))
cost_by = st.selectbox(t("bc_groups_choose", lang), group_costs.COST_GROUPINGS,
                       format_func=lambda g: label("grouping", g, lang), key="bc_group_by")
per_group = ui.read(group_costs.costs_for, actor, as_of, cost_by)
if per_group.withheld:
    st.info(t("bc_per_group_withheld", lang, n=threshold()))
elif all(g.difference is None for g in per_group.groups):
    st.info(t("bc_per_group_empty", lang))
else:
    group_names = [group_tables.group_name(cost_by, g.key, lang) for g in per_group.groups]
    style.chart(ui.built(research_charts.group_cost_bars,
                         [(name, g.housing_first, g.shelter) for name, g in zip(group_names, per_group.groups)],
                         lang, key=(actor, as_of, cost_by)), key="group_cost_chart")
    exact_costs = groups.sees_exact_groups(actor)  # the numbers housed: as in the outcomes by group
    fx.dataframe({
        t("group_column", lang): group_names,
        **({t("col_housed_n", lang): [fmt.number(g.housed, lang) for g in per_group.groups],
            t("bc_participant_years", lang): [fmt.number(g.participant_years, lang, 1) for g in per_group.groups]}
           if exact_costs else {}),
        t("housing_first", lang): [fmt.euro(g.housing_first, lang) for g in per_group.groups],
        t("shelter_model", lang): [fmt.euro(g.shelter, lang) for g in per_group.groups],
        t("bc_difference_short", lang): [fmt.euro(g.difference, lang) for g in per_group.groups],
        t("bc_who", lang): [_who(g) if g.difference is not None else "" for g in per_group.groups],
    }, hide_index=True, key="group_cost_table")
    st.caption(t("bc_per_group_caption", lang, scoped=fmt.number(per_group.scoped, lang)))

st.subheader(t("groups_title", lang))
st.caption(t("groups_intro", lang))
by = st.selectbox(t("groups_choose", lang), groups.GROUPINGS, format_func=lambda g: label("grouping", g, lang),
                  key="groups_by")
grouping = ui.read(groups.outcomes_for, actor, as_of, by, head.retention_target)
exact = groups.sees_exact_groups(actor)
if not grouping.groups and not grouping.withheld:
    st.info(t("groups_empty", lang))
elif grouping.withheld:
    st.info(fx.plain(" ".join(group_tables.notes(grouping, lang))))
else:
    measures = ["retention", *(["recovery"] if grouping.recovery_shown else []), "lead"]
    # One chart at a time, the page's full width: three side by side left each too narrow to read.
    tabs = st.tabs([t({"retention": "retention", "recovery": "recovery_rate", "lead": "lead_time"}[measure], lang)
                    for measure in measures])
    for measure, tab in zip(measures, tabs):
        with tab:
            rows = group_tables.chart_rows(grouping, measure, lang)
            style.chart(ui.built(group_intervals, rows, lang, None if measure == "lead" else head.retention_target,
                                 measure != "lead", key=(actor, as_of, by, measure)),
                        key=f"groups_chart_{measure}")
            st.caption(fx.plain(group_tables.chart_text(grouping, measure, lang)))
    keys, titles, rows = group_tables.table(grouping, lang, exact)
    fx.dataframe({title: [group_tables.cell_text(key, r[i], lang) for r in rows]
                  for i, (key, title) in enumerate(zip(keys, titles))}, hide_index=True, key="groups_table")
    for note in group_tables.notes(grouping, lang):
        st.caption(fx.plain(note))
    if exact:
        st.caption(group_tables.logrank_text(grouping, lang))
