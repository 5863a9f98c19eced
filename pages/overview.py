"""Overzicht: the counter against 200 with the pipeline, participants housed, retention, what
changed since an earlier date, and whether the pace reaches the target by the deadline."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from ui import style
from eet.texts import formatting as fmt
from eet.charts import viewer as viewer_charts
from eet.store.coalition import LAUNCH
from eet.texts import label, t
from eet.figures.privacy import threshold
from eet.figures.disclosure import COMBINED
from eet.figures.progress import default_since
from eet.figures import pledges, progress
from ui import pledges as pledge_ui

actor, lang, as_of = ui.context()
st.title(t("page_overview", lang) + " · " + fmt.long_date(as_of, lang))
ui.demo_banner(lang)

# The headline as this actor may see it: small counts of people suppressed for viewers (eet.figures.privacy).
head = ui.read(progress.headline, actor, as_of)
dwellings = head.dwellings
target, due = dwellings["target"], fmt.long_date(date.fromisoformat(dwellings["target_date"]), lang)

st.header(t("counter_headline", lang, counter=fmt.number(dwellings["counter"], lang),
            pipeline=fmt.number(dwellings["pipeline"], lang)))
st.caption(t("counter_caption", lang, ambition=fmt.number(dwellings["ambition"], lang),
             target=fmt.number(target, lang), due=due))
style.chart(viewer_charts.counter_bar(head, lang), key="counter_bar")
if head.by_status["available"] == COMBINED:
    st.caption(t("combined_note", lang, n=threshold()))

# Two by two, so that a tablet in portrait shows whole numbers.
cols = [*st.columns(2), *st.columns(2)]
cols[0].metric(t("counter", lang), fmt.number(dwellings["counter"], lang), border=True,
               help=t("of_target", lang, target=fmt.number(target, lang)))
cols[1].metric(t("pipeline", lang), fmt.number(dwellings["pipeline"], lang), border=True)
cols[2].metric(t("housed_vs_target", lang), fmt.number(head.housed, lang) + " / "
               + fmt.number(head.participants_target, lang), border=True)
if head.housed_now is None:
    cols[2].caption(t("housed_now_hidden", lang, n=threshold()))
else:
    cols[2].caption(t("housed_now_caption", lang, now=fmt.number(head.housed_now, lang),
                      target=fmt.number(head.participants_target, lang)))
fx.retention_metric(cols[3], head, lang)

st.subheader(t("pace", lang, target=fmt.number(target, lang), due=due))
pace = ui.read(progress.outlook, actor, as_of)  # the one forecast of eet.figures.progress, since the launch
if pace is not None:
    left, right = st.columns(2)
    left.metric(t("pace_needed", lang), t("per_month", lang, value=fmt.figure(pace.needed_per_month, lang)))
    right.metric(t("pace_so_far", lang), t("per_month", lang, value=fmt.figure(pace.pace_per_month, lang)))
    if pace.reached:
        st.success(t("pace_reached", lang, target=fmt.number(pace.target, lang)))
    elif pace.needed_per_month is None:
        st.warning(t("pace_deadline_passed", lang, due=due))
    elif pace.pace_per_month is None:
        st.info(t("pace_no_history", lang, launch=fmt.long_date(LAUNCH, lang)))
    elif pace.on_track:
        st.success(t("pace_on_track", lang, due=due, projected=fmt.number(pace.projected, lang)))
    else:
        st.warning(t("pace_behind", lang, due=due, projected=fmt.number(pace.projected, lang),
                     extra=fmt.figure(pace.needed_per_month - pace.pace_per_month, lang)))
    st.caption(t("pace_basis_launch", lang, launch=fmt.long_date(pace.since, lang)))

# Issue 23: who lags behind their pledge (eet.figures.pledges; no count of people in it).
pledge_ui.draw(ui.read(pledges.pledge_view, as_of), lang)

st.subheader(t("changes_since", lang))
since = st.date_input(t("changes_since", lang), value=default_since(as_of), max_value=as_of,
                      format=ui.DATE_FORMAT, label_visibility="collapsed",
                      key="changes_since")
if since >= as_of:
    st.info(t("since_after_as_of", lang))
else:
    changes = ui.read(progress.changes_since, actor, as_of, since)
    st.caption(t("changes_header", lang, since=fmt.long_date(since, lang), as_of=fmt.long_date(as_of, lang)))
    fx.dataframe(
        {t("figure", lang): [label("change", c.key, lang) for c in changes],
         t("then", lang): [viewer_charts.cell(c.then, lang) for c in changes],
         t("now", lang): [viewer_charts.cell(c.now, lang) for c in changes],
         t("change", lang): [viewer_charts.signed(c.delta, lang) for c in changes]},
        hide_index=True, width="content", key="changes_table")
    if head.suppressed and any(c.then is None or c.now is None for c in changes):
        st.caption(t("withheld_note", lang, n=threshold() - 1))
