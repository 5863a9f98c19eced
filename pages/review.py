"""Tussentijdse evaluatie: the state on the meeting date next to the previous review (or the launch),
what moved per municipality and initiative, the forecast towards 200 by 2022-07-01, open bottlenecks,
the decisions, and the meeting pack to download. The admin records meetings and decisions here."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from ui import style
from eet.review import decisions as register
from eet.review import files as pack_files  # the pack's writer (eet.review.pack) loads on a download only
from eet.charts import review as review_charts
from eet.texts import formatting as fmt
from eet.store.models import DECISION_STATUSES, DECISION_TOPICS
from eet.figures.privacy import threshold
from eet.review.comparison import MOVED_MEASURES
from ui import pledges as pledge_ui
from eet.review.tables import Table, all_tables, cell_text, item_label, measure_view, transposed
from eet.texts import label, t
from eet.review import comparison
from eet.review.known import known_tables, moment_text
from eet.quality import settings as quality_settings
from eet.quality import signoff, stuck

APPLY_TYPED_DATE = """<div class="eet-applied-date" data-date="{applied}" hidden></div><script>
(() => {
  if (window.eetTypedDate) return;
  window.eetTypedDate = true;
  const field = () => document.querySelector('.st-key-review_date input[type="date"]');
  const applied = () => document.querySelector('.eet-applied-date')?.dataset.date;
  const waiting = () => !!(field() && field().value && applied() && field().value !== applied());
  // Enter applies a typed date: ui.style's script, for every date field.
  let pending = null;
  document.addEventListener('pointerdown', (e) => {
    const box = e.target.closest && e.target.closest('.st-key-download_html, .st-key-download_xlsx');
    pending = box && waiting() ? [...box.classList].find((c) => c.startsWith('st-key-download_')) : null;
  }, true);
  document.addEventListener('click', (e) => {
    if (!pending || !e.isTrusted) return;
    const key = pending;
    pending = null;
    e.preventDefault();
    e.stopImmediatePropagation();
    document.activeElement?.blur();
    const started = Date.now();
    const again = () => {
      const running = document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"]');
      if (!waiting() && !running) {
        document.querySelector('.' + key + ' button')?.click();
      } else if (Date.now() - started < 20000) {
        setTimeout(again, 100);
      }
    };
    setTimeout(again, 100);
  }, true);
})();
</script>"""

actor, lang, as_of = ui.context()
st.title(t("page_review", lang))
ui.demo_banner(lang)
date_format = ui.DATE_FORMAT

# --- the two dates -------------------------------------------------------------------------------
left, right = fx.columns(2, 300)  # stacked on a tablet: the date and the labels stay whole
opening = ui.read(comparison.opening_meeting_date, as_of)  # the last recorded meeting, else the as-of date
meeting_date = ui.url_date("meeting", "review_date", opening, lambda **kw: left.date_input(
    t("meeting_date", lang), max_value=date.today(), format=date_format, help=t("meeting_date_help", lang), **kw))
basis = right.radio(t("pace_basis", lang), ("comparison", "launch"), key="review_basis", horizontal=True,
                    format_func=lambda b: t(f"basis_{b}", lang))
options = ui.read(comparison.comparison_options, meeting_date)
if not options:
    st.info(t("no_comparison", lang, date=fmt.long_date(date(2021, 1, 15), lang)))
    st.stop()
recorded = ui.read(comparison.default_comparison, meeting_date)
choices = [o.on for o in options] + ([recorded] if recorded not in [o.on for o in options] else [])
names = {o.on: t("option_meeting", lang, title=o.title, date=fmt.long_date(o.on, lang)) if o.kind == "meeting"
         else t("option_launch", lang, date=fmt.long_date(o.on, lang)) for o in options}
names.setdefault(recorded, t("option_register", lang, date=fmt.long_date(recorded, lang)))
# The whole width: a meeting's title and its date are read whole, also on a tablet.
compare_with = st.selectbox(t("compare_with", lang), choices, index=choices.index(recorded),
                            format_func=names.get, key=f"review_compare_{meeting_date.isoformat()}")

review = ui.read(comparison.build_review, actor, meeting_date, compare_with, basis)
tables = {table.key: table for table in all_tables(review, lang)}
# The figures are built once per review and language, not on every run (issue 15), once for every
# role that sees the same review (an admin, a coordinator and a researcher do), only those shown, and
# under make serve by one process for all (issue 28).
review_key = ui.content(review)


def chart_of(key: str):
    return ui.kept(review_charts.chart, review, key, lang, key=(review_key,))

st.caption(t("pack_subtitle", lang, as_of=fmt.long_date(review.as_of, lang),
             since=fmt.long_date(review.compare_with, lang)))
if review.known_at is not None:  # a recorded meeting: its figures as they were presented
    st.info(t("known_at_note", lang, moment=fmt.plain(moment_text(review.known_at, lang))))


def table_of(table) -> None:
    """A table as plain text cells (user text is never read as markdown or HTML), drawn whole:
    st.table wraps a long cell where a data grid would cut its column off; numbers to the right."""
    if table.rows:
        fx.table({name: [cell_text(row[i], lang, i in table.change_columns) for row in table.rows]
                     for i, name in enumerate(table.columns)})
    if table.note:
        st.caption(fx.plain(table.note))


def show(key: str) -> None:
    table_of(tables[key])


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
style.chart(chart_of("headline"), key="chart_headline", where=chart_col)
with table_col:
    for key in ("dwellings", "coalition", "status"):
        st.subheader(fmt.plain(tables[key].title))
        show(key)
style.chart(chart_of("status"), key="chart_status")
st.subheader(t("group_funnel", lang))
chart_col, table_col = fx.columns(2, 380)
style.chart(chart_of("funnel"), key="chart_funnel", where=chart_col)
with table_col:
    show("funnel")
    for key in ("lead_time", "retention"):
        st.subheader(fmt.plain(tables[key].title))
        show(key)

# The same date as known now, and the corrections entered since the meeting's moment.
for known in known_tables(review, lang):
    tables[known.key] = known
    st.subheader(fmt.plain(known.title))
    show(known.key)

# --- what moved ----------------------------------------------------------------------------------
# One breakdown and one measure at a time: the server sends only what is shown (issue 15), and a
# table of four columns reads whole on a tablet.
st.header(t("moved", lang))
dimensions = ("municipality", "building_type", "route", "site")
by = st.segmented_control(t("review_moved_by", lang), dimensions, default="municipality", required=True,
                          format_func=lambda k: tables[k].title, key="review_moved_by") or "municipality"
if by == "municipality":
    style.chart(chart_of("municipality"), key="chart_municipality")
measure = st.segmented_control(t("figure", lang), MOVED_MEASURES, default="counter", required=True,
                               format_func=lambda m: t(f"measure_{m}", lang), key="review_moved_measure") or "counter"
table_of(measure_view(tables[by], measure, review.compared))

# Issue 23: each municipality against its pledge at the meeting date (the pack's table too).
if review.pledges is not None:
    pledge_ui.draw(review.pledges, lang)

# --- forecast ------------------------------------------------------------------------------------
st.header(t("forecast", lang))
st.caption(fx.plain(tables["forecast"].note))
for forecast in review.forecasts:
    forecast_name = t(f"forecast_{forecast.measure}", lang)
    if forecast.pace_per_month is None and review.suppressed:
        st.info(t("forecast_hidden", lang, measure=forecast_name, n=threshold()))
        continue
    message = t("forecast_sentence", lang, measure=forecast_name, now=fmt.number(forecast.now, lang),
                as_of=fmt.long_date(forecast.as_of, lang), pace=fmt.figure(forecast.pace_per_month, lang),
                since=fmt.long_date(forecast.since, lang),
                projected=fmt.number(forecast.projected, lang), due=fmt.long_date(forecast.due_on, lang),
                verdict=t({True: "on_track", False: "behind", None: "unknown_track"}[forecast.on_track], lang),
                gap=fmt.number(forecast.gap, lang), needed=fmt.figure(forecast.needed_per_month, lang))
    (st.success if forecast.on_track else st.warning)(fx.plain(message))
chart_col, table_col = fx.columns(2, 380)
with chart_col:
    shown = st.segmented_control(t("review_forecast_chart", lang), ("dwellings", "participants"),
                                 default="dwellings", required=True, format_func=lambda m: t(f"forecast_{m}", lang),
                                 key="review_forecast_chart") or "dwellings"
    style.chart(chart_of(f"forecast_{shown}"), key="chart_forecast")
with table_col:
    forecast_table = transposed(tables["forecast"])
    forecast_table.note = None  # said above the sentences
    table_of(forecast_table)

# --- bottlenecks and decisions -------------------------------------------------------------------
st.header(fmt.plain(tables["bottlenecks"].title))
show("bottlenecks")
st.header(t("decisions", lang))
# Per meeting (its date and title above its decisions): five columns read whole on a tablet.
decisions = tables["decisions"]
for meeting in dict.fromkeys((row[0], row[1]) for row in decisions.rows):
    st.markdown(f"**{fx.plain(cell_text(meeting[0], lang))} · {fx.plain(meeting[1])}**")
    table_of(Table(decisions.key, decisions.title, decisions.columns[2:],
                   [row[2:] for row in decisions.rows if (row[0], row[1]) == meeting]))
if decisions.note:
    st.caption(fx.plain(decisions.note))

# --- data quality: which months are signed off, what looks stuck (issue 16) ---------------------
st.header(t("quality_review_summary", lang, date=fmt.long_date(meeting_date, lang)))
closed = ui.read(signoff.signed_off, None, review.known_at)  # a recorded meeting's, as they stood then
st.subheader(t("quality_signed_off_review", lang))
if closed:
    fx.table({t("organisation", lang): [c["organisation"] for c in closed],
                 t("quality_month", lang): [fmt.month_label(c["month"].strftime("%Y-%m"), lang) for c in closed]})
else:
    st.caption(t("quality_none_signed", lang))
if actor.role in ("admin", "coordinator"):  # row-level lists: counted here, listed on the quality page
    stuck_counts = stuck.summary(ui.read(stuck.stuck_records, actor, meeting_date, None, review.known_at))
    limits = ui.read(quality_settings.thresholds)
    fx.table({t("quality_stuck", lang): [t(f"quality_rule_{rule}", lang, days=limits.get(stuck.SETTING_OF.get(rule, "")))
                                            for rule in stuck_counts],
                 t("col_count", lang): [fmt.number(n, lang) for n in stuck_counts.values()]})

# --- the meeting pack ----------------------------------------------------------------------------
# The pack is sent round: small counts suppressed for every role; exact only when an admin or a
# researcher asks for it (eet.export refuses anyone else).
exact = actor.role in pack_files.EXACT_ROLES and st.checkbox(
    t("pack_exact_choice", lang), value=False, key="pack_exact", help=t("pack_exact_help", lang, n=threshold()))
downloads = st.container(horizontal=True, gap="small")
for suffix, text, mime in ((".html", "download_html", "text/html"),
                           (".xlsx", "review_download_xlsx",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
    downloads.download_button(
        t(text, lang), ui.deferred(pack_files.pack_bytes, actor, suffix, meeting_date, compare_with, lang, basis, exact),
        file_name=pack_files.file_name(meeting_date, suffix, lang, exact), mime=mime,
        key=f"download_{suffix[1:]}", on_click="ignore")
# A date typed into the meeting date counts once the field is left: Enter applies it, and a
# download asked for while a typed date is not yet applied waits until the page has applied it,
# so that the pack is that of the date in the field (the date applied is written below the
# buttons, after them, so that the new buttons are there once it changes).
st.html(APPLY_TYPED_DATE.replace("{applied}", meeting_date.isoformat()), unsafe_allow_javascript=True)

# --- the register (admin) ------------------------------------------------------------------------
if not actor.is_admin:  # only the admin records meetings and decisions: no heading without a form
    st.stop()
st.header(t("register", lang))

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
