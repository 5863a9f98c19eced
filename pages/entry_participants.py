"""Invoer deelnemers: register a participant, record a step of their route (assessment, match,
move-in, exit, withdrawal), and correct or void a wrong step (never deleted: it stays, voided, with
who and why).

The kind of step is chosen above its form, because a form does not rerun when a widget inside it
changes: the form then asks only what that kind of step takes (an assessment: geschikt / niet
geschikt; an exit: positief / negatief / overleden; a withdrawal: the reason; a match or a move-in:
the dwelling)."""

from datetime import date

import streamlit as st

from ui import forms as fx
import ui
from eet.entry import data_entry, next_step
from eet.texts import formatting as fmt
from eet.texts import code_label, event_label, t
from eet.store.models import AGE_BANDS, ASSESSMENT_OUTCOMES, EVENT_KINDS, EXIT_OUTCOMES
from eet.entry.schemas import NOTE_MAX, REASON_MAX
from eet.entry import organisations

actor, lang, _ = ui.context()
st.title(t("page_entry_participants", lang))
ui.demo_banner(lang)

referrers = sorted({name for kind in ("municipality", "care_provider", "housing_corporation", "referral")
                    for _, name in ui.read(organisations.partners, kind)})
# Only what the actor may put on a participant: a coordinator's own organisation where it is of the kind.
municipalities = [name for _, name in ui.read(organisations.choosable, actor, "municipality")]
providers = [name for _, name in ui.read(organisations.choosable, actor, "care_provider")]
codes = ui.read(data_entry.participant_codes, actor)
refs = ui.read(data_entry.dwelling_refs, actor)
today = date.today()
PARTICIPANT = ("code", "referrer", "care_provider", "municipality", "central_waiting_list", "referred_on", "age_band")
STEP = ("code", "event", "date", "outcome", "dwelling_ref", "note")
# The outcome each kind of step takes, as a choice; a withdrawal's is its reason, typed.
OUTCOMES = {"assessed": ASSESSMENT_OUTCOMES, "exited": EXIT_OUTCOMES}
WITH_DWELLING = ("matched", "housed")


def dash(fn=None):
    return lambda v: t("none", lang) if v is None else (fn(v) if fn else v)


def yes_no(v):
    return t("yes", lang) if v else t("no", lang)


# A link from the by-name list (pages/my_participants.py): ?code=P-0003&stap=housed opens the
# step form with that participant and that kind of step chosen, once per link.
asked = (st.query_params.get("code"), st.query_params.get("stap"))
if asked[0] and asked[0] in codes and st.session_state.get("_sp_asked") != asked:
    st.session_state["_sp_asked"] = asked
    st.session_state["sp_code"] = asked[0]
    if asked[1] in EVENT_KINDS:
        st.session_state["sp_event"] = asked[1]
tab_names = [t("tab_new_participant", lang), t("tab_step", lang), t("tab_correct", lang)]
new_tab, step_tab, correct_tab = st.tabs(tab_names, default=tab_names[1] if asked[0] in codes else None)

with new_tab:
    form = fx.Form("new_participant", "np", lang)
    with st.form(form.name):
        c1, c2 = st.columns(2)
        form.field(c1.text_input, "code", max_chars=40, placeholder="P-0001")
        form.field(c1.selectbox, "referrer", [None, *referrers], format_func=dash())
        form.field(c1.date_input, "referred_on", value=None, format="DD-MM-YYYY")
        form.field(c2.selectbox, "care_provider", [None, *providers], format_func=dash())
        form.field(c2.selectbox, "municipality", [None, *municipalities], format_func=dash())
        form.field(c2.selectbox, "central_waiting_list", [None, True, False], format_func=dash(yes_no))
        form.field(c2.selectbox, "age_band", [None, *AGE_BANDS], format_func=dash())
        form.save_button(data_entry.register, PARTICIPANT)
    form.outcome(PARTICIPANT)


def kind_of_step(form: fx.Form, kinds, disabled: bool = False) -> str:
    """The kind of step, above the form (a change reruns the page, so the form shows its fields):
    only the kinds in `kinds` (what can follow, eet.entry.next_step)."""
    if st.session_state.get(form.key("event")) not in kinds:
        st.session_state[form.key("event")] = kinds[0]
    return form.field(st.selectbox, "event", list(kinds), label="step_kind", disabled=disabled,
                      format_func=lambda v: event_label(v, lang))


