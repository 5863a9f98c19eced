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
add_meeting, add_decision, update_decision = st.tabs(
    [t("add_meeting", lang), t("add_decision", lang), t("update_decision", lang)])

with add_meeting:
    with st.form("review_meeting"):
        st.date_input(t("held_on", lang), value=None, format=date_format, key="rm_held_on")
        fx.field_error("review_meeting", "held_on")
        st.text_input(t("meeting_title", lang), max_chars=register.TITLE_MAX, key="rm_title")
        fx.field_error("review_meeting", "title")
        st.date_input(t("compare_with_field", lang), value=None, format=date_format, key="rm_compare_with")
        fx.field_error("review_meeting", "compare_with")
        st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit,
                              args=("review_meeting", register.add_meeting),
                              kwargs={"values": lambda: fx.values("rm", ("held_on", "title", "compare_with")),
                                      "done": "{result.title}",
                                      "clear": ("rm_held_on", "rm_title", "rm_compare_with")})
    fx.outcome("review_meeting", lang, ("held_on", "title", "compare_with"))

DECISION_FIELDS = ("meeting_id", "topic", "decision", "owner", "due_on", "status")
with add_decision:
    if not meetings:
        st.info(t("no_meetings_yet", lang))
    else:
        with st.form("review_decision"):
            st.selectbox(t("meeting", lang), list(meeting_names), format_func=meeting_names.get, key="rd_meeting_id")
            fx.field_error("review_decision", "meeting_id")
            st.selectbox(t("topic", lang), [None, *DECISION_TOPICS], key="rd_topic",
                         format_func=lambda v: t("no_date", lang) if v is None else label("topic", v, lang))
            fx.field_error("review_decision", "topic")
            st.text_area(t("decision", lang), max_chars=register.DECISION_MAX, key="rd_decision")
            fx.field_error("review_decision", "decision")
            c1, c2, c3 = fx.columns(3, 200)
            with c1:
                st.text_input(t("owner", lang), max_chars=register.OWNER_MAX, key="rd_owner")
                fx.field_error("review_decision", "owner")
            with c2:
                st.date_input(t("review_due_on", lang), value=None, format=date_format, key="rd_due_on")
                fx.field_error("review_decision", "due_on")
            with c3:
                st.selectbox(t("status", lang), DECISION_STATUSES, key="rd_status",
                             format_func=lambda v: label("decision_status", v, lang))
                fx.field_error("review_decision", "status")
            st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit,
                                  args=("review_decision", register.add_decision),
                                  kwargs={"values": lambda: fx.values("rd", DECISION_FIELDS),
                                          "done": "{result.decision}",
                                          "clear": ("rd_topic", "rd_decision", "rd_owner", "rd_due_on")})
        fx.outcome("review_decision", lang, DECISION_FIELDS)

with update_decision:
    known = ui.read(register.decisions)
    if not known:
        st.info(t("no_decisions", lang))
    else:
        decision_names = {d["id"]: f'{fmt.short_date(d["meeting_held_on"], lang)} · {d["decision"][:80]}' for d in known}
        with st.form("review_status"):
            st.selectbox(t("decision", lang), list(decision_names), format_func=decision_names.get, key="rs_id")
            st.selectbox(t("status", lang), DECISION_STATUSES, key="rs_status",
                         format_func=lambda v: label("decision_status", v, lang))
            fx.field_error("review_status", "status")
            st.date_input(t("review_due_on", lang), value=None, format=date_format, key="rs_due_on")
            fx.field_error("review_status", "due_on")

            def status_write(session, who, values):
                changes = {"status": values["status"]}
                if values["due_on"] is not None:
                    changes["due_on"] = values["due_on"]
                return register.update_decision(session, who, values["id"], changes)

            st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit,
                                  args=("review_status", status_write),
                                  kwargs={"values": lambda: fx.values("rs", ("id", "status", "due_on")),
                                          "done": "{result.decision}"})
        fx.outcome("review_status", lang, ("status", "due_on"))
