"""Entry of the dashboard: page configuration, sign-in, and the pages this role may see.

Run with `make run` (`streamlit run app.py`: app.py adds the routes that set the sign-in cookie).
The language (?lang=en) and the as-of date (?as_of=YYYY-MM-DD) live in the URL, so a view at a date
can be shared as a link. Every page is always known to the navigation, so a link works whoever
opens it: signed out it asks to sign in and then continues to that page; a page this role may not
see says so.
"""

import runpy
from pathlib import Path

import streamlit as st

import ui
from ui import style
from ui.navigation import NOT_FOUND, PAGES, PUBLIC_PAGES
from eet.texts import formatting as fmt
from eet.texts import label, t

# The icon from a file beside the code: a ":material/...:" or emoji icon makes the browser fetch it from
# an outside server, and the monitor sends nothing anywhere (tests/test_browser_offline.py).
st.set_page_config(page_title="Eerst een Thuis monitor", page_icon=str(Path(__file__).parent / "ui/static/favicon.png"),
                   layout="wide", initial_sidebar_state="collapsed")  # open from 1000 px up: ui/style.py
ui.engine()  # first start: migrate, coalition and targets

lang = ui.language()
style.apply(lang)  # every page, signed in or not: the sidebar on a tablet, print, Dutch widget texts
signed_in = ui.resolve_actor()

SIGN_IN = Path(__file__).resolve().parent / "pages" / "sign_in.py"
role = signed_in.role if signed_in else None
allowed = {}
pages = []
for file, title, icon, path, roles in PAGES:
    page = st.Page(f"pages/{file}.py", title=t(title, lang), icon=f":material/{icon}:",
                   url_path=path or None, default=not path,
                   visibility="visible" if role in roles else "hidden")
    allowed[page.url_path] = role in roles
    pages.append(page)

if signed_in is None:
    page = st.navigation(pages, position="hidden")
    if page.url_path in PUBLIC_PAGES:  # the accessibility statement: no sign-in needed
        style.title(page.title, lang)
        page.run()
        st.page_link(pages[0], label=t("sign_in", lang), icon=":material/login:")
        st.stop()
    # The sign-in form instead of the page asked for; after signing in the browser continues there.
    st.session_state["sign_in_next"] = ui.here(page.url_path)
    st.session_state["sign_in_title"] = page.title
    style.title(t("sign_in", lang), lang)
    runpy.run_path(str(SIGN_IN), run_name="sign_in")
    st.stop()

ui.as_of(lang)
page = st.navigation(pages, expanded=True)  # every page in sight: no English "View 3 more" button
style.title(page.title, lang)
with st.sidebar:
    # The name escaped: accounts made before names were restricted may hold Markdown or HTML.
    st.markdown(t("signed_in_as", lang, user=fmt.plain(signed_in.username), role=label("role", signed_in.role, lang)))
    if st.button(t("sign_out", lang)):
        ui.sign_out(ui.here(page.url_path))
        st.info(t("signing_out", lang))
        st.stop()
missing = st.query_params.get(NOT_FOUND)
if missing:  # app.py sent an address that is no page here
    st.info(t("page_not_found", lang, path=fmt.plain("/" + missing), page=fmt.plain(page.title)))
    del st.query_params[NOT_FOUND]
if not allowed.get(page.url_path, False):
    st.title(fmt.plain(page.title))
    st.warning(t("page_not_allowed", lang, role=label("role", signed_in.role, lang)))
    st.page_link(pages[0], label=t("to_overview", lang), icon=":material/home:")
    st.stop()
page.run()
