"""Entry of the dashboard: page configuration, sign-in, and the pages this role may see.

Run with `streamlit run dashboard.py` (or `make run`). The language (?lang=en) and the as-of date
(?as_of=YYYY-MM-DD) live in the URL, so a view at a date can be shared as a link.
"""

from pathlib import Path

import streamlit as st

import ui
from eet.texts import formatting as fmt
from eet.texts import label, t

# The icon from a file beside the code: a ":material/...:" or emoji icon makes the browser fetch it from
# an outside server, and the monitor sends nothing anywhere (tests/test_browser_offline.py).
st.set_page_config(page_title="Eerst een Thuis monitor", page_icon=str(Path(__file__).parent / "ui/static/favicon.png"),
                   layout="wide")
ui.engine()  # first start: migrate, coalition and targets
ui.keep_alive()

lang = ui.language()
signed_in = ui.actor()

if signed_in is None:
    page = st.navigation([st.Page("pages/sign_in.py", title=t("sign_in", lang), url_path="inloggen")],
                         position="hidden")
else:
    as_of = ui.as_of(lang)
    pages = [
        st.Page("pages/overview.py", title=t("page_overview", lang), icon=":material/home:", default=True),
        st.Page("pages/dwellings.py", title=t("page_dwellings", lang), icon=":material/apartment:", url_path="woningen"),
        st.Page("pages/participants.py", title=t("page_participants", lang), icon=":material/group:", url_path="deelnemers"),
        st.Page("pages/research.py", title=t("page_research", lang), icon=":material/science:", url_path="onderzoek"),
        st.Page("pages/review.py", title=t("page_review", lang), icon=":material/event_note:", url_path="evaluatie"),
    ]
    # Data entry, registers and administration by role; eet refuses the same again for any other role.
    if signed_in.role in ("admin", "coordinator"):
        pages += [
            st.Page("pages/entry_dwellings.py", title=t("page_entry_dwellings", lang), icon=":material/edit:",
                    url_path="invoer-woningen"),
            st.Page("pages/entry_participants.py", title=t("page_entry_participants", lang), icon=":material/edit_note:",
                    url_path="invoer-deelnemers"),
            st.Page("pages/upload.py", title=t("page_upload", lang), icon=":material/upload_file:", url_path="uploaden"),
        ]
    if signed_in.role in ("admin", "researcher"):
        pages.append(st.Page("pages/registers.py", title=t("page_registers", lang),
                             icon=":material/fact_check:", url_path="registers"))
    if signed_in.role == "admin":
        pages += [
            st.Page("pages/admin.py", title=t("page_admin", lang), icon=":material/admin_panel_settings:",
                    url_path="beheer"),
            st.Page("pages/audit.py", title=t("page_audit", lang), icon=":material/history:",
                    url_path="audittrail"),
        ]
    page = st.navigation(pages)
    with st.sidebar:
        # The name escaped: accounts made before names were restricted may hold Markdown or HTML.
        st.markdown(t("signed_in_as", lang, user=fmt.plain(signed_in.username), role=label("role", signed_in.role, lang)))
        if st.button(t("sign_out", lang)):
            ui.sign_out()
            st.rerun()
page.run()
