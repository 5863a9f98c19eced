"""Overzicht: the counter against 200 with the pipeline, participants housed, retention, what
changed since an earlier date, and whether the pace reaches the target by the deadline."""

from datetime import date

import streamlit as st

import ui
from eet import charts
from eet import formatting as fmt
from eet.coalition import LAUNCH
from eet.i18n import label, t
from eet.progress import default_since

actor, lang, as_of = ui.context()
st.title(t("page_overview", lang) + " · " + fmt.long_date(as_of, lang))
ui.demo_banner(lang)

report = ui.read("report.build_report", as_of)
dwellings, participants = report["dwellings"], report["participants"]
target, due = dwellings["target"], fmt.long_date(date.fromisoformat(dwellings["target_date"]), lang)

st.header(t("counter_headline", lang, counter=fmt.number(dwellings["counter"], lang),
            pipeline=fmt.number(dwellings["pipeline"], lang)))
st.caption(t("counter_caption", lang, ambition=fmt.number(dwellings["ambition"], lang),
             target=fmt.number(target, lang), due=due))
st.plotly_chart(charts.counter_bar(dwellings["by_status"], target, lang), key="counter_bar",
                config={"displayModeBar": False})

funnel = ui.read("participant_view.participant_view", actor, as_of).funnel
retention = participants["retention_12m"]
# Two by two, so that a tablet in portrait shows whole numbers.
cols = [*st.columns(2), *st.columns(2)]
cols[0].metric(t("counter", lang), fmt.number(dwellings["counter"], lang), border=True,
               help=t("of_target", lang, target=fmt.number(target, lang)))
cols[1].metric(t("pipeline", lang), fmt.number(dwellings["pipeline"], lang), border=True)
cols[2].metric(t("housed_vs_target", lang), fmt.number(funnel["housed"], lang) + " / "
               + fmt.number(participants["target"], lang), border=True)
cols[2].caption(t("housed_now_caption", lang, now=fmt.number(funnel["housed_now"], lang),
                  target=fmt.number(participants["target"], lang)))
cols[3].metric(t("retention", lang), fmt.percent(retention["rate"], lang), border=True)
if retention["cohort"]:
    cols[3].caption(t("retention_caption", lang, cohort=fmt.number(retention["cohort"], lang),
                      target=fmt.percent(retention["target"], lang, 0)))
else:
    cols[3].caption(t("retention_empty", lang))

st.subheader(t("pace", lang, target=fmt.number(target, lang), due=due))
pace = ui.read("progress.pace", as_of)
if pace is not None:
    left, right = st.columns(2)
    left.metric(t("pace_needed", lang), t("per_month", lang, value=fmt.number(pace.needed_per_month, lang, 1)))
    right.metric(t("pace_so_far", lang), t("per_month", lang, value=fmt.number(pace.so_far_per_month, lang, 1)))
    if pace.reached:
        st.success(t("pace_reached", lang, target=fmt.number(pace.target, lang)))
    elif pace.needed_per_month is None:
        st.warning(t("pace_deadline_passed", lang, due=due))
    elif pace.so_far_per_month is None:
        st.info(t("pace_no_history", lang, launch=fmt.long_date(LAUNCH, lang)))
    elif pace.on_track:
        st.success(t("pace_on_track", lang, due=due, projected=fmt.number(pace.projected, lang)))
    else:
        st.warning(t("pace_behind", lang, due=due, projected=fmt.number(pace.projected, lang),
                     extra=fmt.number(pace.needed_per_month - pace.so_far_per_month, lang, 1)))

st.subheader(t("changes_since", lang))
since = st.date_input(t("changes_since", lang), value=default_since(as_of), max_value=as_of,
                      format="DD-MM-YYYY" if lang == "nl" else "YYYY-MM-DD", label_visibility="collapsed",
                      key="changes_since")
if since >= as_of:
    st.info(t("since_after_as_of", lang))
else:
    changes = ui.read("progress.changes_since", actor, as_of, since)
    st.caption(t("changes_header", lang, since=fmt.long_date(since, lang), as_of=fmt.long_date(as_of, lang)))
    st.dataframe(
        {t("figure", lang): [label("change", c.key, lang) for c in changes],
         t("then", lang): [fmt.number(c.then, lang) for c in changes],
         t("now", lang): [fmt.number(c.now, lang) for c in changes],
         t("change", lang): ["–" if c.delta is None else fmt.signed(c.delta, lang) for c in changes]},
        hide_index=True, width="content", key="changes_table")
