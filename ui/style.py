"""What Streamlit has no option for, done with a stylesheet (no script): the sidebar on a tablet, the
printed page, a chart's PNG button without hovering, and the few texts of Streamlit's own widgets
that it writes in English whatever the page's language.

- Sidebar: st.set_page_config(initial_sidebar_state="auto") collapses the sidebar only below 768 px
  (Streamlit's "md" breakpoint), so a tablet at 820 px opened with 300 px of sidebar over the page.
  dashboard.py asks for "collapsed"; below WIDE_PX it stays collapsed and opens with its » button;
  from WIDE_PX up this stylesheet shows the collapsed sidebar as an open one, as before (the
  browser remembers a person's own choice: Streamlit keeps it in localStorage).
- Print (@media print): no sidebar, header, toolbars or widgets; the page's figures, charts and
  tables over the paper's full width, a chart or table never cut by a page break.
- Charts: `chart()` draws a Plotly figure with its mode bar always shown, holding one button, the
  PNG download (a tablet has no hover to reveal it), titled in the page's language; below it the
  chart's figures in a sentence and its data as a table (eet.charts.access).
- Accessibility (WCAG 2.1 AA, issue 26): `_ACCESS` raises Streamlit's captions (60% opacity: 3.9:1)
  and input borders (1.4:1) to readable contrast and gives every control, link and the page's main
  region a visible focus ring; `_ACCESS_SCRIPT` (the one script of the page, run again after each
  redraw) declares the page's language on <html>, hides a chart's drawing from screen readers
  (they read its summary and data table, ui.style.chart), ties a form's refusal to the field above
  it (aria-invalid, aria-describedby), applies a typed date on Enter, and keeps one browser history
  entry per page change.
- Dutch pages: the empty date field reads dd-mm-jjjj (react-aria writes the browser's "yyyy"), and
  the file upload's button and limit read in Dutch and the chosen file's size ("333.0B") is left
  out (`upload_texts`): st.date_input and st.file_uploader have no option for these texts.
"""

from __future__ import annotations

import json

import streamlit as st

from eet.charts import access
from eet.charts.base import plotly_config
from eet.texts import t
from ui import shared

WIDE_PX = 1000  # below this width the sidebar starts collapsed

_SIDEBAR = f"""
@media (min-width: {WIDE_PX}px) {{
  section[data-testid="stSidebar"][data-collapsed="true"] {{
    min-width: 300px !important; max-width: 300px !important; transform: none !important;
  }}
  [data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"] {{ display: none !important; }}
}}
"""

_PRINT = """
@media print {
  @page { size: A4 portrait; margin: 12mm; }
  section[data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stExpandSidebarButton"], [data-testid="stElementToolbar"], [data-testid="stStatusWidget"],
  [data-testid="stDecoration"], .modebar-container,
  [data-testid="stMain"] [data-testid="stButton"], [data-testid="stMain"] [data-testid="stDownloadButton"],
  [data-testid="stMain"] [data-testid="stForm"], [data-testid="stMain"] [data-testid="stFileUploader"],
  [data-testid="stMain"] [data-testid="stTabs"] [role="tablist"], [data-testid="stMain"] [data-testid="stPageLink"],
  [data-testid="stMain"] [data-testid="stSelectbox"], [data-testid="stMain"] [data-testid="stMultiSelect"],
  [data-testid="stMain"] [data-testid="stDateInput"], [data-testid="stMain"] [data-testid="stRadio"],
  [data-testid="stMain"] [data-testid="stTextInput"], [data-testid="stMain"] [data-testid="stNumberInput"],
  [data-testid="stMain"] [data-testid="stCheckbox"] {
    display: none !important;
  }
  [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stMainBlockContainer"] {
    max-width: none !important; width: 100% !important; padding: 0 !important; margin: 0 !important;
    overflow: visible !important; height: auto !important; position: static !important;
  }
  [data-testid="stPlotlyChart"], [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stMetric"] {
    break-inside: avoid; page-break-inside: avoid;
  }
  [data-testid="stPlotlyChart"] .js-plotly-plot, [data-testid="stPlotlyChart"] .plot-container,
  [data-testid="stPlotlyChart"] .svg-container { max-width: 100% !important; }
  [data-testid="stPlotlyChart"] svg.main-svg { max-width: 100% !important; height: auto !important; }
  h1 { font-size: 1.8rem !important; }
}
"""


# Colours with at least 4.5:1 on white and on the sidebar's #f0f2f6 (text) or 3:1 (borders, focus).
MUTED_TEXT = "#5c5f6b"
INPUT_BORDER = "#767986"
FOCUS = "#0b5cad"

