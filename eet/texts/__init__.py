"""Every text of the interface in Dutch and English, in one catalogue with one `t()` (`catalogue`),
the refusals built from it (`messages`), and numbers, money and dates as the language writes them
(`formatting`)."""

from eet.texts.catalogue import (
    LANGUAGES, catalogue, code_label, default_lang, event_label, has, label, pick, sheet, t,
)

__all__ = ["LANGUAGES", "catalogue", "code_label", "default_lang", "event_label", "has", "label", "pick",
           "sheet", "t"]