def step_widgets(form: fx.Form, kind: str, dwellings: list[str]) -> None:
    """Inside the form: the fields this kind of step takes, each followed by its error if refused;
    a match or a move-in names one of `dwellings`."""
    c1, c2 = st.columns(2)
    form.field(c1.date_input, "date", value=None, format="DD-MM-YYYY")
    outcome_key = form.key(f"outcome_{kind}")
    if kind in OUTCOMES:
        c2.radio(t(f"outcome_{kind}", lang), OUTCOMES[kind], index=None, key=outcome_key,
                 format_func=lambda v: code_label("outcome", v, lang), horizontal=True)
    elif kind == "withdrawn":
        c2.text_input(t("withdrawal_reason", lang), key=outcome_key, max_chars=REASON_MAX)
    form.error("outcome", c2)
    if kind in WITH_DWELLING:
        fx.code_box(c1, t("dwelling_ref", lang), dwellings, form.key("dwelling_ref"), lang, say_unknown=False)
        if not dwellings:
            c1.caption(t("no_match_choices", lang))
    form.error("dwelling_ref", c1)
    form.field(st.text_area, "note", max_chars=NOTE_MAX, height=80)


def step_values(p: str, code: str) -> dict:
    """The step as the write takes it: the outcome of the chosen kind only, and a dwelling only for a
    match or a move-in (a field the form does not show is not sent)."""
    kind = st.session_state.get(f"{p}_event")
    return {"code": code, "event": kind, "date": fx.value(f"{p}_date"),
            "outcome": fx.value(f"{p}_outcome_{kind}"),
            "dwelling_ref": fx.value(f"{p}_dwelling_ref") if kind in WITH_DWELLING else None,
            "note": fx.value(f"{p}_note")}


def step_keys(p: str) -> tuple[str, ...]:
    """What a saved step clears: everything but the participant and the kind of step."""
    return (f"{p}_date", f"{p}_dwelling_ref", f"{p}_note", *(f"{p}_outcome_{kind}" for kind in EVENT_KINDS))


with step_tab:
    if not codes:
        st.info(t("no_participant_rows", lang))
    else:
        code = fx.code_box(st, t("choose_participant", lang), codes, "sp_code", lang)
        if code:
            follows = ui.read(next_step.next_steps, actor, code, today)
            st.info(fx.plain(follows.situation.text(lang)), icon=":material/directions:")
            if follows.kinds:
                form = fx.Form("step", "sp", lang)
                if st.session_state.get("_sp_at") != (code, follows.step, follows.since):
                    # A participant chosen, or a step saved: the kind that usually follows first.
                    st.session_state["_sp_at"] = (code, follows.step, follows.since)
                    st.session_state["sp_event"] = follows.kinds[0]
                kind = kind_of_step(form, follows.kinds)
                # A move-in goes into the matched dwelling; a match into an available one.
                dwellings = ([follows.dwelling_ref] if kind == "housed" and follows.dwelling_ref
                             else ui.read(next_step.match_choices, actor, today) if kind == "matched" else [])
                if st.session_state.get("_sp_loaded") != (code, kind):
                    st.session_state["_sp_loaded"] = (code, kind)
                    st.session_state["sp_dwelling_ref"] = dwellings[0] if kind == "housed" and dwellings else None
                with st.form(form.name):
                    step_widgets(form, kind, dwellings)

                    def step_write(session, who, values):
                        return f"{values['code']}: {event_label(values['event'], lang)} " + \
                            t(f"outcome_{data_entry.record_step(session, who, values)}", lang)  # in words

                    st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit,
                                          args=("step", step_write),
                                          kwargs={"values": lambda c=code: step_values("sp", c),
                                                  "clear": step_keys("sp")})
        fx.outcome("step", lang, STEP)


def load_step(step: dict) -> None:
    """The correction form starts from the chosen step: its kind, date, outcome, dwelling and note."""
    st.session_state["cr_event"] = step["event"]
    st.session_state["cr_date"] = step["date"]
    for kind in EVENT_KINDS:
        st.session_state[f"cr_outcome_{kind}"] = step["outcome"] if kind == step["event"] else None
    st.session_state["cr_dwelling_ref"] = step["dwelling_ref"]
    st.session_state["cr_note"] = step["note"] or ""
    st.session_state["cr_change_kind"] = False


