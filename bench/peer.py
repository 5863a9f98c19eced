"""The analyst's peer: the figures of the report computed the way one would without this project.

Load the tables into pandas (every row; the columns the figures need), then compute each figure of
../DESIGN.md ("Definitions of the figures") in pandas, in the shape of spec/interfaces.md ("Report").
This module imports nothing of `eet`: it reads the database with SQLAlchemy and pandas only, so it is
an independent computation against which tests/test_peer.py checks eet.report.build_report, and the
yardstick bench/run.py times ours against.

    EET_DATABASE_URL=sqlite:///data/eet.db .venv/bin/python bench/peer.py [--as-of YYYY-MM-DD]

prints the report as JSON (the whole process is timed against `python -m eet report`).

Rules the peer takes from the text, not from our code:
- a dwelling's status at D: its latest non-voided status change dated on or before D; changes on
  the same date are ordered as they were recorded (by id); no change on or before D: no dwelling;
- funnel: participants referred on or before D; a step counts a participant with such a
  non-voided event on or before D; eligible: the latest assessment (date, then recording order)
  says eligible; housed_now: the latest move-in or exit is a move-in;
- lead time: days from referral to the first move-in, over participants first housed by D,
  median and 75th percentile as numpy.percentile (linear);
- retention: cohort = first move-in at least 365 days before D, less those with a death within
  0..365 days of it; retained = no negative exit within 0..365 days (exits known by D);
- targets: per key the latest valid on or before D; before any is valid, the earliest (the rule of
  eet.figures.dwellings.targets' docstring: DESIGN.md says only that targets are dated).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text

PARTNER_KINDS = ("municipality", "care_provider", "housing_corporation")
STATUSES = ("searching", "location_found", "available", "occupied", "withdrawn")
COUNTER = ("location_found", "available", "occupied")
STEPS = ("referred", "assessed", "eligible", "matched", "housed", "housed_now", "withdrawn")
DEFAULT_URL = f"sqlite:///{Path(__file__).resolve().parent.parent / 'data' / 'eet.db'}"  # as eet's default

QUERIES = {
    "organisation": "SELECT id, name, kind, joined_on FROM organisation",
    "target": "SELECT id, key, value, due_on, valid_from FROM target",
    "dwelling": "SELECT id, municipality_id, is_demo FROM dwelling",
    "change": "SELECT id, dwelling_id, status, effective_on FROM dwelling_status_change "
              "WHERE voided_at IS NULL",
    "participant": "SELECT id, referred_on, is_demo FROM participant",
    "event": "SELECT id, participant_id, kind, occurred_on, outcome FROM participant_event "
             "WHERE voided_at IS NULL",
}
DATE_COLUMNS = {"organisation": ("joined_on",), "target": ("due_on", "valid_from"),
                "change": ("effective_on",), "participant": ("referred_on",), "event": ("occurred_on",)}


@dataclass
class Tables:
    """The tables as pandas DataFrames, dates as datetime64, history sorted by (owner, date, id)."""

    organisation: pd.DataFrame
    target: pd.DataFrame
    dwelling: pd.DataFrame
    change: pd.DataFrame
    participant: pd.DataFrame
    event: pd.DataFrame


def load(url_or_engine) -> Tables:
    """Every row of the six tables the report needs (voided history rows left out in the query)."""
    engine = create_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    frames = {}
    with engine.connect() as conn:
        for name, sql in QUERIES.items():
            frame = pd.read_sql(text(sql), conn)
            for column in DATE_COLUMNS.get(name, ()):
                frame[column] = pd.to_datetime(frame[column])
            frames[name] = frame
    if isinstance(url_or_engine, str):
        engine.dispose()
    frames["change"] = frames["change"].sort_values(["dwelling_id", "effective_on", "id"], ignore_index=True)
    frames["event"] = frames["event"].sort_values(["participant_id", "occurred_on", "id"], ignore_index=True)
    frames["target"] = frames["target"].sort_values(["key", "valid_from", "id"], ignore_index=True)
    return Tables(**frames)


def compute(tables: Tables, as_of: date) -> dict:
    """The report of spec/interfaces.md at D from the loaded tables."""
    day = pd.Timestamp(as_of)
    goals = _targets(tables.target, day)
    dwellings = _dwellings(tables, day)
    retention_goal = goals.get("retention")
    return {
        "as_of": as_of.isoformat(),
        "demo": bool(tables.dwelling["is_demo"].astype(bool).any()
                     or tables.participant["is_demo"].astype(bool).any()),
        "coalition": _coalition(tables.organisation, day),
        "dwellings": {
            "target": None if "dwellings" not in goals else int(goals["dwellings"]["value"]),
            "target_date": _iso(goals["dwellings"]["due_on"]) if "dwellings" in goals else None,
            **dwellings,
        },
        "participants": {
            "target": None if "participants" not in goals else int(goals["participants"]["value"]),
            "funnel": _funnel(tables, day),
            "lead_time_days": _lead_time(tables, day),
            "retention_12m": {**_retention(tables, day),
                              "target": float(retention_goal["value"]) if retention_goal is not None else 0.9},
        },
    }


def _iso(value) -> str | None:
    return None if pd.isna(value) else value.date().isoformat()


def _coalition(orgs: pd.DataFrame, day: pd.Timestamp) -> dict[str, int]:
    joined = orgs[orgs["kind"].isin(PARTNER_KINDS) & (orgs["joined_on"] <= day)]
    counts = joined["kind"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in PARTNER_KINDS}


def _targets(target: pd.DataFrame, day: pd.Timestamp) -> dict[str, pd.Series]:
    chosen = {}
    for key, rows in target.groupby("key", sort=False):
        valid = rows[rows["valid_from"] <= day]
        chosen[key] = (valid if len(valid) else rows).iloc[-1 if len(valid) else 0]
    return chosen


def _with_totals(counts) -> dict[str, int]:
    out = {status: int(counts.get(status, 0)) for status in STATUSES}
    counter = sum(out[s] for s in COUNTER)
    return {"counter": counter, "pipeline": out["searching"], **out}


def _dwellings(tables: Tables, day: pd.Timestamp) -> dict:
    changes = tables.change[tables.change["effective_on"] <= day]
    current = changes.drop_duplicates("dwelling_id", keep="last")  # sorted by dwelling, date, id
    by_status = current["status"].value_counts()
    totals = _with_totals(by_status)
    placed = current.merge(tables.dwelling[["id", "municipality_id"]], left_on="dwelling_id", right_on="id")
    grid = placed.groupby(["municipality_id", "status"]).size()
    orgs = tables.organisation
    towns = orgs[(orgs["kind"] == "municipality") & (orgs["joined_on"] <= day)].sort_values("name")
    by_municipality = {}
    for org_id, name in zip(towns["id"], towns["name"]):
        counts = grid.loc[org_id] if org_id in grid.index.get_level_values(0) else {}
        row = _with_totals(counts)
        by_municipality[name] = {"counter": row["counter"], "pipeline": row["pipeline"],
                                 **{s: row[s] for s in STATUSES}}
    return {"counter": totals["counter"], "pipeline": totals["pipeline"],
            "ambition": totals["counter"] + totals["pipeline"],
            "by_status": {s: totals[s] for s in STATUSES}, "by_municipality": by_municipality}


def _events_by(tables: Tables, day: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    people = tables.participant[tables.participant["referred_on"] <= day]
    events = tables.event[(tables.event["occurred_on"] <= day)
                          & tables.event["participant_id"].isin(people["id"])]
    return people, events


def _funnel(tables: Tables, day: pd.Timestamp) -> dict[str, int]:
    people, events = _events_by(tables, day)
    kind = events["kind"]

    def who(name: str) -> int:
        return int(events.loc[kind == name, "participant_id"].nunique())

    latest_assessment = events[kind == "assessed"].drop_duplicates("participant_id", keep="last")
    latest_in_or_out = events[kind.isin(("housed", "exited"))].drop_duplicates("participant_id", keep="last")
    return {"referred": len(people), "assessed": who("assessed"),
            "eligible": int((latest_assessment["outcome"] == "eligible").sum()),
            "matched": who("matched"), "housed": who("housed"),
            "housed_now": int((latest_in_or_out["kind"] == "housed").sum()),
            "withdrawn": who("withdrawn")}


def _first_move_ins(tables: Tables, day: pd.Timestamp) -> pd.DataFrame:
    """participant_id, first_in, referred_on for each participant first housed by D."""
    events = tables.event
    housed = events[(events["kind"] == "housed") & (events["occurred_on"] <= day)]
    first = housed.drop_duplicates("participant_id", keep="first")[["participant_id", "occurred_on"]]
    first = first.rename(columns={"occurred_on": "first_in"})
    return first.merge(tables.participant[["id", "referred_on"]], left_on="participant_id", right_on="id")


def _lead_time(tables: Tables, day: pd.Timestamp) -> dict:
    first = _first_move_ins(tables, day)
    days = (first["first_in"] - first["referred_on"]).dt.days.to_numpy()
    if len(days) == 0:
        return {"median": None, "p75": None, "n": 0}
    median, p75 = np.percentile(days, [50, 75])
    return {"median": float(median), "p75": float(p75), "n": int(len(days))}


def _retention(tables: Tables, day: pd.Timestamp) -> dict:
    first = _first_move_ins(tables, day)
    cohort = first[first["first_in"] <= day - pd.Timedelta(days=365)]
    events = tables.event
    exits = events[(events["kind"] == "exited") & (events["occurred_on"] <= day)]
    exits = exits.merge(cohort[["participant_id", "first_in"]], on="participant_id")
    after = (exits["occurred_on"] - exits["first_in"]).dt.days
    within = exits[(after >= 0) & (after <= 365)]
    died = set(within.loc[within["outcome"] == "deceased", "participant_id"])
    failed = set(within.loc[within["outcome"] == "negative", "participant_id"])
    members = set(cohort["participant_id"]) - died
    if not members:
        return {"rate": None, "cohort": 0}
    retained = len(members - failed)
    return {"rate": retained / len(members), "cohort": len(members)}


def differences(ours: dict, peer: dict, path: str = "") -> list[str]:
    """Where `ours` differs from the peer's report: the peer's keys (those of spec/interfaces.md)
    must all be in ours with equal values; counts exactly, rates and days within 1e-9 (numpy's
    percentile and ours may round the last bit differently). Keys only ours has (the JSON may
    grow) are not compared."""
    out = []
    for key, expected in peer.items():
        where = f"{path}.{key}" if path else key
        if not isinstance(ours, dict) or key not in ours:
            out.append(f"{where}: missing in ours")
            continue
        got = ours[key]
        if isinstance(expected, dict):
            out += differences(got, expected, where)
        elif isinstance(expected, float) and isinstance(got, (int, float)) and not isinstance(got, bool):
            if abs(got - expected) > 1e-9 * max(1.0, abs(expected)):
                out.append(f"{where}: ours {got!r}, peer {expected!r}")
        elif got != expected or type(got) is not type(expected):
            out.append(f"{where}: ours {got!r}, peer {expected!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    parser.add_argument("--url", default=os.environ.get("EET_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    print(json.dumps(compute(load(args.url), args.as_of), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
