"""The texts of the interface: numbers and dates as the language writes them (Babel, CLDR), and the one
catalogue (every key in both languages, every key used, every key used exists)."""

from __future__ import annotations

import ast
import string
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import SQLModel

from eet.store import models  # noqa: F401  (the tables, whose columns the audit trail names)

from eet.texts import catalogue
from eet.texts import formatting as fmt

NBSP = "\u00a0"


@pytest.mark.parametrize("lang, expected", [
    ("nl", ["1.234", "1.234,6", "98,2%", f"€{NBSP}12.500", "15 januari 2021", "15-01-2021", "maart 2021"]),
    ("en", ["1,234", "1,234.6", "98.2%", "€12,500", "15 January 2021", "2021-01-15", "March 2021"]),
])
def test_numbers_and_dates_as_the_language_writes_them(lang, expected):
    assert [fmt.number(1234, lang), fmt.number(1234.56, lang, 1), fmt.percent(0.982, lang),
            fmt.euro(12500, lang), fmt.long_date(date(2021, 1, 15), lang),
            fmt.short_date(date(2021, 1, 15), lang), fmt.month_label("2021-03", lang)] == expected


def test_formatting_edges():
    assert fmt.number(None, "nl") == fmt.percent(None, "nl") == fmt.euro(None, "nl") == fmt.MISSING
    assert fmt.long_date(None, "en") == fmt.short_date(None, "en") == fmt.MISSING
    assert fmt.number("<5", "nl") == "<5"                       # a suppressed count passes through
    assert fmt.number(np.int64(1234567), "nl") == "1.234.567"    # numpy scalars from pandas
    assert fmt.percent(np.float64(0.5), "en", 0) == "50%"
    assert fmt.euro(31500.5, "nl") == f"€{NBSP}31.500"           # whole euros
    assert fmt.euro(-4500, "nl") == f"€{NBSP}\u22124.500"          # the minus sign, as every change
    assert [fmt.signed(12, "nl"), fmt.signed(-1234, "nl"), fmt.signed(0, "nl")] == ["+12", "−1.234", "0"]
    assert [fmt.long_date(date(2021, m, 1), "nl").split()[1] for m in (3, 5, 10)] == ["maart", "mei", "oktober"]


# --- the catalogue ----------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
CODE = sorted([*ROOT.joinpath("eet").rglob("*.py"), *ROOT.joinpath("ui").rglob("*.py"),
               *ROOT.joinpath("pages").rglob("*.py"), ROOT / "dashboard.py"])

# Flat keys the code builds from a prefix and a value (t(f"measure_{measure}", lang) ...): such a key
# counts as used when its prefix is listed here, the code builds that prefix in an f-string, and the
# rest of the key is a string literal of the code (the value it is built from).
DYNAMIC_PREFIXES = ("measure_", "item_", "group_", "moved_", "basis_", "forecast_", "kind_", "outcome_",
                    "quality_rule_", "setting.", "audit_field.", "worklist.step.", "worklist.due.", "worklist_sort.")
# Families of dotted keys, the function that names a code value through each, and where the key goes.
FAMILIES = {  # function: (family, index of the kind argument or None, index of the code argument)
    "label": ("label", 0, 1), "code_label": ("code", 0, 1), "Term": ("term", 0, 1),
    "either": ("term", 0, None), "event_label": ("event", None, 0), "sheet": ("sheet", None, 0),
}
MESSAGE_CALLS = {"Refusal": 0, "message": 0, "AccessDenied": 0, "check": 0, "FieldError": 1, "refused": 1}
KEY_CALLS = {"t": 0, "template": 0, "has": 0}


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _literal(call: ast.Call, index: int | None) -> str | None:
    if index is None or index >= len(call.args):
        return None
    arg = call.args[index]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


class Code:
    """What the code says about texts: its string literals (docstrings left out), the prefixes of its
    f-strings, and every call that names a text, with the file and line it stands on."""

    def __init__(self) -> None:
        self.literals: set[str] = set()
        self.fstring_prefixes: set[str] = set()
        self.keys: list[tuple[str, str]] = []           # (key that must exist, where)
        self.families: list[tuple[str, str]] = []       # (prefix of which some key must exist, where)
        self.kinds: dict[str, set[str]] = defaultdict(set)   # family -> kinds named by a literal
        for path in CODE:
            self._read(path)

    def _read(self, path: Path) -> None:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                self.literals.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                self.fstring_prefixes.add(node.values[0].value)
            elif isinstance(node, ast.Call) and (name := _name(node)):
                self._call(name, node, where)

    def _call(self, name: str, call: ast.Call, where: str) -> None:
        if name in KEY_CALLS and (key := _literal(call, KEY_CALLS[name])) is not None:
            self.keys.append((key, where))
        elif name in MESSAGE_CALLS and (key := _literal(call, MESSAGE_CALLS[name])) is not None:
            self.keys.append((f"msg.{key}", where))
        elif name in FAMILIES and isinstance(call.func, ast.Name):    # not a query's column.label()
            family, kind_at, code_at = FAMILIES[name]
            kind = _literal(call, kind_at) if kind_at is not None else ""
            if kind is None:
                return
            self.kinds[family].add(kind)
            prefix = f"{family}.{kind}." if kind else f"{family}."
            code = _literal(call, code_at)
            if code is not None:
                self.keys.append((prefix + code, where))
            else:
                self.families.append((prefix, where))


@pytest.fixture(scope="module")
def code() -> Code:
    return Code()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_text_has_both_languages_with_the_same_placeholders():
    wrong = [key for key, entry in catalogue().items()
             if set(entry) != {"nl", "en"} or not all(isinstance(v, str) and v.strip() for v in entry.values())
             or _placeholders(entry["nl"]) != _placeholders(entry["en"])]
    assert wrong == []


def test_every_key_the_code_names_is_in_the_catalogue(code):
    assert len(code.keys) > 500                       # the scan sees the calls
    missing = [f"{where}: {key}" for key, where in code.keys if key not in catalogue()]
    assert missing == []
    empty = [f"{where}: {prefix}*" for prefix, where in code.families
             if not any(key.startswith(prefix) for key in catalogue())]
    assert empty == []


COLUMNS = {column.name for table in SQLModel.metadata.tables.values() for column in table.columns} | {"dwelling"}


def _used(key: str, code: Code) -> bool:
    if key in code.literals:
        return True
    family, _, rest = key.partition(".")
    if family == "msg":
        return rest in code.literals
    if family in {"label", "code", "term"}:
        kind, _, value = rest.partition(".")
        # a value built from two literals, as eet.review.known's "event." + an event kind
        head, dot, tail = value.partition(".")
        return kind in code.kinds[family] and (value in code.literals or bool(dot) and head + dot in code.literals
                                               and tail in code.literals)
    if family in {"event", "sheet"}:
        return rest in code.literals
    if key.startswith("audit_field."):  # a recorded field is a column of a table (eet.store.audit_trail)
        return "audit_field." in code.fstring_prefixes and key[len("audit_field."):] in COLUMNS
    return any(key.startswith(prefix) and prefix in code.fstring_prefixes and key[len(prefix):] in code.literals
               for prefix in DYNAMIC_PREFIXES)


def test_every_text_is_used(code):
    assert set(DYNAMIC_PREFIXES) <= code.fstring_prefixes   # each listed prefix is still built somewhere
    unused = [key for key in catalogue() if not _used(key, code)]
    assert unused == []
