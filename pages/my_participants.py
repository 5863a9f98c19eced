"""Mijn deelnemers: the by-name list (eet.figures.worklist) of the coordinator's organisation (all,
or one organisation's, for the admin and researchers): the step each participant is at on the as-of
date, since when, the dwelling and what is due next; sorted and filtered by step and days, as csv
and Excel. A row chosen opens that participant's route on the entry page with the next step's form
(?code=…&stap=…). Never shown to viewers (eet refuses it too)."""

import streamlit as st

from ui import forms as fx
import ui
from eet.entry import organisations
from eet.figures import worklist as wl
from eet.quality import settings as quality_settings
from eet.texts import formatting as fmt
from eet.texts import t

actor, lang, as_of = ui.context()
st.title(t("page_my_participants", lang) + " · " + fmt.long_date(as_of, lang))
ui.demo_banner(lang)

organisation_id = None
if actor.role in ("admin", "researcher"):
    names = dict(ui.read(organisations.names))
    choices = sorted(names, key=lambda o: names[o].lower())
    organisation_id = st.selectbox(t("organisation", lang), [None, *choices], key="wl_org",
                                   format_func=lambda o: t("all_organisations", lang) if o is None else names[o])
rows = ui.read(wl.worklist, actor, as_of, organisation_id)
writes = actor.role in ("admin", "coordinator")
st.caption(t("worklist_intro" if writes else "worklist_intro_read", lang, date=fmt.long_date(as_of, lang),
             n=fmt.number(len(rows), lang)))
if not rows:
    st.info(t("worklist_none", lang, date=fmt.long_date(as_of, lang)))
    st.stop()

HEIGHT = 560  # about fifteen rows in sight on a laptop and a tablet
overdue_days = ui.read(quality_settings.thresholds)["quality.match_to_move_in_days"]


def step_word(step: str) -> str:
    return t(f"worklist.step.{step}", lang)


def due_word(due: str | None) -> str:
    return "" if due is None else t(f"worklist.due.{due}", lang, days=overdue_days)


filters = st.container(horizontal=True, gap="medium")
present = [s for s in wl.STEPS if any(r.step == s for r in rows)]
steps = filters.multiselect(t("worklist_filter_steps", lang), present, default=[], key="wl_steps",
                            format_func=step_word, placeholder=t("all_steps", lang), width=320)
min_days = filters.number_input(t("worklist_min_days", lang), min_value=0, value=0, step=7, key="wl_days", width=220)
order = filters.selectbox(t("worklist_sort", lang), wl.SORTS, key="wl_sort", width=220,
                          format_func=lambda o: t(f"worklist_sort.{o}", lang))
due_only = st.checkbox(t("worklist_due_only", lang), key="wl_due_only")
shown = wl.narrowed(rows, steps, min_days, due_only, order)

table = {t("code", lang): [r.code for r in shown],
         t("worklist_step", lang): [step_word(r.step) for r in shown],
         t("worklist_since", lang): [fmt.short_date(r.since, lang) for r in shown],
         t("worklist_days", lang): [r.days for r in shown],
         t("worklist_dwelling", lang): [r.dwelling_ref or "" for r in shown],
         t("worklist_due", lang): [due_word(r.due) for r in shown]}
if writes:
    picked = fx.dataframe(table, hide_index=True, key="worklist", on_select="rerun", selection_mode="single-row",
                          height=HEIGHT)
    chosen = picked.selection.rows if picked is not None else []
    if chosen:
        row = shown[chosen[0]]
        kind = wl.NEXT_STEP[row.step]
        st.switch_page("pages/entry_participants.py",
                       query_params={**st.query_params.to_dict(), "code": row.code, **({"stap": kind} if kind else {})})
else:
    fx.dataframe(table, hide_index=True, key="worklist", height=HEIGHT)
st.caption(t("worklist_shown", lang, shown=fmt.number(len(shown), lang), total=fmt.number(len(rows), lang)))

stamp = as_of.isoformat()
downloads = st.container(horizontal=True, gap="small")
downloads.download_button(t("download_csv", lang), ui.deferred(wl.csv_for, actor, as_of, organisation_id),
                          file_name=f"deelnemers-{stamp}.csv", mime="text/csv", key="wl_csv")
downloads.download_button(t("download_xlsx", lang), ui.deferred(wl.xlsx_for, actor, as_of, organisation_id),
                          file_name=f"deelnemers-{stamp}.xlsx", key="wl_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
