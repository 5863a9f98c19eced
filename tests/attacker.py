"""An attacker of the viewer's numbers: it knows how the monitor's figures add up (rows and columns
to totals, the funnel's nested steps, occupied + available, the cohort, two dates), reads what a
viewer is shown, and works out by adding and subtracting (interval propagation over those
equations) what each count of people must be. A count of 1 to 4 pinned to one value is a finding.

It reads the displayed cells only: an exact number, "<5" (1 to 4), a band of a rate, or anything
else (a dash, words) as unknown. It does not assume anything about how cells were chosen to be
withheld; the structure it uses is public (what a figure means), and where the data make two
figures equal (occupied dwellings and people housed now), it is told so, as a viewer would guess.
"""

from __future__ import annotations

import itertools
import math
import re

INF = math.inf


def parse(cell, lang: str = "nl") -> tuple[float, float] | None:
    """The bounds a displayed cell gives: (v, v) for a number, (1, 4) for "<5"; None: unknown."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, (int, float)):
        return (cell, cell) if float(cell).is_integer() else None
    text = str(cell).strip().replace("−", "-").replace("\u2009", "")
    if re.fullmatch(r"<\d+", text):
        return 1, int(text[1:]) - 1
    thousands = "." if lang == "nl" else ","
    text = text.replace(thousands, "")
    if re.fullmatch(r"[+-]?\d+", text):
        value = int(text)
        return value, value
    return None


def percent(cell, lang: str = "nl") -> tuple[float, float] | None:
    """A shown rate as bounds of the fraction: "98,8%" -> the rounding interval, "95–100%" -> the
    band, "≥ 90%..." -> (0.9, 1)."""
    if cell is None:
        return None
    text = str(cell).replace(",", ".") if lang == "nl" else str(cell)
    band = re.search(r"(\d+(?:\.\d+)?)\s*[–-]\s*(\d+(?:\.\d+)?)\s*%", text)
    if band:
        return float(band.group(1)) / 100, float(band.group(2)) / 100
    at_least = re.search(r"≥\s*(\d+(?:\.\d+)?)\s*%", text)
    if at_least:
        return float(at_least.group(1)) / 100, 1.0
    exact = re.fullmatch(r"\s*(\d+(?:\.(\d+))?)\s*%\s*", text)
    if exact:
        digits = len(exact.group(2) or "")
        half = 0.5 * 10 ** -digits
        return (float(exact.group(1)) - half) / 100, (float(exact.group(1)) + half) / 100
    if isinstance(cell, float):
        return cell - 5e-4, cell + 5e-4
    return None


class Attack:
    def __init__(self, limit: int = 5, policy: bool = True):
        self.limit = limit
        self.policy = policy
        self.bounds: dict = {}
        self.equations: list[dict] = []  # sum(coef * var) == 0
        self.people: set = set()
        self.seen: dict = {}  # var -> where it was read
        self.ratios: list = []  # (numerator, denominator, low, high)
        self.groups_seen: set = set()  # (date, grouping) of the outcomes by group read (issue 29)

    def var(self, name, people: bool = True, signed: bool = False) -> None:
        if name not in self.bounds:
            self.bounds[name] = [-INF if signed else 0, INF]
        if people:
            self.people.add(name)

    def see(self, name, cell, where: str, people: bool = True, lang: str = "nl") -> None:
        self.var(name, people)
        found = parse(cell, lang)
        if found is None and self.policy and people and name[0] != "change" and (
                cell is None or str(cell).strip() in ("–", "-")):
            found = (self.limit, INF)  # an attacker who knows that a withheld count is never a small one
        if found is None:
            return
        self._narrow(name, *found)
        self.seen.setdefault(name, []).append((where, cell))

    def see_bounds(self, name, low: float, high: float, where: str, people: bool = True) -> None:
        self.var(name, people)
        self._narrow(name, low, high)
        self.seen.setdefault(name, []).append((where, (low, high)))

    def ratio(self, numerator, denominator, low: float, high: float) -> None:
        """numerator / denominator lies in [low, high] (a rate shown exactly or as a band)."""
        self.var(numerator)
        self.var(denominator)
        self.ratios.append((numerator, denominator, low, high))

    def equal(self, terms: dict) -> None:
        for name in terms:
            self.var(name, people=name in self.people)
        self.equations.append(dict(terms))

    def group(self, name, terms: dict, signed: bool = False, people: bool = True) -> None:
        """A count defined by others (a difference, a rest): name = sum(coef * var); of people
        unless said otherwise."""
        self.var(name, people=people, signed=signed)
        self.equal({**terms, name: -1})

    def _narrow(self, name, low, high) -> bool:
        b = self.bounds[name]
        low = math.ceil(low - 1e-9) if math.isfinite(low) else low
        high = math.floor(high + 1e-9) if math.isfinite(high) else high
        changed = False
        if low > b[0]:
            b[0], changed = low, True
        if high < b[1]:
            b[1], changed = high, True
        return changed

    def solve(self, rounds: int = 60) -> None:
        for _ in range(rounds):
            changed = False
            for terms in self.equations:
                for name, coef in terms.items():
                    low = high = 0.0
                    for other, c in terms.items():
                        if other == name:
                            continue
                        lo, hi = self.bounds[other]
                        low += c * lo if c > 0 else c * hi
                        high += c * hi if c > 0 else c * lo
                    # coef * x = -(sum of the others)
                    if coef > 0:
                        new = (-high / coef, -low / coef)
                    else:
                        new = (-low / coef, -high / coef)
                    new = tuple(v if not math.isnan(v) else (-INF if i == 0 else INF) for i, v in enumerate(new))
                    changed |= self._narrow(name, *new)
            for numerator, denominator, low, high in self.ratios:
                d_lo, d_hi = self.bounds[denominator]
                changed |= self._narrow(numerator, low * d_lo, high * d_hi)
                n_lo, n_hi = self.bounds[numerator]
                if high > 0 and low > 0:
                    changed |= self._narrow(denominator, n_lo / high, n_hi / low)
                # those outside: denominator - numerator
            if not changed:
                break

    def findings(self) -> list[str]:
        out = []
        for name in sorted(self.people, key=str):
            low, high = self.bounds[name]
            if low == high and 0 < abs(low) < self.limit:
                out.append(f"{name} = {int(low)} (read from {self.seen.get(name, 'equations')})")
        return out

    # --- structure ----------------------------------------------------------------------------

    def chain(self, names: list, tag) -> None:
        """Nested counts, each at least the next: every difference is a group of people."""
        for a, b in itertools.combinations(names, 2):
            self.group(("difference", tag, a, b), {a: 1, b: -1})

    def total(self, total, parts: list, tag, people: bool = True) -> None:
        """parts add up to total; the parts not shown exactly add up to a group (their rest)."""
        self.equal({total: 1, **{p: -1 for p in parts}})
        if people:
            self.group(("rest", tag), {total: 1, **{p: -1 for p in parts if not self._exact(p)}})

    def _exact(self, name) -> bool:
        b = self.bounds.get(name)
        return b is not None and b[0] == b[1]
