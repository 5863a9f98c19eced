"""Accepted spellings of values and dates: English and Dutch, as spec/interfaces.md lists them.

Every door (import, form, command line) normalises through here, so they accept the same words.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from eet.texts.messages import Choices, Refusal, Term

STATUS = {
    "searching": "searching", "zoekend": "searching",
    "location_found": "location_found", "locatie gevonden": "location_found",
    "locatie_gevonden": "location_found",
    "available": "available", "beschikbaar": "available",
    "occupied": "occupied", "bewoond": "occupied",
    "withdrawn": "withdrawn", "vervallen": "withdrawn",
}
BUILDING_TYPE = {
    "existing": "existing", "bestaande bouw": "existing", "bestaande_bouw": "existing",
    "transformation": "transformation", "transformatie": "transformation",
    "new_build": "new_build", "nieuwbouw": "new_build",
}
ROUTE = {
    "scattered": "scattered", "gespikkeld": "scattered",
    "project": "project", "projectmatig": "project",
}
EVENT = {
    "assessed": "assessed", "beoordeeld": "assessed",
    "matched": "matched", "gematcht": "matched",
    "housed": "housed", "gehuisvest": "housed",
    "exited": "exited", "uitgestroomd": "exited",
    "withdrawn": "withdrawn", "uitgevallen": "withdrawn",
}
ASSESSMENT = {
    "eligible": "eligible", "geschikt": "eligible",
    "not_eligible": "not_eligible", "niet_geschikt": "not_eligible", "niet geschikt": "not_eligible",
}
EXIT = {
    "positive": "positive", "positief": "positive",
    "negative": "negative", "negatief": "negative",
    "deceased": "deceased", "overleden": "deceased",
}
YES_NO = {"yes": True, "ja": True, "no": False, "nee": False,
          "true": True, "false": False, "1": True, "0": False, "y": True, "n": False, "j": True,
          "waar": True, "onwaar": False}  # the Dutch Excel's TRUE and FALSE

def choices(mapping: dict[str, object]) -> Choices:
    """What a message says is allowed: the English words and the Dutch ones (a message shows the
    reader's language first and the other in brackets)."""
    english = [key for key, value in mapping.items() if key == value]
    dutch: dict[str, str] = {}
    for key, value in mapping.items():
        if key != value and isinstance(value, str):
            dutch.setdefault(key.replace("_", " "), key)  # one of "niet_geschikt" / "niet geschikt"
    return Choices(tuple(english), tuple(dutch.values()))


def allowed(mapping: dict[str, object]) -> str:
    """The English rendering: the English words, then the Dutch ones in brackets."""
    return choices(mapping).render("en")


def normalise(value: object, mapping: dict[str, object], what: str):
    """The canonical value of an accepted spelling, or a Refusal (a ValueError) naming what is
    allowed. `what` is a code of eet.messages.TERMS["unknown"] (status, building_type, ...)."""
    key = str(value).strip().lower()
    if key in mapping:
        return mapping[key]
    raise Refusal("unknown_value", value=str(value).strip(), what=Term("unknown", what), allowed=choices(mapping))


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DUTCH = re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$")
# A time of day after the date, as a csv saved from date-time cells holds it ("1-2-2021 14:30").
_TIME = re.compile(r"^[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def parse_date(value: object) -> date:
    """YYYY-MM-DD or DD-MM-YYYY, optionally followed by a time of day (HH:MM[:SS], which is
    dropped), and real dates as an Excel cell gives them."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    day, _, clock = text.partition(" ") if " " in text else text.partition("T")
    if clock and _TIME.match(" " + clock.strip()) and (_ISO.match(day) or _DUTCH.match(day)):
        text = day  # the date is taken; a list's dates carry no time of day
    try:
        if _ISO.match(text):
            return date.fromisoformat(text)
        if _DUTCH.match(text):
            day, month, year = (int(part) for part in text.split("-"))
            return date(year, month, day)
    except ValueError:
        raise Refusal("not_existing_date", value=text) from None
    raise Refusal("not_a_date", value=text)