_ACCESS = f"""
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"] p {{
  opacity: 1 !important; color: {MUTED_TEXT} !important;
}}
[data-testid="stTextInputRootElement"], [data-testid="stNumberInputContainer"],
[data-testid="stTextAreaRootElement"], [data-testid="stDateInput"] [role="group"],
[data-testid="stTimeInput"] [data-baseweb="input"], [data-baseweb="select"] > div,
[data-testid="stSelectbox"] [role="group"], [data-testid="stMultiSelect"] [role="group"],
[data-testid="stDateInputField"], [data-testid="stFileUploaderDropzone"] {{
  border-color: {INPUT_BORDER} !important;
}}
[data-testid="stRadio"] label > div:first-of-type, [data-testid="stCheckbox"] label > span:first-of-type {{
  border-color: {INPUT_BORDER};
}}
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, summary:focus-visible,
[role="radio"]:focus-visible, [role="tab"]:focus-visible, [role="option"]:focus-visible,
[tabindex]:focus-visible, label:focus-within:has(input[type="radio"]:focus-visible),
label:focus-within:has(input[type="checkbox"]:focus-visible) {{
  outline: 3px solid {FOCUS} !important; outline-offset: 2px !important;
}}
[data-testid="stTextInputRootElement"]:focus-within, [data-testid="stNumberInputContainer"]:focus-within,
[data-testid="stTextAreaRootElement"]:focus-within, [data-testid="stDateInput"] [role="group"]:focus-within,
[data-baseweb="select"] > div:focus-within {{
  outline: 3px solid {FOCUS} !important; outline-offset: 1px !important;
}}
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child) {{ display: none; }}
main:focus, main:focus-visible {{ outline: 3px solid {FOCUS} !important; outline-offset: -3px !important; }}
main:focus:not(:focus-visible) {{ outline: none !important; }}
"""

# One script for every page (st.html runs it where it stands; it is drawn again only when its text
# changes, so it keeps its state on window and watches the page for what each redraw adds).
_ACCESS_SCRIPT = """
<script>
(() => {
  const w = window;
  w.__eetLang = "%(lang)s";
  w.__eetWords = %(words)s;
  document.documentElement.lang = w.__eetLang;
  if (w.__eetAccess) { w.__eetAccess(); return; }
  const INPUTS = 'input:not([type="hidden"]), textarea, [role="combobox"]';
  let pending = false;
  function mark() {
    pending = false;
    if (document.documentElement.lang !== w.__eetLang) document.documentElement.lang = w.__eetLang;
    // Streamlit's own English words for a screen reader, in the page's language: the link beside a
    // heading; a decorative icon ("science icon") is not read at all.
    document.querySelectorAll('[data-testid="stHeaderActionElements"] a').forEach(a => {
      if (a.getAttribute('aria-label') !== w.__eetWords.heading_link) a.setAttribute('aria-label', w.__eetWords.heading_link);
    });
    // Streamlit's hint under a text field ("Press Enter to submit form"), in the page's language.
    document.querySelectorAll('[data-testid="InputInstructions"]').forEach(hint => {
      const walker = document.createTreeWalker(hint, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const [english, own] of Object.entries(w.__eetWords.hints)) {
          if (node.nodeValue.includes(english)) node.nodeValue = node.nodeValue.replace(english, own);
        }
      }
    });
    document.querySelectorAll('[data-testid="stMain"] span[role="img"][aria-label$=" icon"]').forEach(icon => {
      if (icon.getAttribute('aria-hidden') !== 'true') icon.setAttribute('aria-hidden', 'true');
    });
    // A chart's drawing is read through its summary and data table (ui.style.chart).
    document.querySelectorAll('.js-plotly-plot svg.main-svg').forEach(el => {
      if (el.getAttribute('aria-hidden') !== 'true') el.setAttribute('aria-hidden', 'true');
    });
    // A refusal drawn right below a field (ui.forms.Form) describes that field.
    const described = new Set();
    document.querySelectorAll('[data-testid="stAlertContentError"]').forEach((alert, i) => {
      const box = alert.closest('[data-testid="stElementContainer"]');
      const before = box && box.previousElementSibling;
      // A single widget right above it: not a form or a block of several (a form's outcome).
      const single = before && before.matches('[data-testid="stElementContainer"]')
        && !before.querySelector('[data-testid="stVerticalBlock"], [data-testid="stForm"]');
      const field = single && before.querySelector(INPUTS);
      if (!field) return;
      if (!alert.id) alert.id = 'eet-refusal-' + i + '-' + Math.random().toString(36).slice(2, 8);
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-describedby', alert.id);
      field.dataset.eetRefused = '1';
      described.add(field);
    });
    document.querySelectorAll('[data-eet-refused]').forEach(field => {
      if (described.has(field)) return;
      field.removeAttribute('aria-invalid');
      field.removeAttribute('aria-describedby');
      delete field.dataset.eetRefused;
    });
  }
  w.__eetAccess = () => { if (!pending) { pending = true; requestAnimationFrame(mark); } };
  new MutationObserver(w.__eetAccess).observe(document.body, {childList: true, subtree: true});
  // A typed date applies on Enter, as it does when the field is left (react-aria applies on blur).
  // One history entry per page change: Streamlit pushes an entry for the page and one for each
  // change of the query the page then writes (?lang=, ?as_of=), so Back took three presses. A
  // change of the query alone replaces the entry.
  const push = history.pushState.bind(history);
  history.pushState = (state, title, url) => {
    const next = url === undefined || url === null ? null : new URL(url, location.href);
    if (next && next.pathname === location.pathname) return history.replaceState(state, title, url);
    return push(state, title, url);
  };
  // The field applies a typed date when one interacts outside it: a press elsewhere, then leaving it.
  document.addEventListener('keydown', event => {
    if (event.key !== 'Enter' || !(event.target.closest && event.target.closest('[data-testid="stDateInput"]'))) return;
    for (const kind of ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click']) {
      const Kind = kind.startsWith('pointer') ? PointerEvent : MouseEvent;
      document.body.dispatchEvent(new Kind(kind, {bubbles: true, cancelable: true, button: 0, pointerType: 'mouse', isPrimary: true}));
    }
    const target = event.target;
    target.blur();
    setTimeout(() => target.isConnected && target.focus(), 150);  // the keyboard stays where it was
  }, true);
  mark();
})();
</script>
"""


