"""Lijst uploaden: a template per kind, a check that writes nothing (preview of what would be created
and changed, every error by row and column), and only then, on confirmation, the import itself."""

import hashlib

import streamlit as st

from ui import forms as fx
import ui
from ui import style
from eet.entry import upload_templates
from eet.texts import t
from eet.texts import formatting as fmt
from eet.entry.imports import KINDS, import_file
from eet.entry.tabular import SUFFIXES, visible_sheets

actor, lang, _ = ui.context()
st.title(t("page_upload", lang))
ui.demo_banner(lang)
st.write(t("upload_intro", lang))

kind = st.radio(t("import_kind", lang), KINDS, horizontal=True, key="up_kind",
                format_func=lambda k: t(f"kind_{k}", lang))
st.caption(t("template", lang) + ": " + fmt.plain(", ".join(upload_templates.header(kind, lang))))
c1, c2 = st.columns(2)
c1.download_button(t("template_csv", lang), upload_templates.template_csv(kind, lang),
                   file_name=upload_templates.file_name(kind, lang, "csv"), mime="text/csv", key="up_tpl_csv",
                   help=t("template_csv_help", lang))
c2.download_button(t("template_xlsx", lang), upload_templates.template_xlsx(kind, lang),
                   file_name=upload_templates.file_name(kind, lang, "xlsx"),
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="up_tpl_xlsx",
                   help=t("template_xlsx_help", lang))

types = [suffix.lstrip(".") for suffix in SUFFIXES]
style.upload_texts(lang, types, st.get_option("server.maxUploadSize"))  # its button and limit in the page's language
upload = st.file_uploader(t("file", lang), type=types, key=f"up_file_{kind}",
                          help=t("file_help", lang))
st.caption(t("file_help", lang))
sheet = None
if upload is not None:
    # The sheet names of this upload, once per file (a rerun of the page does not unpack it again).
    name_key = hashlib.sha256(upload.getvalue()).hexdigest()
    if st.session_state.get("up_sheets", (None,))[0] != name_key:
        st.session_state["up_sheets"] = (name_key, visible_sheets(upload.getvalue(), upload.name))
    sheets = st.session_state["up_sheets"][1]
    if len(sheets) > 1:  # a workbook with several sheets: the user may pick the one meant
        picked = st.selectbox(t("upload_sheet", lang), [""] + sheets, key=f"up_sheet_{kind}",
                              format_func=lambda name: name or t("upload_sheet_auto", lang))
        sheet = picked or None


def run(dry_run: bool):
    data = upload.getvalue()
    bar = st.progress(0.0)

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=t("progress", lang, done=done, total=total))

    result = import_file(ui.engine(), kind, data, upload.name, actor=actor, dry_run=dry_run, progress=progress,
                         sheet=sheet)
    bar.empty()
    return result


def place(value) -> str:
    """A row or column number, or "–" for an issue of the whole file (never Python's None)."""
    return fmt.MISSING if value is None else str(value)


def show(result) -> None:
    if result.sheet:
        st.caption(t("upload_sheet_read", lang, sheet=fx.plain(result.sheet)))
    if result.warnings:  # said, not refused: the file can still be saved
        st.warning(t("upload_warnings", lang, n=len(result.warnings)))
        fx.dataframe([{t("row", lang): place(issue.row), t("column", lang): place(issue.column),
                       t("message", lang): issue.text(lang)} for issue in result.warnings],
                     hide_index=True, key="up_warnings")
    if result.ignored_columns:
        st.caption(t("ignored_columns", lang, columns=fx.plain(", ".join(result.ignored_columns))))
    if result.errors:
        st.error(t("preview_errors", lang, n=len(result.errors)))
        # Each issue keeps the refusal itself, so it is told in the page's language.
        fx.dataframe([{t("row", lang): place(issue.row), t("column", lang): place(issue.column),
                       t("message", lang): issue.text(lang)} for issue in result.errors],
                      hide_index=True, key="up_errors")
        if result.more_errors:
            st.caption(t("upload_more_errors", lang, n=fmt.number(result.more_errors, lang)))
        return
    fx.dataframe([{t("row", lang): r.row, t("key", lang): r.key, t("what", lang): t(f"outcome_{r.outcome}", lang),
                   t("description", lang): r.text(lang)} for r in result.rows], hide_index=True, key="up_rows")


if upload is not None:
    digest = hashlib.sha256(upload.getvalue()).hexdigest() + kind + (sheet or "")
    if st.button(t("check", lang), key="up_check"):
        result = run(dry_run=True)
        st.session_state["up_preview"] = (digest, result)
        st.session_state.pop("up_done", None)
    preview = st.session_state.get("up_preview")
    saved = st.session_state.get("up_done")
    if preview is not None and preview[0] != digest:
        st.info(t("file_changed", lang))
    elif preview is not None:
        result = preview[1]
        if result.ok:
            st.success(t("preview_ok", lang, **{k: fmt.number(v, lang) for k, v in result.counts.items()}))
        show(result)
        if result.ok and st.button(t("confirm", lang), type="primary", key="up_confirm"):
            # Saved, then drawn afresh: the preview ("nothing saved yet") and the button go, the
            # outcome stays until the next check.
            st.session_state["up_done"] = (digest, run(dry_run=False))
            st.session_state.pop("up_preview", None)
            st.rerun()
    elif saved is not None and saved[0] == digest:
        done = saved[1]
        if done.ok:
            st.success(t("imported", lang, **{k: fmt.number(v, lang) for k, v in done.counts.items()}))
        show(done)  # on a refusal (the data changed between check and confirmation) nothing was written
