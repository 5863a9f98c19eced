"""Onderzoek: the living lab's indicators: retention at 12 months with a Kaplan-Meier curve,
participants housed against 200, the business case from entered cost parameters, success and
failure factors by domain, and open bottlenecks."""

import streamlit as st

from ui import forms as fx
import ui
from eet.charts import base as charts
from eet.texts import formatting as fmt
from eet.figures.research import sees_survival_curve
from eet.texts import label, t
from eet.store.models import FACTOR_DOMAINS
from eet.figures import research
from eet.figures import registers
from eet.figures import progress
from eet.figures import business_case

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
        st.plotly_chart(charts.kaplan_meier(curve.days, curve.survival, head.retention_target, lang), key="km_chart")
        st.caption(t("km_caption", lang, events=curve.events, censored=curve.censored))

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
            st.plotly_chart(charts.cost_comparison(case.hf_recurring, case.hf_one_off_spread, case.shelter, lang),
                            key="cost_chart")
        with right:
            difference = case.difference
            verdict = t("bc_cheaper" if difference >= 0 else "bc_dearer", lang, diff=fmt.euro(abs(difference), lang))
            st.markdown(t("bc_summary", lang, hf=fmt.euro(case.housing_first, lang),
                          shelter=fmt.euro(case.shelter, lang), verdict=verdict))
            if case.hf_one_off_per_participant:
                st.caption(t("bc_one_off_note", lang, one_off=fmt.euro(case.hf_one_off_per_participant, lang),
                             housed=fmt.number(head.housed, lang), years=fmt.number(case.participant_years, lang, 1)))
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
