"""Accepted spellings of coded values and dates, the same at every door (import, form, command line).

A coded value (a status, a building type, a step, an outcome, yes/no, a cost category ...) is
accepted as its code, as the Dutch words spec/interfaces.md lists, and as every label the app itself
shows for that code in Dutch and English (the catalogue's `label.`, `code.` and `event.` families:
what the charts and the forms say), compared without case, with `_` as a space and odd or repeated
spaces folded. A refusal lists the labels in the language of the page; the command line (English,
`.message`) lists the codes and the Dutch words, as the spec does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Mapping

from eet.store.models import (
    BOTTLENECK_STATUSES, COST_CATEGORIES, COST_MODELS, COST_UNITS, FACTOR_DOMAINS, FACTOR_KINDS, PAYERS,
)
from eet.texts.catalogue import LANGUAGES, has, template
from eet.texts.messages import Choices, Refusal, Term

ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def spelling(value: object) -> str:
    """A value as compared: lower case, `_` as a space, odd, repeated and surrounding spaces folded."""
    return " ".join(ZERO_WIDTH.sub("", str(value)).replace("_", " ").casefold().split())


def _name(code: object) -> str:
    """The code as its catalogue keys spell it (yes/no are True/False)."""
    return {True: "yes", False: "no"}[code] if isinstance(code, bool) else str(code)


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The values of one coded column: the spec's spellings (codes included) and the catalogue keys
    naming a code (`{code}` filled in; the first is the label a refusal and a template list)."""

    words: Mapping[str, object]
    keys: tuple[str, ...]
    what: str | None = None  # a code of TERMS["unknown"] (status, route ...); None: "is not allowed"

    @cached_property
    def codes(self) -> tuple:
        return tuple(dict.fromkeys(self.words.values()))

    def labels(self, code: object, lang: str) -> list[str]:
        """Every label the app shows for `code` in `lang`, the first the one it lists."""
        keys = [key.format(code=_name(code)) for key in self.keys]
        return list(dict.fromkeys(template(key, lang) for key in keys if has(key)))

    def label(self, code: object, lang: str) -> str:
        return next(iter(self.labels(code, lang)), _name(code))

    @cached_property
    def _spellings(self) -> tuple[dict[str, object], dict[str, set]]:
        codes_of: dict[str, set] = {}
        for word, code in self.words.items():
            codes_of.setdefault(spelling(word), set()).add(code)
        for code in self.codes:
            for lang in LANGUAGES:
                for text in self.labels(code, lang):
                    codes_of.setdefault(spelling(text), set()).add(code)
        accepted = {word: next(iter(codes)) for word, codes in codes_of.items() if len(codes) == 1}
        return accepted, {word: codes for word, codes in codes_of.items() if len(codes) > 1}

    @property
    def accepted(self) -> dict[str, object]:
        """Every accepted spelling (as `spelling` gives it) -> its code."""
        return self._spellings[0]

    @property
    def ambiguous(self) -> dict[str, set]:
        """Spellings that would name two codes: accepted for neither (a test keeps this empty)."""
        return self._spellings[1]

    def choices(self) -> Choices:
        """What a refusal says is allowed: the labels on a page, the codes and the spec's Dutch
        words on the command line."""
        english = [word for word, code in self.words.items() if word == _name(code)]
        dutch: dict[str, str] = {}
        for word, code in self.words.items():
            if word != _name(code) and not isinstance(code, bool) and spelling(word) not in map(spelling, english):
                dutch.setdefault(spelling(word), word)  # one of "niet_geschikt" / "niet geschikt"
        if all(isinstance(code, bool) for code in self.codes):
            english, dutch = ["yes", "no"], {"ja": "ja", "nee": "nee"}
        if self.what is None:  # no Dutch words in the spec (a cost's model, a payer): the codes
            english, dutch = [_name(code) for code in self.codes], {}
        return Choices(tuple(english), tuple(dutch.values()),
                       labels=tuple((lang, tuple(self.label(code, lang) for code in self.codes))
                                    for lang in LANGUAGES))

    def normalise(self, value: object):
        """The code of an accepted spelling, or a Refusal (a ValueError) listing what is allowed."""
        code = self.accepted.get(spelling(value), _MISSING)
        if code is not _MISSING:
            return code
        shown = str(value).strip()
        if self.what is None:
            raise Refusal("not_allowed", value=shown, allowed=self.choices())
        raise Refusal("unknown_value", value=shown, what=Term("unknown", self.what), allowed=self.choices())


