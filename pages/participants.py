"""Deelnemers: the funnel from referral to housed with the conversion between steps, the central
waiting list, lead times, breakdowns by referrer and care provider, withdrawals. Small counts are
already suppressed by eet for viewers."""

import streamlit as st

from ui import forms as fx
import ui
from ui import style
from eet.charts import base as charts
from eet.texts import formatting as fmt
from eet.charts import viewer as viewer_charts
from eet.texts import label, t
from eet.figures.participant_view import ROUTE_STEPS
from eet.figures import participant_view
from eet.figures import uncertainty

actor, lang, as_of = ui.context()
st.title(t("page_participants", lang) + " · " + fmt.long_date(as_of, lang))
ui.demo_banner(lang)

view = ui.read(participant_view.participant_view, actor, as_of)


def word(value):
    """A withheld count (None) is drawn as no bar with the words "niet getoond", never as a bar of 0."""
    return t("funnel_withheld_bar", lang) if value is None else value

if view.suppressed:
    st.caption(t("small_counts_note", lang, n=fmt.number(view.small_count, lang)))

if view.funnel["referred"] == 0:
    st.info(t("no_participants", lang))
    st.stop()

st.subheader(t("funnel", lang))
left, right = fx.columns(2, 360, gap="medium")  # stacked on a tablet: the table stays whole
with left:
    # Each chart built once per data version and view (ui.built): validating a Plotly figure costs
    # more than the cached read it draws.
    style.chart(ui.built(charts.funnel_bars, list(ROUTE_STEPS), [word(view.funnel[s]) for s in ROUTE_STEPS],
                         view.conversion, lang, key=(actor, as_of)), key="funnel_chart")
with right:
    steps = [*ROUTE_STEPS, "housed_now", "withdrawn"]
    table = {t("step", lang): [label("step", s, lang) for s in steps],
             t("count_column", lang): [fmt.number(view.funnel[s], lang) for s in steps]}
    # A column of dashes says nothing: when every conversion is withheld the column goes, and the
    # caption says why.
    every_conversion_withheld = all(v is None for v in view.conversion.values())
    if not every_conversion_withheld:
        table[t("conversion", lang)] = [fmt.percent(view.conversion.get(s), lang) if s in view.conversion
                                        else "" for s in steps]
        # Issue 29: how sure each conversion is (from the counts shown beside it).
        intervals = uncertainty.conversion_intervals(view.funnel, view.conversion, ROUTE_STEPS)
        table[t("ci_column", lang)] = [uncertainty.range_text(intervals[s], lang) if s in intervals else ""
                                       for s in steps]
    fx.dataframe(table, hide_index=True, key="funnel_table")
    if any(view.funnel[s] is None for s in steps):
        st.caption(t("withheld_note", lang, n=fmt.number(view.small_count - 1, lang))
                   + (" " + t("conversion_withheld", lang) if every_conversion_withheld else ""))

st.subheader(t("waiting_list", lang))
wait = view.waiting_list
left, right = st.columns([2, 3], gap="large")
with left:
    style.chart(ui.built(charts.waiting_list_donut, {k: word(v) for k, v in wait.items()}, lang, key=(actor, as_of)),
                key="waiting_list_chart")
with right:
    if wait["yes"] == 0 and wait["no"] == 0:
        st.markdown(t("waiting_list_none_known", lang, total=fmt.number(wait["unknown"], lang)))
    else:
        known = wait["yes"] + wait["no"] if all(isinstance(wait[k], int) for k in ("yes", "no")) else None
        st.markdown(t("waiting_list_caption", lang, yes=fmt.number(wait["yes"], lang),
                      known=fmt.number(known, lang)))

st.subheader(t("lead_time", lang))
lead = view.lead_time
if lead.n == 0:
    st.info(t("lead_time_empty", lang))
else:
    # One decimal, as the review page and the pack give them (187,2 there was 187 here).
    st.markdown(t("lead_time_summary", lang, median=fmt.figure(lead.median, lang),
                  p75=fmt.figure(lead.p75, lang), n=fmt.number(view.funnel["housed"], lang)))
    if lead.median_ci is not None:  # issue 29: how sure the median is (none below 6 people)
        st.caption(t("lead_ci_caption", lang, median=fmt.figure(lead.median, lang),
                     low=fmt.number(lead.median_ci[0], lang), high=fmt.number(lead.median_ci[1], lang),
                     n=fmt.number(view.funnel["housed"], lang)))
    left, right = fx.columns(2, 360, gap="medium")
    for column, title, chart, hidden, key in (
            (left, "lead_time_distribution", ui.built(viewer_charts.lead_time_histogram, view.lead_time_distribution, lang,
                                                        key=(actor, as_of)),
             "lead_time_hist_hidden", "lead_hist"),
            (right, "lead_time_trend", ui.built(viewer_charts.lead_time_trend, view.lead_time_trend, lang, key=(actor, as_of)),
             "lead_time_trend_hidden", "lead_trend")):
        # A chart that would show a small count is not drawn (eet.figures.privacy): a note says why.
        column.markdown("**" + t(title, lang) + "**")
        if chart is None:
            column.info(t(hidden, lang, n=fmt.number(view.small_count, lang)))
        else:
            style.chart(chart, key=key, where=column)

for title, rows, key in ((t("by_referrer", lang), view.by_referrer, "referrer"),
                         (t("by_care_provider", lang), view.by_care_provider, "care_provider")):
    st.subheader(fmt.plain(title))
    names = [row.name or t("not_recorded", lang) for row in rows]
    # Side by side only where the table's five columns fit beside the chart (from about 1000 px of
    # page); else the chart above the table, each over the page's width.
    left, right = fx.columns(2, 500, gap="medium")
    with left:
        style.chart(ui.built(charts.breakdown_bars, [(n, word(r.counts["referred"]), word(r.counts["housed"]))
                                                     for n, r in zip(names, rows)], lang, key=(actor, as_of, key)),
                    key=f"{key}_chart")
    with right:
        fx.dataframe({t("organisation", lang): names,
                      **{label("step", s, lang): [fmt.number(r.counts[s], lang) for r in rows]
                         for s in ("referred", "housed", "housed_now", "withdrawn")}},
                     hide_index=True, key=f"{key}_table")
        if any(v is None for r in rows for v in r.counts.values()):
            st.caption(t("withheld_note", lang, n=fmt.number(view.small_count - 1, lang)))

st.subheader(t("withdrawals", lang))
withdrawn = view.funnel["withdrawn"]
if withdrawn == 0:
    st.info(t("withdrawals_none", lang))
else:
    st.markdown(t("withdrawals_total", lang, n=fmt.number(withdrawn, lang)))
    if view.withdrawal_reasons:
        fx.dataframe({t("reason_column", lang): [reason or t("not_recorded", lang) for reason, _ in view.withdrawal_reasons],
                      t("count_column", lang): [n for _, n in view.withdrawal_reasons]},
                     hide_index=True, key="withdrawal_table")
