"""Which figure a row of the meeting pack's headline sheets holds: the pack names its rows in
words only (no internal code column since issue 14), so the tests read a row by its label, as a
person (or an attacker) does, and find the figure's key in the JSON report here."""

from __future__ import annotations

from eet.review.tables import REPORT_PATHS
from eet.texts import label, t

ITEMS = {
    "dwellings": ("counter", "pipeline", "ambition"),
    "status": ("searching", "location_found", "available", "occupied", "in_use", "withdrawn"),
    "coalition": ("municipality", "care_provider", "housing_corporation"),
    "funnel": ("referred", "assessed", "eligible", "matched", "housed", "housed_now", "withdrawn"),
    "lead_time": ("median", "p75", "n"),
    "retention": ("rate", "cohort"),
}


def _label(group: str, item: str, lang: str) -> str:
    if group == "dwellings":
        return t(f"measure_{item}" if item != "ambition" else "ambition", lang)
    if group == "status":
        return label("status", item, lang)
    if group == "funnel":
        return label("step", item, lang)
    if group == "retention" and item == "rate":  # "Behoud (doel 90%)": the target is read by prefix
        return t("item_rate", lang, target="\0").split("\0")[0]
    return t(f"item_{item}", lang)


def code_of(key: str, row_label, lang: str = "nl") -> str | None:
    """The JSON report's key of the row labelled `row_label` on headline sheet `key`, or None."""
    for item in ITEMS.get(key, ()):
        name = _label(key, item, lang)
        if row_label == name or (key == "retention" and item == "rate" and str(row_label).startswith(name)):
            return REPORT_PATHS[key].format(item=item)
    return None
