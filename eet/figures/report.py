"""The report of spec/interfaces.md: every headline figure at a date, as JSON and as text.

The command line prints it, the pages show its parts, the meeting pack is built from it.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from eet import figures
from eet.figures import business_case as costs
from eet.figures import group_costs
from eet.figures import pledges
from eet.figures.recovery import recovery_12m
from eet.figures.query import as_known_at, known_at_of
from eet.store.contents import is_demo

# The programme's clock: a moment typed by a person (--known-at) is read in this zone.
PROGRAMME_ZONE = ZoneInfo("Europe/Amsterdam")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


def parse_known_at(text: str) -> datetime:
    """A moment K as spec/interfaces.md accepts it: `YYYY-MM-DD` (the end of that day) or
    `YYYY-MM-DDTHH:MM[:SS]`, both Europe/Amsterdam time; an aware datetime. Raises ValueError with
    the accepted forms for anything else."""
    value = (text or "").strip()
    try:
        if _DAY.fullmatch(value):
            return end_of_day(date.fromisoformat(value))
        if _MOMENT.fullmatch(value):
            return datetime.fromisoformat(value).replace(tzinfo=PROGRAMME_ZONE)
    except ValueError:
        pass
    raise ValueError(f"'{text}' is not a moment: give YYYY-MM-DD (the end of that day) or "
                     f"YYYY-MM-DDTHH:MM[:SS], Europe/Amsterdam time")


def end_of_day(day: date) -> datetime:
    """The last moment of a day in Europe/Amsterdam time (what `--known-at YYYY-MM-DD` means)."""
    return datetime.combine(day, time.max, tzinfo=PROGRAMME_ZONE)


def format_known_at(moment: datetime | None) -> str | None:
    """K as the report's JSON gives it: ISO 8601 in Europe/Amsterdam time, to the second."""
    if moment is None:
        return None
    return moment.astimezone(PROGRAMME_ZONE).replace(microsecond=0).isoformat()


def build_report(session: Session, as_of: date, known_at: datetime | None = None) -> dict:
    """Exactly the JSON object of spec/interfaces.md (unsuppressed: for admins and researchers),
    with "known_at": with `known_at` (an aware datetime) every figure is as the database knew it at
    that moment (rows recorded at or before it, not voided by it); without it, the session's moment
    (eet.figures.query.as_known_at) or, when none is set, as known now (null)."""
    with as_known_at(session, known_at if known_at is not None else known_at_of(session)):
        return _build_report(session, as_of)


def _build_report(session: Session, as_of: date) -> dict:
    goals = figures.targets(session, as_of)
    dwelling_goal = goals.get("dwellings")
    participant_goal = goals.get("participants")
    retention_goal = goals.get("retention")
    totals, by_municipality = figures.dwelling_totals_and_municipalities(session, as_of)
    lead = figures.lead_time(session, as_of)
    retention = figures.retention_12m(session, as_of,
                                      target=retention_goal.value if retention_goal else 0.9)
    recovery = recovery_12m(session, as_of)
    statuses = ("searching", "location_found", "available", "occupied", "withdrawn")
    pledge_view = pledges.pledge_view(session, as_of)
    pledged = pledges.report_entries(pledge_view)
    return {
        "as_of": as_of.isoformat(),
        "known_at": format_known_at(known_at_of(session)),
        "demo": is_demo(session),
        "coalition": figures.coalition(session, as_of),
        "dwellings": {
            "target": int(dwelling_goal.value) if dwelling_goal else None,
            "target_date": dwelling_goal.due_on.isoformat() if dwelling_goal and dwelling_goal.due_on else None,
            "counter": totals["counter"],
            "pipeline": totals["pipeline"],
            "ambition": totals["ambition"],
            "by_status": {s: totals[s] for s in statuses},
            "by_municipality": {
                name: {**{key: counts[key] for key in ("counter", "pipeline", *statuses)},
                       **pledged.get(name, {"pledge": None, "on_track": None})}  # issue 23
                for name, counts in by_municipality.items()
            },
            "pledged": pledge_view.pledged,  # issue 23: the sum of the partners' pledges valid at D
        },
        "participants": {
            "target": int(participant_goal.value) if participant_goal else None,
            "funnel": figures.funnel(session, as_of),
            "lead_time_days": {"median": lead.median, "p75": lead.p75, "n": lead.n,
                               "median_ci95": _pair(lead.median_ci)},
            # Issue 29: each rate with its 95% Wilson interval and the verdict that interval gives.
            "retention_12m": {"rate": retention.rate, "cohort": retention.cohort,
                              "target": retention.target, "ci95": _pair(retention.ci95),
                              "verdict": retention.verdict},
            # Issue 17: sustainable recovery (eet.figures.recovery) and the business case per payer.
            "recovery_12m": {"rate": recovery.rate, "cohort": recovery.cohort,
                             "measured": recovery.measured, "target": recovery.target,
                             "ci95": _pair(recovery.ci95), "verdict": recovery.verdict},
        },
        # Issue 29: beside the payers, the business case per group of participants (exact).
        "business_case": {**costs.report_business_case(costs.business_case(session, as_of)),
                          "per_group": group_costs.report_costs(session, as_of)},
    }


