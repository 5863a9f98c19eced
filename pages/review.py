"""Tussentijdse evaluatie: the state on the meeting date next to the previous review (or the launch),
what moved per municipality and initiative, the forecast towards 200 by 2022-07-01, open bottlenecks,
the decisions, and the meeting pack to download. The admin records meetings and decisions here."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from eet.review import decisions as register
from eet.review import pack as export
from eet.charts import review as review_charts
from eet.texts import formatting as fmt
from eet.store.models import DECISION_STATUSES, DECISION_TOPICS
from eet.figures.privacy import threshold
from eet.review.tables import all_tables, cell_text, item_label
from eet.texts import label, t
from eet.review import comparison
from eet.review.known import known_tables, moment_text
from eet.quality import settings as quality_settings
from eet.quality import signoff, stuck

actor, lang, as_of = ui.context()
st.title(t("page_review", lang))
ui.demo_banner(lang)
date_format = "DD-MM-YYYY" if lang == "nl" else "YYYY-MM-DD"

# --- the two dates -------------------------------------------------------------------------------
left, middle, right = fx.columns(3, 240)  # stacked on a tablet: the date and the labels stay whole
meeting_date = ui.url_date("meeting", "review_date", as_of, lambda **kw: left.date_input(
    t("meeting_date", lang), max_value=date.today(), format=date_format, help=t("meeting_date_help", lang), **kw))
options = ui.read(comparison.comparison_options, meeting_date)
if not options:
    st.info(t("no_comparison", lang, date=fmt.long_date(date(2021, 1, 15), lang)))
    st.stop()
recorded = ui.read(comparison.default_comparison, meeting_date)
choices = [o.on for o in options] + ([recorded] if recorded not in [o.on for o in options] else [])
names = {o.on: t("option_meeting", lang, title=o.title, date=fmt.long_date(o.on, lang)) if o.kind == "meeting"
         else t("option_launch", lang, date=fmt.long_date(o.on, lang)) for o in options}
names.setdefault(recorded, t("option_register", lang, date=fmt.long_date(recorded, lang)))
compare_with = middle.selectbox(t("compare_with", lang), choices, index=choices.index(recorded),
                                format_func=names.get, key=f"review_compare_{meeting_date.isoformat()}")
basis = right.radio(t("pace_basis", lang), ("comparison", "launch"), key="review_basis",
                    format_func=lambda b: t(f"basis_{b}", lang))

review = ui.read(comparison.build_review, actor, meeting_date, compare_with, basis)
tables = {table.key: table for table in all_tables(review, lang)}
charts = dict(review_charts.all_charts(review, lang))
st.caption(t("pack_subtitle", lang, as_of=fmt.long_date(review.as_of, lang),
             since=fmt.long_date(review.compare_with, lang)))
if review.known_at is not None:  # a recorded meeting: its figures as they were presented
    st.info(t("known_at_note", lang, moment=moment_text(review.known_at, lang)))


def show(key: str) -> None:
    """A table as plain text cells (user text is never read as markdown or HTML)."""
    table = tables[key]
    if table.rows:
        fx.dataframe({name: [cell_text(row[i], lang, i in table.change_columns) for row in table.rows]
                      for i, name in enumerate(table.columns)}, hide_index=True, key=f"table_{key}")
    if table.note:
        st.caption(fx.plain(table.note))


# --- headline ------------------------------------------------------------------------------------
st.header(t("headline", lang))
headline = {f.code: f for f in review.headline}
cols = st.columns(4)
for col, code in zip(cols, ("dwellings.counter", "dwellings.pipeline", "dwellings.ambition", "funnel.housed")):
    figure = headline[code]
    # The change is written with a real minus sign, which Streamlit reads as positive: the arrow is
    # set from the number, in one neutral colour (a smaller pipeline is progress, not a loss).
    col.metric(item_label(figure.group, figure.item, review, lang), cell_text(figure.now, lang),
               None if figure.change is None else cell_text(figure.change, lang, signed=True), border=True,
               delta_color="gray", delta_arrow=fx.arrow(figure.change))
chart_col, table_col = fx.columns(2, 380)
chart_col.plotly_chart(charts["headline"], key="chart_headline")
with table_col:
    for key in ("dwellings", "coalition", "status"):
        st.subheader(tables[key].title)
        show(key)
st.plotly_chart(charts["status"], key="chart_status")
st.subheader(t("group_funnel", lang))
chart_col, table_col = fx.columns(2, 380)
chart_col.plotly_chart(charts["funnel"], key="chart_funnel")
with table_col:
    show("funnel")
    for key in ("lead_time", "retention"):
        st.subheader(tables[key].title)
        show(key)

# The same date as known now, and the corrections entered since the meeting's moment.
for known in known_tables(review, lang):
    tables[known.key] = known
    st.subheader(known.title)
    show(known.key)

# --- what moved ----------------------------------------------------------------------------------
st.header(t("moved", lang))
st.plotly_chart(charts["municipality"], key="chart_municipality")
for tab, key in zip(st.tabs([tables[k].title for k in ("municipality", "building_type", "route", "site")]),
                    ("municipality", "building_type", "route", "site")):
    with tab:
        show(key)

# --- forecast ------------------------------------------------------------------------------------
st.header(t("forecast", lang))
st.caption(fx.plain(tables["forecast"].note))
for forecast in review.forecasts:
    measure = t(f"forecast_{forecast.measure}", lang)
    if forecast.pace_per_month is None and review.suppressed:
        st.info(t("forecast_hidden", lang, measure=measure, n=threshold()))
        continue
    message = t("forecast_sentence", lang, measure=measure, now=fmt.number(forecast.now, lang),
                as_of=fmt.long_date(forecast.as_of, lang), pace=fmt.number(forecast.pace_per_month, lang, 1),
                since=fmt.long_date(forecast.since, lang),
                projected=fmt.number(forecast.projected, lang), due=fmt.long_date(forecast.due_on, lang),
                verdict=t({True: "on_track", False: "behind", None: "unknown_track"}[forecast.on_track], lang),
                gap=fmt.number(forecast.gap, lang), needed=fmt.number(forecast.needed_per_month, lang, 1))
    (st.success if forecast.on_track else st.warning)(fx.plain(message))
left, right = fx.columns(2, 380)
left.plotly_chart(charts["forecast_dwellings"], key="chart_forecast_dwellings")
right.plotly_chart(charts["forecast_participants"], key="chart_forecast_participants")
show("forecast")

# --- bottlenecks and decisions -------------------------------------------------------------------
st.header(tables["bottlenecks"].title)
show("bottlenecks")
st.header(t("decisions", lang))
show("decisions")

# --- data quality: which months are signed off, what looks stuck (issue 16) ---------------------
st.header(t("quality_review_summary", lang, date=fmt.long_date(meeting_date, lang)))
closed = ui.read(signoff.signed_off, None)
st.subheader(t("quality_signed_off_review", lang))
if closed:
    fx.dataframe({t("organisation", lang): [c["organisation"] for c in closed],
                  t("quality_month", lang): [fmt.month_label(c["month"].strftime("%Y-%m"), lang) for c in closed]},
                 hide_index=True, key="review_signed_off")
else:
    st.caption(t("quality_none_signed", lang))
if actor.role in ("admin", "coordinator"):  # row-level lists: counted here, listed on the quality page
    stuck_counts = stuck.summary(ui.read(stuck.stuck_records, actor, meeting_date, None))
    limits = ui.read(quality_settings.thresholds)
    fx.dataframe({t("quality_stuck", lang): [t(f"quality_rule_{rule}", lang, days=limits.get(stuck.SETTING_OF.get(rule, "")))
                                             for rule in stuck_counts],
                  t("col_count", lang): list(stuck_counts.values())}, hide_index=True, key="review_stuck")

# --- the meeting pack ----------------------------------------------------------------------------
# The pack is sent round: small counts suppressed for every role; exact only when an admin or a
# researcher asks for it (eet.export refuses anyone else).
exact = actor.role in export.EXACT_ROLES and st.checkbox(
    t("pack_exact_choice", lang), value=False, key="pack_exact", help=t("pack_exact_help", lang, n=threshold()))
left, right = st.columns(2)
left.download_button(t("download_html", lang),
                     ui.deferred(export.pack_bytes, actor, ".html", meeting_date, compare_with, lang, basis, exact),
                     file_name=export.file_name(review, ".html", lang), mime="text/html", key="download_html",
                     on_click="ignore")
right.download_button(t("review_download_xlsx", lang),
                      ui.deferred(export.pack_bytes, actor, ".xlsx", meeting_date, compare_with, lang, basis, exact),
                      file_name=export.file_name(review, ".xlsx", lang), key="download_xlsx", on_click="ignore",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# --- the register (admin) ------------------------------------------------------------------------
st.header(t("register", lang))
if not actor.is_admin:
    st.caption(t("admin_only", lang))
    st.stop()

meetings = ui.read(register.meetings)
meeting_names = {m["id"]: f'{fmt.short_date(m["held_on"], lang)} · {m["title"]}' for m in meetings}
this_meeting = next((m for m in meetings if m["held_on"] == meeting_date), None)
if this_meeting is not None:  # record the moment its figures are presented (issue 16)
    st.button(t("mark_presented", lang), key="mark_presented", help=t("mark_presented_help", lang),
              on_click=fx.submit, args=("mark_presented", register.mark_presented, this_meeting["id"]),
              kwargs={"done": t("presented_marked", lang, title=this_meeting["title"])})
    fx.outcome("mark_presented", lang, ("presented_at",))
add_meeting, add_decision, update_decision = st.tabs(
    [t("add_meeting", lang), t("add_decision", lang), t("update_decision", lang)])

with add_meeting:
    form = fx.Form("review_meeting", "rm", lang)
    MEETING_FIELDS = ("held_on", "title", "compare_with")
    with st.form(form.name):
        form.field(st.date_input, "held_on", value=None, format=date_format)
        form.field(st.text_input, "title", label="meeting_title", max_chars=register.TITLE_MAX)
        form.field(st.date_input, "compare_with", label="compare_with_field", value=None, format=date_format)
        form.save_button(register.add_meeting, MEETING_FIELDS, done="{result.title}")
    form.outcome(MEETING_FIELDS)

DECISION_FIELDS = ("meeting_id", "topic", "decision", "owner", "due_on", "status")
with add_decision:
    if not meetings:
        st.info(t("no_meetings_yet", lang))
    else:
        form = fx.Form("review_decision", "rd", lang)
        with st.form(form.name):
            form.field(st.selectbox, "meeting_id", list(meeting_names), label="meeting", format_func=meeting_names.get)
            form.field(st.selectbox, "topic", [None, *DECISION_TOPICS],
                       format_func=lambda v: t("no_date", lang) if v is None else label("topic", v, lang))
            form.field(st.text_area, "decision", max_chars=register.DECISION_MAX)
            c1, c2, c3 = fx.columns(3, 200)
            form.field(c1.text_input, "owner", max_chars=register.OWNER_MAX)
            form.field(c2.date_input, "due_on", label="review_due_on", value=None, format=date_format)
            form.field(c3.selectbox, "status", DECISION_STATUSES,
                       format_func=lambda v: label("decision_status", v, lang))
            form.save_button(register.add_decision, DECISION_FIELDS, done="{result.decision}",
                             clear=("topic", "decision", "owner", "due_on"))
        form.outcome(DECISION_FIELDS)

with update_decision:
    known = ui.read(register.decisions)
    if not known:
        st.info(t("no_decisions", lang))
    else:
        decision_names = {d["id"]: f'{fmt.short_date(d["meeting_held_on"], lang)} · {d["decision"][:80]}' for d in known}
        form = fx.Form("review_status", "rs", lang)
        with st.form(form.name):
            st.selectbox(t("decision", lang), list(decision_names), format_func=decision_names.get, key="rs_id")
            form.field(st.selectbox, "status", DECISION_STATUSES,
                       format_func=lambda v: label("decision_status", v, lang))
            form.field(st.date_input, "due_on", label="review_due_on", value=None, format=date_format)

            def status_write(session, who, values):
                changes = {"status": values["status"]}
                if values["due_on"] is not None:
                    changes["due_on"] = values["due_on"]
                return register.update_decision(session, who, values["id"], changes)

            form.save_button(status_write, ("id", "status", "due_on"), clear=False, done="{result.decision}")
        form.outcome(("status", "due_on"))
