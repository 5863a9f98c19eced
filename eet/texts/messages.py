"""What the data layer says when it refuses something, in Dutch and English.

Every refusal a person can read (a FieldError of a form or an import row, an AccessDenied, a file
that is not a readable table) carries a key of the catalogue (`msg.<key>` in catalogue.toml) and
named parameters instead of a finished sentence. `.message` is the English text: the command line, the logs and the import's
`row N, column C: message` lines print it (allowed values as codes, what the command line takes).
`.text(lang)` renders it for a page in the user's language (allowed values as the labels the page
shows).

Parameters are rendered per language: a date as DD-MM-YYYY in Dutch and ISO in English; a `Term`
(a code such as an event kind or a status) by the word of that language; a `Choices` list of allowed
values with both spellings, the language's own first; a nested refusal in the same language.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from eet.texts import formatting as fmt
from eet.texts.catalogue import has, template

_OR = {"nl": " of ", "en": " or "}


@dataclass(frozen=True)
class Term:
    """A code value (an event kind, a status ...) named by the word of the language."""

    kind: str
    code: str

    def render(self, lang: str) -> str:
        key = f"term.{self.kind}.{self.code}"
        return template(key, lang) if has(key) else self.code


@dataclass(frozen=True)
class Either:
    """Terms joined by 'or' ('of' in Dutch): 'municipality or care provider'."""

    terms: tuple[Term, ...]

    def render(self, lang: str) -> str:
        return _OR[lang].join(term.render(lang) for term in self.terms)


def either(kind: str, codes) -> Either:
    return Either(tuple(Term(kind, code) for code in codes))


@dataclass(frozen=True)
class Choices:
    """Allowed values. On a page, with `labels`: the labels the app shows for them in the page's
    language ('Zoekend (pijplijn), Beschikbaar' in Dutch, 'Searching (pipeline), Available' in
    English). On the command line (`cli`), or without labels: both spellings, 'searching, available
    (zoekend, beschikbaar)' in English, 'zoekend, beschikbaar (searching, available)' in Dutch."""

    english: tuple[str, ...]
    dutch: tuple[str, ...] = ()
    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (language, labels) pairs

    def render(self, lang: str, cli: bool = False) -> str:
        shown = dict(self.labels).get(lang)
        if shown and not cli:
            return ", ".join(shown)
        first, second = (self.dutch, self.english) if lang == "nl" and self.dutch else (self.english, self.dutch)
        return ", ".join(first) + (f" ({', '.join(second)})" if second else "")


@dataclass(frozen=True)
class ColumnName:
    """A column of an import file: 'ref' (kenmerk) in English, 'kenmerk' (ref) in Dutch."""

    english: str
    dutch: str | None = None

    def render(self, lang: str) -> str:
        if not self.dutch:
            return f"'{self.english}'"
        return f"'{self.dutch}' ({self.english})" if lang == "nl" else f"'{self.english}' ({self.dutch})"


def render_value(value: Any, lang: str, cli: bool = False) -> str:
    if isinstance(value, Localised):
        return value.message if cli else value.text(lang)
    if isinstance(value, Choices):
        return value.render(lang, cli=cli)
    if hasattr(value, "render"):
        return value.render(lang)
    if isinstance(value, date):
        return fmt.short_date(value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(render_value(item, lang, cli) for item in value)
    return str(value)


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render(key: str, params: Mapping[str, Any], lang: str, *, cli: bool = False) -> str:
    """The message `key` in `lang` ('nl' or 'en'; anything else gives English), parameters filled in.
    `cli`: for the command line, which lists codes where a page lists labels."""
    lang = "nl" if lang == "nl" else "en"
    return template(f"msg.{key}", lang).format(**{name: render_value(value, lang, cli)
                                                   for name, value in params.items()})


class Localised:
    """A refusal as a catalogue key with parameters: `.message` in English, `.text(lang)` in either."""

    key: str
    params: Mapping[str, Any]

    @property
    def message(self) -> str:
        return render(self.key, self.params, "en", cli=True)

    def text(self, lang: str) -> str:
        return render(self.key, self.params, lang)


def check(key: str, params: Mapping[str, Any]) -> None:
    """A key that is not in the catalogue, or parameters that do not fit it, is a programming error."""
    if not has(f"msg.{key}"):
        raise KeyError(f"no message 'msg.{key}' in eet/texts/catalogue.toml")
    missing = placeholders(template(f"msg.{key}", "en")) - set(params)
    if missing:
        raise KeyError(f"message '{key}' needs {', '.join(sorted(missing))}")


@dataclass(frozen=True, eq=False)
class Message(Localised):
    """A refusal that belongs to no field: a whole file, or a row."""

    key: str
    params: Mapping[str, Any]

    def __post_init__(self) -> None:
        check(self.key, self.params)

    def __str__(self) -> str:
        return self.message


def message(key: str, /, **params: Any) -> Message:
    return Message(key, params)


class Refusal(ValueError, Localised):
    """A ValueError with a catalogue key: raised inside the input models' validators (the field is
    added where the model reports it) and by `eet.entry.vocabulary`. str() is the English message."""

    def __init__(self, key: str, /, **params: Any):
        check(key, params)
        self.key, self.params = key, params
        super().__init__(self.message)