def _pair(interval) -> list[float] | None:
    """An interval as the JSON's [low, high], or null."""
    return None if interval is None else [float(interval[0]), float(interval[1])]


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def to_text(report: dict) -> str:
    """The same figures for people, in English (the command line's language)."""
    d = report["dwellings"]
    p = report["participants"]
    f = p["funnel"]
    lead = p["lead_time_days"]
    ret = p["retention_12m"]
    c = report["coalition"]
    lines = [
        f"Eerst een Thuis monitor, as of {report['as_of']}"
        + (f", as known at {report['known_at']}" if report.get("known_at") else "")
        + ("  (DEMO DATA)" if report["demo"] else ""),
        "",
        f"Coalition: {c['municipality']} municipalities, {c['care_provider']} care providers, "
        f"{c['housing_corporation']} housing corporations",
        "",
        f"Dwellings: counter {d['counter']}, pipeline {d['pipeline']}, ambition {d['ambition']} "
        f"(target {d['target']} by {d['target_date']})",
        "  by status: " + ", ".join(f"{k} {v}" for k, v in d["by_status"].items()),
    ]
    width = max((len(name) for name in d["by_municipality"]), default=10)
    lines.append(f"  {'municipality':<{width}}  counter  pipeline  pledge  on track")
    for name, row in d["by_municipality"].items():
        pledge = "-" if row.get("pledge") is None else row["pledge"]
        track = {True: "yes", False: "BEHIND", None: "-"}[row.get("on_track")]
        lines.append(f"  {name:<{width}}  {row['counter']:>7}  {row['pipeline']:>8}  {pledge!s:>6}  {track}")
    if d.get("pledged") is not None:
        lines.append(f"  pledged by the partners: {d['pledged']} (ambition {d['ambition']}, target {d['target']})")
    lines += [
        "",
        f"Participants (target {p['target']}): " + ", ".join(f"{k} {v}" for k, v in f.items()),
        f"Lead time referral to move-in: median {_num(lead['median'])} days, "
        f"75th percentile {_num(lead['p75'])} days (n={lead['n']})",
        f"Retention at 12 months: {_pct(ret['rate'])} of a cohort of {ret['cohort']} "
        f"(target {_pct(ret['target'])})" + _interval_text(ret),
    ]
    rec = p.get("recovery_12m")
    if rec is not None:
        lines.append(f"Sustainable recovery at 12 months: {_pct(rec['rate'])}, both measurements for "
                     f"{rec['measured']} of a cohort of {rec['cohort']} (target {_pct(rec['target'])})"
                     + _interval_text(rec))
    case = report.get("business_case")
    if case is not None:
        lines += ["", "Business case per participant-year (shelter minus Housing First):"]
        for payer, row in [*case["per_payer"].items(), ("total", case["total"])]:
            lines.append(f"  {payer:<18} Housing First {_eur(row['housing_first'])}, shelter "
                         f"{_eur(row['shelter'])}, difference {_eur(row['difference'])}")
        for by, rows in case.get("per_group", {}).items():
            lines.append(f"  per {by.replace('_', ' ')} (housed, participant-years):")
            for group, row in rows.items():
                lines.append(f"    {group or 'not recorded':<22} {row['housed']:>4} {row['participant_years']:>8.1f}  "
                             f"Housing First {_eur(row['housing_first'])}, difference {_eur(row['difference'])}")
    return "\n".join(lines)


def _interval_text(rate: dict) -> str:
    """", 95% interval 77.1-100.0%: target met" (or "not met", "undecided"), from the report's rate."""
    if rate.get("ci95") is None:
        return ""
    low, high = rate["ci95"]
    return f", 95% interval {_pct(low)}-{_pct(high)}: target {rate['verdict'].replace('_', ' ')}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def _eur(value: float | None) -> str:
    return "n/a" if value is None else f"EUR {value:,.0f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"