_MISSING = object()


def _codes(codes: tuple[str, ...], **more: str) -> dict[str, str]:
    return {**{code: code for code in codes}, **more}


STATUS = Vocabulary({
    "searching": "searching", "zoekend": "searching",
    "location_found": "location_found", "locatie gevonden": "location_found",
    "locatie_gevonden": "location_found",
    "available": "available", "beschikbaar": "available",
    "occupied": "occupied", "bewoond": "occupied",
    "withdrawn": "withdrawn", "vervallen": "withdrawn",
}, ("label.status.{code}",), "status")
BUILDING_TYPE = Vocabulary({
    "existing": "existing", "bestaande bouw": "existing", "bestaande_bouw": "existing",
    "transformation": "transformation", "transformatie": "transformation",
    "new_build": "new_build", "nieuwbouw": "new_build",
}, ("label.building_type.{code}",), "building_type")
ROUTE = Vocabulary({
    "scattered": "scattered", "gespikkeld": "scattered",
    "project": "project", "projectmatig": "project",
}, ("label.route.{code}",), "route")
EVENT = Vocabulary({
    "assessed": "assessed", "beoordeeld": "assessed",
    "matched": "matched", "gematcht": "matched",
    "housed": "housed", "gehuisvest": "housed",
    "exited": "exited", "uitgestroomd": "exited",
    "withdrawn": "withdrawn", "uitgevallen": "withdrawn",
}, ("event.{code}", "label.step.{code}"), "event")  # the form's "gehuisvest (inhuizing)", the funnel's "Gehuisvest"
ASSESSMENT = Vocabulary({
    "eligible": "eligible", "geschikt": "eligible",
    "not_eligible": "not_eligible", "niet_geschikt": "not_eligible", "niet geschikt": "not_eligible",
}, ("code.outcome.{code}",), "assessment_outcome")
EXIT = Vocabulary({
    "positive": "positive", "positief": "positive",
    "negative": "negative", "negatief": "negative",
    "deceased": "deceased", "overleden": "deceased",
}, ("code.outcome.{code}",), "exit_outcome")
YES_NO = Vocabulary({"yes": True, "ja": True, "no": False, "nee": False,
                     "true": True, "false": False, "1": True, "0": False, "y": True, "n": False, "j": True,
                     "waar": True, "onwaar": False},  # the Dutch Excel's TRUE and FALSE
                    ("{code}",), "answer")  # the form's ja / nee, yes / no
# The cost parameters of the business case (import "costs") and the living lab's registers.
COST_MODEL = Vocabulary(_codes(COST_MODELS), ("label.cost_model.{code}",))
COST_CATEGORY = Vocabulary(_codes(COST_CATEGORIES), ("label.cost_category.{code}",))
COST_UNIT = Vocabulary(_codes(COST_UNITS), ("label.cost_unit.{code}",))
# Payers as people write them (spec: "Wlz/zorgkantoor", "Rijk"), to the stored code.
PAYER = Vocabulary(_codes(PAYERS, **{
    "wlz/zorgkantoor": "wlz", "zorgkantoor": "wlz", "overig": "other", "overige": "other",
    "municipality": "gemeente", "health_insurer": "zorgverzekeraar", "housing_corporation": "woningcorporatie",
    "national_government": "rijk"}), ("label.payer.{code}",))
FACTOR_DOMAIN = Vocabulary(_codes(FACTOR_DOMAINS), ("label.domain.{code}",))
BOTTLENECK_DOMAIN = Vocabulary(_codes(FACTOR_DOMAINS + ("system",)), ("label.domain.{code}",))
FACTOR_KIND = Vocabulary(_codes(FACTOR_KINDS), ("label.factor_kind.{code}",))
BOTTLENECK_STATUS = Vocabulary(_codes(BOTTLENECK_STATUSES), ("label.bottleneck_status.{code}",))


def allowed(vocabulary: Vocabulary) -> str:
    """The command line's rendering: the codes, then the spec's Dutch words in brackets."""
    return vocabulary.choices().render("en", cli=True)


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
