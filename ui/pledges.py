"""The partners' pledges per municipality as the overview, the dwellings page and the review page
draw them: the one table of eet.review.tables.pledge_table (the pack shows it too), the municipalities
behind their pledge named, the sum of the pledges beside the ambition and the target."""

from __future__ import annotations

import streamlit as st

from eet.review.tables import cell_text, pledge_table
from eet.texts import formatting as fmt
from eet.texts import t
from ui import forms as fx


def draw(view, lang: str, heading: bool = True) -> None:
    """`view`: an eet.figures.pledges.PledgeView. Nothing but a line when no pledge is recorded."""
    table = pledge_table(view, lang)
    if heading:
        st.subheader(table.title)
    if not any(s.pledge is not None for s in view.standings):
        st.caption(t("pledges_none", lang))
        return
    st.caption(t("pledges_intro", lang, due=fmt.long_date(view.due_on, lang) if view.due_on else fmt.MISSING))
    fx.table({name: [cell_text(row[i], lang) for row in table.rows] for i, name in enumerate(table.columns)})
    behind = view.behind
    summary = t("pledges_sum", lang, pledged=fmt.number(view.pledged, lang), ambition=fmt.number(view.ambition, lang),
                target=fmt.number(view.target, lang) if view.target is not None else fmt.MISSING,
                due=fmt.long_date(view.due_on, lang) if view.due_on else fmt.MISSING)
    if behind:
        st.warning(fx.plain(t("pledges_behind", lang, names=", ".join(behind)) + " " + summary))
    else:
        st.info(fx.plain(summary))
