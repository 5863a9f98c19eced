"""The feed's system query options on the rows of one entity set (OData v4.0 Part 2, 11.2.5):
`$filter` (eq, ne, gt, ge, lt, le, and, or, not, in, parentheses; literals of every Edm type the
sets use, null included; read by eet.feed.filters), `$select`, `$orderby`, `$top`,
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

from eet.feed import filters
from eet.feed.entities import EntitySet

KNOWN = {"$filter", "$select", "$orderby", "$top", "$skip", "$count", "$skiptoken", "$format"}
COMPARE = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge, "lt": operator.lt,
           "le": operator.le}


class BadQuery(ValueError):
    """A query option the feed cannot honour: the message says which and why (400)."""


@dataclass
class Options:
    filter: tuple | None = None  # the parsed $filter (eet.feed.filters), or None
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
            options.filter = filters.parse(query["$filter"])
        except filters.FilterError as exc:
            raise BadQuery(f"$filter cannot be read: {exc}") from None
        _known(entity_set, filters.names(options.filter), "$filter")
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


def _value(node: tuple, row: dict, entity_set: EntitySet, other: tuple):
    """A side of a comparison: a property's value in the row, or a literal; a string literal
    compared with a Date property is read as a date ('2021-01-31', as some clients write it)."""
    kind, value = node
    if kind == "name":
        return row.get(value)
    if isinstance(value, str) and other[0] == "name":
        prop = entity_set.property(other[1])
        if prop is not None and prop.type == "Edm.Date":
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise BadQuery(f"$filter: '{value}' is not a date (YYYY-MM-DD) for {other[1]}") from None
    return float(value) if isinstance(value, Decimal) else value


def matches(node: tuple, row: dict, entity_set: EntitySet) -> bool:
    """Whether a row meets a parsed $filter (eet.feed.filters' tree)."""
    kind = node[0]
    if kind == "and":
        return matches(node[1], row, entity_set) and matches(node[2], row, entity_set)
    if kind == "or":
        return matches(node[1], row, entity_set) or matches(node[2], row, entity_set)
    if kind == "not":
        return not matches(node[1], row, entity_set)
    if kind == "in":
        left = _value(node[1], row, entity_set, node[2][0] if node[2] else ("null", None))
        return left in [_value(item, row, entity_set, node[1]) for item in node[2]]
    left, right = _value(node[1], row, entity_set, node[2]), _value(node[2], row, entity_set, node[1])
    compare = COMPARE[kind]
    if left is None or right is None:
        return compare in (operator.eq, operator.ne) and compare(left, right)
    try:
        return compare(left, right)
    except TypeError:
        raise BadQuery(f"$filter: cannot compare {left!r} with {right!r}") from None


def apply(entity_set: EntitySet, rows: list[dict], options: Options) -> list[dict]:
    """The rows the options ask for, in order, before paging and $select: filtered, ordered (by
    each $orderby property, nulls first as OData sorts them), then $skip and $top."""
    out = [r for r in rows if matches(options.filter, r, entity_set)] if options.filter is not None else list(rows)
    for name, descending in reversed(options.orderby):
        out.sort(key=lambda r: (r.get(name) is not None, r.get(name) if r.get(name) is not None else 0),
                 reverse=descending)
    out = out[options.skip:]
    return out if options.top is None else out[:options.top]
