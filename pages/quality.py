"""Datakwaliteit: per organisation the records that look stuck (lists to act on), when its rows
were last updated, how many steps were recorded in time month by month, and the monthly sign-off.
Coordinators see their own organisation; the admin every organisation, the thresholds and the
reopening of a month. eet.quality holds every rule and refuses the same again for any other role."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from eet.quality import settings as quality_settings
from eet.quality import signoff, stuck, timeliness
from eet.review.known import moment_text
from eet.store.coalition import LAUNCH
from eet.texts import formatting as fmt
from eet.texts import label, t

actor, lang, as_of = ui.context()
if actor.role not in ("admin", "coordinator"):
    st.warning(t("not_for_role", lang, roles=f" {t('or', lang)} ".join(
        label("role", role, lang) for role in ("admin", "coordinator"))))
    st.stop()
st.title(t("page_quality", lang))
ui.demo_banner(lang)
st.caption(t("quality_intro", lang, date=fmt.long_date(as_of, lang)))

organisation_id = None
if actor.is_admin:
    overview = ui.read(timeliness.per_organisation, actor, as_of)
    names = {row["organisation_id"]: row["organisation"] for row in overview}
    organisation_id = st.selectbox(t("organisation", lang), [None, *names], key="quality_org",
                                   format_func=lambda o: t("all_organisations", lang) if o is None else names[o])

# --- stuck records -------------------------------------------------------------------------------
st.header(t("quality_stuck", lang))
limits = ui.read(quality_settings.thresholds)
found = ui.read(stuck.stuck_records, actor, as_of, organisation_id)
for rule in stuck.RULES:
    items = found[rule]
    days = limits.get(stuck.SETTING_OF.get(rule, ""), None)
    with st.expander(f'{t(f"quality_rule_{rule}", lang, days=fmt.number(days, lang))}: {fmt.number(len(items), lang)}', expanded=bool(items)):
        if items:
            fx.dataframe({t("quality_record", lang): [s.key for s in items],
                          t("quality_since", lang): [fmt.short_date(s.since, lang) for s in items],
                          t("quality_days", lang): [s.days for s in items]}, hide_index=True, key=f"stuck_{rule}")
        else:
            st.caption(t("quality_none", lang))

# --- completeness and timeliness -----------------------------------------------------------------
st.header(t("quality_timeliness", lang))
last = ui.read(timeliness.last_update, actor, organisation_id, as_of)  # as known at the as-of date
st.metric(t("quality_last_update", lang), moment_text(last, lang) if last else fmt.MISSING)
months = ui.read(timeliness.timeliness, actor, organisation_id, as_of)
if months:
    st.caption(t("quality_timely_note", lang, days=fmt.number(limits["quality.timely_days"], lang)))
    fx.dataframe({t("quality_month", lang): [fmt.month_label(m.month, lang) for m in months],
                  t("quality_steps", lang): [m.steps for m in months],
                  t("quality_timely", lang): [m.timely for m in months],
                  t("quality_share", lang): [fmt.MISSING if m.share is None else fmt.percent(m.share, lang)
                                             for m in months]}, hide_index=True, key="timeliness")
else:
    st.caption(t("quality_none_by", lang, date=fmt.long_date(as_of, lang)))
    if ui.demo_data():  # the demo's rows were all recorded when it was loaded, after its dates
        st.caption(t("quality_demo_recorded", lang))
if actor.is_admin and organisation_id is None:
    fx.dataframe({t("organisation", lang): [r["organisation"] for r in overview],
                  t("quality_last_update", lang): [moment_text(r["last_update"], lang) if r["last_update"]
                                                   else fmt.MISSING for r in overview],
                  t("quality_steps", lang): [r["steps"] for r in overview],
                  t("quality_share", lang): [fmt.MISSING if r["share"] is None else fmt.percent(r["share"], lang)
                                             for r in overview]}, hide_index=True, key="per_organisation")

# --- monthly sign-off ----------------------------------------------------------------------------
st.header(t("quality_signoff", lang))
st.caption(t("quality_signoff_intro", lang))
closed = ui.read(signoff.signed_off, actor.organisation_id if not actor.is_admin else organisation_id)
if closed:
    fx.dataframe({t("organisation", lang): [c["organisation"] for c in closed],
                  t("quality_month", lang): [fmt.month_label(c["month"].strftime("%Y-%m"), lang) for c in closed],
                  t("quality_signed_by", lang): [c["signed_by"] for c in closed]}, hide_index=True, key="signed_off")
else:
    st.caption(t("quality_none_signed", lang))
ended = []  # the months that have ended since the launch, newest first
year, month = date.today().year, date.today().month
while (year, month) > (LAUNCH.year, LAUNCH.month):
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    ended.append(f"{year:04d}-{month:02d}")
if actor.role == "coordinator":
    with st.form("sign_off"):
        # Offered first: the last month that had ended by the date the page shows.
        shown_month = (as_of.year - 1, 12) if as_of.month == 1 else (as_of.year, as_of.month - 1)
        first = f"{shown_month[0]:04d}-{shown_month[1]:02d}"
        st.selectbox(t("quality_month", lang), ended, key="so_month", index=ended.index(first) if first in ended else 0,
                     format_func=lambda m: fmt.month_label(m, lang))
        fx.field_error("sign_off", "month")
        st.form_submit_button(t("quality_sign_off", lang), type="primary", on_click=fx.submit,
                              args=("sign_off", signoff.sign_off),
                              kwargs={"values": lambda: fx.value("so_month"), "done": "{result.month}"})
    fx.outcome("sign_off", lang, ("month",))
elif closed:
    choices = {i: f'{c["organisation"]} · {fmt.month_label(c["month"].strftime("%Y-%m"), lang)}' for i, c in enumerate(closed)}
    with st.form("reopen"):
        st.selectbox(t("quality_month", lang), list(choices), format_func=choices.get, key="ro_pick")

        def reopen(session, who, pick):
            row = closed[pick]
            return signoff.reopen(session, who, row["organisation_id"], row["month"])

        st.form_submit_button(t("quality_reopen", lang), type="primary", on_click=fx.submit,
                              args=("reopen", reopen), kwargs={"values": lambda: fx.value("ro_pick"),
                                                                 "done": "{result.month}"})
    fx.outcome("reopen", lang, ("month",))

# --- thresholds (admin) --------------------------------------------------------------------------
if actor.is_admin:
    st.header(t("quality_thresholds", lang))
    with st.form("thresholds"):
        for key in quality_settings.THRESHOLDS:
            st.number_input(t(f"setting.{key}", lang), min_value=1, max_value=quality_settings.MAX_DAYS,
                            value=limits[key], step=1, key=f"th_{key}")
            fx.field_error("thresholds", key)

        def save_thresholds(session, who):
            for key in quality_settings.THRESHOLDS:
                if fx.value(f"th_{key}") != limits[key]:
                    quality_settings.set_threshold(session, who, key, fx.value(f"th_{key}"))
            return t("quality_thresholds_saved", lang)

        st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit, args=("thresholds", save_thresholds))
    fx.outcome("thresholds", lang, tuple(quality_settings.THRESHOLDS))
