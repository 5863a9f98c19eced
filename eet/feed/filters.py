"""`$filter` of the feed read into a small tree (OData v4.0 Part 2, 5.1.1, the subset the feed
serves): comparisons `eq ne gt ge lt le` of a property with a literal (either side), `in (…)`,
`and`, `or`, `not` and parentheses, with OData's precedence (not > comparison > and > or).
Literals: 'text' (a quote doubled inside), whole and decimal numbers, dates YYYY-MM-DD, true,
false, null. Anything else (functions, arithmetic, lambdas) is refused with where it stands.

Our own, small, rather than the `odata-query` package: that one pins python-dateutil below 3,
which the project's constraints hold at 4 (issue 27).

Tree: ("or"|"and", left, right), ("not", node), (op, left, right) with op in eq…le,
("in", operand, [literal, …]); an operand is ("name", "Month") or ("value", python value).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
TOKEN = re.compile(r"""\s*(?:
    (?P<string>'(?:[^']|'')*')
  | (?P<date>\d{4}-\d{2}-\d{2})(?![\w:])
  | (?P<number>[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w-])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[(),])
  )""", re.VERBOSE)


class FilterError(ValueError):
    """A $filter the feed cannot read; the message says what stands where."""


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        found = TOKEN.match(text, at)
        if not found or found.end() == at:
            raise FilterError(f"cannot read '{text[at:at + 20].strip()}' at position {at + 1}")
        kind = found.lastgroup
        out.append((kind, found.group(kind), found.start(kind) + 1))
        at = found.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self, word: str | None = None):
        if self.at >= len(self.tokens):
            return None
        token = self.tokens[self.at]
        if word is not None:
            return token if token[0] in ("word", "punct") and token[1].lower() == word else None
        return token

    def take(self, word: str | None = None):
        token = self.peek(word)
        if token is None:
            where = self.tokens[self.at] if self.at < len(self.tokens) else None
            expected = f"'{word}'" if word else "more"
            raise FilterError(f"expected {expected} " + (f"at position {where[2]}, not '{where[1]}'" if where
                                                           else "at the end"))
        self.at += 1
        return token

    def parse(self):
        node = self.or_()
        if self.at < len(self.tokens):
            token = self.tokens[self.at]
            raise FilterError(f"unexpected '{token[1]}' at position {token[2]}")
        return node

    def _joined(self, word: str, part):
        """part (word part)*, left to right."""
        node = part()
        while self.peek(word):
            self.take()
            node = (word, node, part())
        return node

    def or_(self):
        return self._joined("or", self.and_)

    def and_(self):
        return self._joined("and", self.not_)

    def not_(self):
        if self.peek("not"):
            self.take()
            return ("not", self.not_())
        if self.peek("("):
            self.take()
            node = self.or_()
            self.take(")")
            return node
        return self.comparison()

    def comparison(self):
        left = self.operand()
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].lower() == "in":
            self.take()
            self.take("(")
            items = [self.operand()]
            while self.peek(","):
                self.take()
                items.append(self.operand())
            self.take(")")
            return ("in", left, items)
        if token is None or token[0] != "word" or token[1].lower() not in COMPARISONS:
            raise FilterError("expected one of " + ", ".join(COMPARISONS) + " or in "
                              + (f"at position {token[2]}, not '{token[1]}'" if token else "at the end"))
        self.take()
        return (token[1].lower(), left, self.operand())

    def operand(self):
        kind, text, position = self.take()
        if kind == "string":
            return ("value", text[1:-1].replace("''", "'"))
        if kind == "date":
            try:
                return ("value", date.fromisoformat(text))
            except ValueError:
                raise FilterError(f"'{text}' at position {position} is not a date") from None
        if kind == "number":
            try:
                return ("value", int(text) if re.fullmatch(r"[+-]?\d+", text) else Decimal(text))
            except InvalidOperation:
                raise FilterError(f"'{text}' at position {position} is not a number") from None
        if kind == "word":
            lowered = text.lower()
            if lowered in ("true", "false"):
                return ("value", lowered == "true")
            if lowered == "null":
                return ("value", None)
            if self.peek("("):
                raise FilterError(f"the function {text}() at position {position} is not supported")
            return ("name", text)
        raise FilterError(f"unexpected '{text}' at position {position}")


def parse(text: str):
    """The tree of a $filter; FilterError for anything outside the subset above."""
    return _Parser(text).parse()


def names(node) -> list[str]:
    """Every property named in a tree."""
    if node[0] == "name":
        return [node[1]]
    if node[0] == "value":
        return []
    if node[0] == "in":
        return names(node[1]) + [n for item in node[2] for n in names(item)]
    return [n for child in node[1:] for n in names(child)]