with correct_tab:
    if not codes:
        st.info(t("no_participant_rows", lang))
    else:
        code = fx.code_box(st, t("choose_participant", lang), codes, "cr_code", lang)
        if code:
            history = ui.read(data_entry.events_for_correction, actor, code)
            st.caption(t("history", lang))
            # st.dataframe shows every cell as text: a note is never rendered as markup; an empty
            # cell is empty, never "None".
            st.dataframe([{
                "#": e["id"], t("event", lang): event_label(e["event"], lang),
                t("date", lang): e["date"].strftime("%d-%m-%Y"),
                t("outcome", lang): (code_label("outcome", e["outcome"], lang) if e["event"] in OUTCOMES
                                     else e["outcome"] or ""),
                t("dwelling_ref", lang): e["dwelling_ref"] or "", t("note", lang): e["note"] or "",
                t("voided", lang): (e["void_reason"] or "") if e["voided"] else "",
                "↩": t("corrects", lang, id=e["corrects_id"]) if e["corrects_id"] else "",
            } for e in history], hide_index=True)
            active = [e for e in history if not e["voided"]]
            if active:
                by_id = {e["id"]: e for e in active}
                chosen = st.selectbox(t("choose_step", lang), list(by_id), key="cr_event_id",
                                      format_func=lambda i: f"#{i} {event_label(by_id[i]['event'], lang)} "
                                                            f"{by_id[i]['date'].strftime('%d-%m-%Y')}")
                if chosen in by_id and st.session_state.get("_cr_loaded") != chosen:
                    st.session_state["_cr_loaded"] = chosen
                    load_step(by_id[chosen])
                original = by_id[chosen]["event"] if chosen in by_id else None
                form = fx.Form("correct", "cr", lang)
                change = st.checkbox(t("change_kind", lang), key="cr_change_kind", help=t("change_kind_help", lang))
                if not change and original:
                    st.session_state["cr_event"] = original
                kind = kind_of_step(form, EVENT_KINDS, disabled=not change)
                with st.form(form.name):
                    form.field(st.text_input, "reason", max_chars=500)
                    step_widgets(form, kind, refs)
                    c1, c2 = st.columns(2)

                    def void_write(session, who):
                        data_entry.void_step(session, who, st.session_state["cr_event_id"],
                                             st.session_state.get("cr_reason") or "")
                        return f"#{st.session_state['cr_event_id']} {t('voided', lang)}"

                    def correct_write(session, who, values):
                        values = {k: v for k, v in values.items() if k != "code"}
                        old = st.session_state["cr_event_id"]
                        was = by_id[old]["event"] if old in by_id else values["event"]
                        new_id = data_entry.correct_step(session, who, old, values,
                                                         st.session_state.get("cr_reason") or "",
                                                         change_kind=bool(st.session_state.get("cr_change_kind")))
                        if was != values["event"]:  # named in the confirmation
                            return f"#{new_id} " + t("corrects_kind_changed", lang, id=old,
                                                     old=event_label(was, lang), new=event_label(values["event"], lang))
                        return f"#{new_id} " + t("corrects", lang, id=old)

                    c1.form_submit_button(t("correct", lang), type="primary", on_click=fx.submit,
                                          args=("correct", correct_write),
                                          kwargs={"values": lambda c=code: step_values("cr", c)})
                    c2.form_submit_button(t("void", lang), on_click=fx.submit, args=("correct", void_write))
            fx.outcome("correct", lang, STEP + ("reason",))

# --- issue 17: a self-sufficiency measurement (ZRM), by the participant's care provider -----------
from eet.entry import measurements  # noqa: E402
from eet.store.models import ZRM_DOMAINS  # noqa: E402
from eet.texts import label  # noqa: E402

ZRM_FIELDS = ("code", "date", *ZRM_DOMAINS)
st.subheader(t("zrm_form_title", lang))
st.caption(t("zrm_form_help", lang))
with st.form("zrm"):
    c1, c2 = st.columns(2)
    fx.code_box(c1, t("code", lang), codes, "zrm_code", lang, say_unknown=False)
    with c1:
        fx.field_error("zrm", "code")
    c2.date_input(t("date", lang), value=None, key="zrm_date", format="DD-MM-YYYY")
    with c2:
        fx.field_error("zrm", "date")
    for column, domains in zip(st.columns(3), (ZRM_DOMAINS[0:5], ZRM_DOMAINS[5:9], ZRM_DOMAINS[9:])):
        with column:
            for domain in domains:
                st.selectbox(label("zrm", domain, lang), [None, 1, 2, 3, 4, 5], key=f"zrm_{domain}",
                             format_func=lambda v: t("zrm_not_scored", lang) if v is None else str(v))
                fx.field_error("zrm", domain)
    st.form_submit_button(t("save", lang), type="primary", on_click=fx.submit,
                          args=("zrm", measurements.save_measurement),
                          kwargs={"values": lambda: fx.values("zrm", ZRM_FIELDS),
                                  "clear": tuple(f"zrm_{n}" for n in ZRM_FIELDS)})
fx.outcome("zrm", lang, ZRM_FIELDS)
zrm_rows = ui.read(measurements.measurement_rows, actor)
if zrm_rows:
    fx.dataframe({
        t("code", lang): [r["code"] for r in zrm_rows[:50]],
        t("date", lang): [r["date"].strftime("%d-%m-%Y") for r in zrm_rows[:50]],
        t("zrm_total", lang): [r["total"] for r in zrm_rows[:50]],
        t("zrm_scored", lang): [r["scored"] for r in zrm_rows[:50]],
    }, hide_index=True, key="zrm_table")