def css_text(text: str) -> str:
    """A text as the content of a CSS string: quotes and backslashes escaped, one line."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _replaced(selector: str, text: str, size: str = "14px") -> str:
    """The text of `selector` (an element of Streamlit's own) replaced by `text`, in its place."""
    return (f"{selector} {{ font-size: 0 !important; }}\n"
            f"{selector}::after {{ content: {css_text(text)}; font-size: {size}; }}\n")


def page_css(lang: str) -> str:
    """The stylesheet of every page in `lang`."""
    css = _SIDEBAR + _PRINT + _ACCESS
    year = t("date_placeholder_year", lang)
    if year != "yyyy":
        css += _replaced('[data-testid="stDateInput"] span[data-type="year"][data-placeholder="true"]', year)
    return css


def apply(lang: str) -> None:
    """The page's stylesheet (a <style> alone takes no room on the page) and its script (its row is
    hidden by the stylesheet)."""
    st.html(f"<style>{page_css(lang)}</style>")
    hints = {} if lang == "en" else {
        f"Press {key}Enter to {what}": t(name, lang, keys=key)
        for key in ("", "Ctrl+", "⌘+") for what, name in (("submit form", "input_hint_submit"),
                                                           ("apply", "input_hint_apply"))}
    words = json.dumps({"heading_link": t("heading_link", lang), "hints": hints}, ensure_ascii=False)
    st.html(_ACCESS_SCRIPT % {"lang": "nl" if lang == "nl" else "en", "words": words}, unsafe_allow_javascript=True)


def title(page: str, lang: str) -> None:
    """The browser's title of this page, "Woningen · Eerst een Thuis monitor" (WCAG 2.4.2): every
    page was titled with the monitor's name alone."""
    st.set_page_config(page_title=f"{page} · {t('app_title', lang)}")


def upload_css(lang: str, types: list[str], max_mb: int) -> str:
    """The file upload's button and limit line in `lang` (Streamlit writes "Upload" and "20MB per
    file • CSV, …"); nothing for English, which are Streamlit's own words."""
    if lang == "en":
        return ""
    limit = t("upload_limit", lang, mb=max_mb, types=", ".join(kind.upper() for kind in types))
    return (_replaced('[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p',
                      t("upload_button", lang))
            + _replaced('[data-testid="stFileUploaderDropzoneInstructions"] span', limit)
            # The chosen file's size beside its name, "333.0B", in English notation: left out.
            + '[data-testid="stFileChipName"] + div { display: none !important; }\n')


def upload_texts(lang: str, types: list[str], max_mb: int) -> None:
    if lang != "en":
        st.html(f"<style>{upload_css(lang, types, max_mb)}</style>")


def chart_config(lang: str, name: str) -> dict:
    """Plotly's config of a page's chart (eet.charts.base.plotly_config)."""
    return plotly_config(lang, name)


def chart(fig, *, key: str, where=None, title: str | None = None):
    """A chart as every page draws it (WCAG 2.1 AA, eet.charts.access): its text, lines and edges
    at readable contrast, with chart_config in the page's language; below it a sentence with its
    figures (a screen reader reads that, not the drawing) and its data as a table in a fold a
    keyboard opens. `fig` a Plotly figure or a ui.Kept one; `where` is a column (default: the
    page); `title` the chart's heading, for the sentence."""
    from ui import Kept, current_language
    from ui import forms as fx

    lang = current_language()
    place = where or st

    def make(copy):
        # On a copy of its own: the figure may be one kept for every session (ui.built), which
        # readable() would change in place while another session draws it.
        return access.readable(copy), (access.summary(copy, lang, title), access.data_table(copy, lang))

    # Made once per figure, language, key and title: a figure kept for every session is drawn by
    # twenty sessions at a meeting (issue 28).
    if isinstance(fig, Kept):
        made = shared.kept_chart(fig, (lang, key, title), chart_config(lang, key), make)
    else:
        made = shared.chart_once(fig, (lang, key, title), chart_config(lang, key), make)
    drawn = shared.chart_element(place, made, key=key)
    sentence, (columns, rows) = made.extra
    place.caption(fx.plain(sentence))
    if rows:
        with place.expander(t("chart_table", lang)):
            fx.table({name: [row[i] for row in rows] for i, name in enumerate(columns)})
    return drawn
