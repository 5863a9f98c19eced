"""The feed's system query options on the rows of one entity set (OData v4.0 Part 2, 11.2.5):
`$filter` (eq, ne, gt, ge, lt, le, and, or, not, in, parentheses; literals of every Edm type the
sets use, null included; parsed by the `odata-query` library), `$select`, `$orderby`, `$top`,
`$skip`, `$count` and the server's paging token `$skiptoken`. Anything else that starts with `$`
($expand, $search, $apply, ...) is refused, so that a client never reads unfiltered rows it thinks
filtered.

A comparison with null follows OData: `X eq null` is true for a null X; an order comparison
(gt, ge, lt, le) with a null side is false. A Date property compared with a string literal
('2021-01-31', as some clients write it) compares as a date.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from eet.feed.entities import EntitySet

KNOWN = {"$filter", "$select", "$orderby", "$top", "$skip", "$count", "$skiptoken", "$format"}
COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Gt: operator.gt, ast.GtE: operator.ge,
           ast.Lt: operator.lt, ast.LtE: operator.le}


class BadQuery(ValueError):
    """A query option the feed cannot honour: the message says which and why (400)."""


@dataclass
class Options:
    filter: object | None = None  # the parsed $filter (odata_query AST), or None
    select: tuple[str, ...] = ()
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    top: int | None = None
    skip: int = 0
    count: bool = False
    skiptoken: int = 0


def _whole(name: str, text: str) -> int:
    if not text.isdigit():
        raise BadQuery(f"{name} must be a whole number >= 0, not '{text}'")
    return int(text)


def parse(entity_set: EntitySet, query: dict[str, str]) -> Options:
    """The options of a request's query string (name -> value) for this set; BadQuery else."""
    unknown = sorted(k for k in query if k.startswith("$") and k not in KNOWN)
    if unknown:
        raise BadQuery(f"query option {', '.join(unknown)} is not supported; supported: {', '.join(sorted(KNOWN))}")
    if query.get("$format", "json").split(";")[0] not in ("json", "application/json"):
        raise BadQuery("$format: only json")
    options = Options()
    if query.get("$filter"):
        try:
            options.filter = ODataParser().parse(ODataLexer().tokenize(query["$filter"]))
        except ODataException as exc:
            raise BadQuery(f"$filter cannot be read: {exc}") from None
        _check(entity_set, options.filter)
    if query.get("$select") and query["$select"].strip() != "*":
        names = tuple(n.strip() for n in query["$select"].split(","))
        _known(entity_set, names, "$select")
        options.select = names
    for part in filter(None, (p.strip() for p in query.get("$orderby", "").split(","))):
        name, _, direction = part.partition(" ")
        if direction.strip() not in ("", "asc", "desc"):
            raise BadQuery(f"$orderby: '{part}' is not 'Property [asc|desc]'")
        _known(entity_set, (name,), "$orderby")
        options.orderby.append((name, direction.strip() == "desc"))
    if "$top" in query:
        options.top = _whole("$top", query["$top"])
    if "$skip" in query:
        options.skip = _whole("$skip", query["$skip"])
    if "$skiptoken" in query:
        options.skiptoken = _whole("$skiptoken", query["$skiptoken"])
    if "$count" in query:
        if query["$count"] not in ("true", "false"):
            raise BadQuery("$count must be true or false")
        options.count = query["$count"] == "true"
    return options


def _known(entity_set: EntitySet, names, option: str) -> None:
    for name in names:
        if entity_set.property(name) is None:
            raise BadQuery(f"{option}: {entity_set.name} has no property '{name}'; it has "
                           + ", ".join(p.name for p in entity_set.properties))


def _check(entity_set: EntitySet, node) -> None:
    """Every name in $filter is a property of the set, and only the supported operators occur."""
    if isinstance(node, ast.Identifier):
        _known(entity_set, (node.name,), "$filter")
    elif isinstance(node, ast.BoolOp):
        _check(entity_set, node.left)
        _check(entity_set, node.right)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(entity_set, node.operand)
    elif isinstance(node, ast.Compare) and (type(node.comparator) in COMPARE or isinstance(node.comparator, ast.In)):
        _check(entity_set, node.left)
        _check(entity_set, node.right)
    elif isinstance(node, ast.List):
        for item in node.val:
            _check(entity_set, item)
    elif not isinstance(node, (ast.Null, ast.Integer, ast.Float, ast.Boolean, ast.String, ast.Date)):
        raise BadQuery(f"$filter: {type(node).__name__} is not supported; use eq, ne, gt, ge, lt, le, in, "
                       f"and, or, not and literals")


def _value(node, row: dict, entity_set: EntitySet, other=None):
    if isinstance(node, ast.Identifier):
        return row.get(node.name)
    value = node.py_val
    if isinstance(value, str) and isinstance(other, ast.Identifier):
        prop = entity_set.property(other.name)
        if prop is not None and prop.type == "Edm.Date":
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise BadQuery(f"$filter: '{value}' is not a date (YYYY-MM-DD) for {other.name}") from None
    return value


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def matches(node, row: dict, entity_set: EntitySet) -> bool:
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return matches(node.left, row, entity_set) and matches(node.right, row, entity_set)
        return matches(node.left, row, entity_set) or matches(node.right, row, entity_set)
    if isinstance(node, ast.UnaryOp):
        return not matches(node.operand, row, entity_set)
    if isinstance(node, ast.Compare):
        left = _number(_value(node.left, row, entity_set, node.right))
        if isinstance(node.comparator, ast.In):
            return left in [_number(_value(item, row, entity_set, node.left)) for item in node.right.val]
        right = _number(_value(node.right, row, entity_set, node.left))
        compare = COMPARE[type(node.comparator)]
        if left is None or right is None:
            return compare in (operator.eq, operator.ne) and compare(left, right)
        try:
            return compare(left, right)
        except TypeError:
            raise BadQuery(f"$filter: cannot compare {left!r} with {right!r}") from None
    if isinstance(node, ast.Identifier):
        return bool(row.get(node.name))
    raise BadQuery(f"$filter: {type(node).__name__} is not a condition")


def apply(entity_set: EntitySet, rows: list[dict], options: Options) -> list[dict]:
    """The rows the options ask for, in order, before paging and $select: filtered, ordered (by
    each $orderby property, nulls first as OData sorts them), then $skip and $top."""
    out = [r for r in rows if matches(options.filter, r, entity_set)] if options.filter is not None else list(rows)
    for name, descending in reversed(options.orderby):
        out.sort(key=lambda r: (r.get(name) is not None, r.get(name) if r.get(name) is not None else 0),
                 reverse=descending)
    out = out[options.skip:]
    return out if options.top is None else out[:options.top]
