"""The form boundary of the data-entry pages: run one write of `eet` in one transaction when a form is
submitted, and show what it refused next to the field it names.

A form's submit button calls `submit` as its on_click callback, before the page is drawn again: on
success the form's inputs are cleared, on a refusal they are kept and each FieldError is stored under
the form's key, so `field_error` can mark the widget below which it is drawn. Messages pass through
`plain`, so that what a user typed is shown as text, never as markdown or HTML.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import streamlit as st

import ui
from eet.access import AccessDenied
from eet.db import session_scope
from eet.entry_text import t
from eet.schemas import RuleError

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(text: Any) -> str:
    """Text safe for st.markdown/st.error: every markdown and HTML character escaped."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def errors(form: str) -> dict[str, str]:
    return st.session_state.get(f"_errors_{form}", {})


def submit(form: str, write: Callable, *args, fields: dict[str, str] | None = None,
           values: Callable[[], dict] | None = None, done: str | None = None,
           clear: tuple[str, ...] = (), **kwargs) -> None:
    """on_click of a form's submit button. `write(session, actor, *args, [values()], **kwargs)`.
    `fields` maps a FieldError's field to another field name of this form (e.g. a batch's ref)."""
    st.session_state.pop(f"_errors_{form}", None)
    st.session_state.pop(f"_done_{form}", None)
    try:
        call_args = (*args, values()) if values is not None else args
        with session_scope(ui.engine()) as session:
            result = write(session, ui.actor(), *call_args, **kwargs)
    except RuleError as exc:
        marked: dict[str, str] = {}
        for error in exc.errors:
            name = (fields or {}).get(error.field, error.field)
            marked[name] = f"{marked[name]}; {error.message}" if name in marked else error.message
        st.session_state[f"_errors_{form}"] = marked
        return
    except AccessDenied as exc:
        st.session_state[f"_errors_{form}"] = {"_denied": str(exc)}
        return
    st.session_state[f"_done_{form}"] = (done or "{result}").format(result=result)
    for key in clear:
        st.session_state.pop(key, None)


def field_error(form: str, field: str) -> None:
    message = errors(form).get(field)
    if message:
        st.error(plain(message), icon="⚠️")


def outcome(form: str, lang: str, known_fields: tuple[str, ...] = ()) -> None:
    """After a submit: what was saved, or that nothing was and why (errors on fields not drawn in
    the form are listed here too)."""
    found = errors(form)
    if found:
        if "_denied" in found:
            st.error(t("denied", lang, why=plain(found["_denied"])))
            return
        if "version" in found:
            st.error(t("version_conflict", lang) + "\n\n" + plain(found["version"]), icon="🔁")
        else:
            st.error(t("refused", lang))
        for field, message in found.items():
            if field not in known_fields and field != "version":
                st.error(f"{plain(field)}: {plain(message)}")
    done = st.session_state.get(f"_done_{form}")
    if done:
        st.success(t("saved", lang, what=plain(done)))


def value(key: str) -> Any:
    """A widget's value as the write needs it: blank text is None."""
    raw = st.session_state.get(key)
    if isinstance(raw, str) and not raw.strip():
        return None
    return raw


def values(prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: value(f"{prefix}_{name}") for name in names}


def record_picker(form: str, prefix: str, rows: list[dict], fields: tuple[str, ...], describe: Callable[[dict], str],
                  lang: str, reload: Callable[[], list[dict]]) -> Callable[[], None]:
    """The selectbox above a form that adds or edits: "+ new" empties the form's widgets, an existing
    row loads its values (and its version, when it has one) into them. Returns the loader, for a
    reload button after a version conflict. `reload` reads the rows afresh inside the callback."""
    by_id = {row["id"]: row for row in rows}

    def load() -> None:
        st.session_state.pop(f"_errors_{form}", None)
        st.session_state.pop(f"_done_{form}", None)
        chosen = st.session_state.get(f"{prefix}_id")
        record = next((row for row in reload() if row["id"] == chosen), None) if chosen is not None else None
        for name in fields:
            if record is None:
                st.session_state.pop(f"{prefix}_{name}", None)
            else:
                st.session_state[f"{prefix}_{name}"] = record[name]
        st.session_state[f"{prefix}_version"] = record.get("version") if record else None

    st.selectbox(t("choose_record", lang), [None, *by_id], key=f"{prefix}_id", on_change=load,
                 format_func=lambda i: t("new_record", lang) if i is None else f"#{i} · {describe(by_id[i])}")
    return load
