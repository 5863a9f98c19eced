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
  PNG download (a tablet has no hover to reveal it), titled in the page's language.
- Dutch pages: the empty date field reads dd-mm-jjjj (react-aria writes the browser's "yyyy"), and
  the file upload's button and limit read in Dutch and the chosen file's size ("333.0B") is left
  out (`upload_texts`): st.date_input and st.file_uploader have no option for these texts.
"""

from __future__ import annotations

import streamlit as st

from eet.texts import t

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


def css_text(text: str) -> str:
    """A text as the content of a CSS string: quotes and backslashes escaped, one line."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _replaced(selector: str, text: str, size: str = "14px") -> str:
    """The text of `selector` (an element of Streamlit's own) replaced by `text`, in its place."""
    return (f"{selector} {{ font-size: 0 !important; }}\n"
            f"{selector}::after {{ content: {css_text(text)}; font-size: {size}; }}\n")


def page_css(lang: str) -> str:
    """The stylesheet of every page in `lang`."""
    css = _SIDEBAR + _PRINT
    year = t("date_placeholder_year", lang)
    if year != "yyyy":
        css += _replaced('[data-testid="stDateInput"] span[data-type="year"][data-placeholder="true"]', year)
    return css


def apply(lang: str) -> None:
    """The page's stylesheet (a <style> alone takes no room on the page)."""
    st.html(f"<style>{page_css(lang)}</style>")


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
    """Plotly's config: the mode bar always shown, with only the PNG download, titled in `lang`;
    the file is named after the chart."""
    return {
        "displayModeBar": True, "displaylogo": False, "modeBarButtons": [["toImage"]],
        "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2},
        # Plotly's own words (its button's title and the note while the image is made), in `lang`.
        "locale": lang, "locales": {lang: {"dictionary": {
            "Download plot as a PNG": t("chart_png", lang), "Download plot as a png": t("chart_png", lang),
            "Download plot": t("chart_png", lang),
            "Preparing image - this may take a few seconds": t("chart_png_preparing", lang)}}},
    }


def chart(fig, *, key: str, where=None):
    """st.plotly_chart (or `where.plotly_chart`, a column) with chart_config in the page's language."""
    from ui import current_language
    return (where or st).plotly_chart(fig, key=key, config=chart_config(current_language(), key))
