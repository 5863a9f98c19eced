"""Hand-written SQL for each figure of the report: what a person would type into psql or sqlite3
to get the same numbers. bench/run.py times each figure against these, so the ratio shows what the
figure's query shape and Python around it cost over the bare aggregate."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection


def _days(dialect: str, later: str, earlier: str) -> str:
    if dialect == "sqlite":
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"({later} - {earlier})"


COALITION = """SELECT kind, count(*) FROM organisation
WHERE kind IN ('municipality', 'care_provider', 'housing_corporation') AND joined_on <= :d GROUP BY kind"""

TARGETS = "SELECT key, value, due_on, valid_from FROM target ORDER BY key, valid_from, id"

# Per dwelling its latest non-voided change on or before D: one index probe per dwelling.
STATUS_AT = """SELECT d.municipality_id, (
    SELECT c.status FROM dwelling_status_change c
    WHERE c.dwelling_id = d.id AND c.voided_at IS NULL AND c.effective_on <= :d
    ORDER BY c.effective_on DESC, c.id DESC LIMIT 1) AS status
FROM dwelling d"""

DWELLING_COUNTS = f"SELECT status, count(*) FROM ({STATUS_AT}) s WHERE status IS NOT NULL GROUP BY status"

BY_MUNICIPALITY = [
    f"""SELECT municipality_id, status, count(*) FROM ({STATUS_AT}) s WHERE status IS NOT NULL
GROUP BY municipality_id, status""",
    "SELECT id, name FROM organisation WHERE kind = 'municipality' AND joined_on <= :d ORDER BY name",
]

FUNNEL = """WITH e AS (
    SELECT participant_id, kind, outcome, occurred_on, id FROM participant_event
    WHERE voided_at IS NULL AND occurred_on <= :d),
steps AS (
    SELECT participant_id,
        max(CASE WHEN kind = 'assessed' THEN 1 ELSE 0 END) AS assessed,
        max(CASE WHEN kind = 'matched' THEN 1 ELSE 0 END) AS matched,
        max(CASE WHEN kind = 'housed' THEN 1 ELSE 0 END) AS housed,
        max(CASE WHEN kind = 'withdrawn' THEN 1 ELSE 0 END) AS withdrawn
    FROM e GROUP BY participant_id),
last_assessment AS (
    SELECT participant_id, outcome,
        row_number() OVER (PARTITION BY participant_id ORDER BY occurred_on DESC, id DESC) AS rn
    FROM e WHERE kind = 'assessed'),
last_home AS (
    SELECT participant_id, kind,
        row_number() OVER (PARTITION BY participant_id ORDER BY occurred_on DESC, id DESC) AS rn
    FROM e WHERE kind IN ('housed', 'exited'))
SELECT count(*), sum(coalesce(s.assessed, 0)),
    sum(CASE WHEN a.outcome = 'eligible' THEN 1 ELSE 0 END), sum(coalesce(s.matched, 0)),
    sum(coalesce(s.housed, 0)), sum(CASE WHEN h.kind = 'housed' THEN 1 ELSE 0 END),
    sum(coalesce(s.withdrawn, 0))
FROM participant p
LEFT JOIN steps s ON s.participant_id = p.id
LEFT JOIN last_assessment a ON a.participant_id = p.id AND a.rn = 1
LEFT JOIN last_home h ON h.participant_id = p.id AND h.rn = 1
WHERE p.referred_on <= :d"""


def _first_in(dialect: str) -> str:
    return f"""SELECT e.participant_id, min(e.occurred_on) AS first_in,
    {_days(dialect, 'min(e.occurred_on)', 'p.referred_on')} AS days
FROM participant_event e JOIN participant p ON p.id = e.participant_id
WHERE e.kind = 'housed' AND e.voided_at IS NULL AND e.occurred_on <= :d
GROUP BY e.participant_id, p.referred_on"""


def lead_time(conn: Connection, dialect: str, d: date) -> None:
    """Count, then the order statistics around the median and the 75th percentile."""
    first = _first_in(dialect)
    n = conn.execute(text(f"SELECT count(*) FROM ({first}) f"), {"d": d}).scalar()
    for fraction in (0.5, 0.75):
        conn.execute(text(f"SELECT days FROM ({first}) f ORDER BY days LIMIT 2 OFFSET :o"),
                     {"d": d, "o": int(fraction * max(n - 1, 0))}).all()


def retention(dialect: str) -> str:
    return f"""WITH first AS ({_first_in(dialect)}),
exits AS (
    SELECT f.participant_id,
        max(CASE WHEN x.outcome = 'negative' THEN 1 ELSE 0 END) AS negative,
        max(CASE WHEN x.outcome = 'deceased' THEN 1 ELSE 0 END) AS deceased
    FROM first f JOIN participant_event x ON x.participant_id = f.participant_id
    WHERE x.kind = 'exited' AND x.voided_at IS NULL AND x.occurred_on <= :d
        AND x.occurred_on >= f.first_in AND {_days(dialect, 'x.occurred_on', 'f.first_in')} <= 365
    GROUP BY f.participant_id)
SELECT count(*), sum(CASE WHEN coalesce(x.negative, 0) = 1 THEN 0 ELSE 1 END)
FROM first f LEFT JOIN exits x ON x.participant_id = f.participant_id
WHERE f.first_in <= :cutoff AND coalesce(x.deceased, 0) = 0"""


def kaplan_meier(dialect: str) -> str:
    end = "CASE WHEN neg IS NOT NULL AND (cens IS NULL OR neg <= cens) THEN neg WHEN cens IS NOT NULL THEN cens ELSE :d END"
    flag = "CASE WHEN neg IS NOT NULL AND (cens IS NULL OR neg <= cens) THEN 1 ELSE 0 END"
    return f"""WITH first AS ({_first_in(dialect)}),
x AS (
    SELECT f.participant_id, f.first_in,
        min(CASE WHEN e.outcome = 'negative' THEN e.occurred_on END) AS neg,
        min(CASE WHEN e.outcome IN ('positive', 'deceased') THEN e.occurred_on END) AS cens
    FROM first f LEFT JOIN participant_event e ON e.participant_id = f.participant_id AND e.kind = 'exited'
        AND e.voided_at IS NULL AND e.occurred_on <= :d AND e.occurred_on >= f.first_in
    GROUP BY f.participant_id, f.first_in)
SELECT {_days(dialect, end, 'first_in')} AS days, {flag} AS event, count(*) FROM x GROUP BY 1, 2 ORDER BY 1"""


DWELLING_TREND = """WITH o AS (
    SELECT effective_on, status,
        lag(status) OVER (PARTITION BY dwelling_id ORDER BY effective_on, id) AS previous
    FROM dwelling_status_change WHERE voided_at IS NULL AND effective_on <= :d),
deltas AS (
    SELECT effective_on AS day, status, 1 AS delta FROM o
    UNION ALL SELECT effective_on, previous, -1 FROM o WHERE previous IS NOT NULL)
SELECT day, status, sum(delta) FROM deltas GROUP BY day, status ORDER BY day"""


def lead_time_distribution(dialect: str) -> str:
    return f"SELECT (days / 30) * 30 AS bucket, count(*) FROM ({_first_in(dialect)}) f GROUP BY 1 ORDER BY 1"


def lead_time_trend(dialect: str) -> str:
    return (f"SELECT substr(CAST(first_in AS TEXT), 1, 7) AS month, avg(days), count(*) "
            f"FROM ({_first_in(dialect)}) f GROUP BY 1 ORDER BY 1")


def lead_time_counts(dialect: str) -> str:
    return (f"SELECT substr(CAST(first_in AS TEXT), 1, 7) AS month, days, count(*) "
            f"FROM ({_first_in(dialect)}) f GROUP BY 1, 2 ORDER BY 1, 2")


# The funnel per referrer and care provider at once (both breakdowns and the total are sums of it).
FUNNEL_BREAKDOWNS = (FUNNEL.replace("SELECT count(*), sum(coalesce(s.assessed",
                                    "SELECT p.referrer_id, p.care_provider_id, count(*), sum(coalesce(s.assessed")
                     + "\nGROUP BY p.referrer_id, p.care_provider_id")

CENTRAL_WAITING_LIST = "SELECT central_waiting_list, count(*) FROM participant WHERE referred_on <= :d GROUP BY 1"

WITHDRAWALS = """SELECT coalesce(outcome, ''), count(*) FROM participant_event
WHERE kind = 'withdrawn' AND voided_at IS NULL AND occurred_on <= :d
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20"""

ORGANISATION_NAMES = "SELECT id, name FROM organisation"

# The first page of the dwelling table (500 rows by ref) and the count of all rows.
DWELLING_ROWS = [
    """SELECT d.ref, m.name, c.name, p.name, d.site, d.building_type, d.route, s.status, s.effective_on,
    d.expected_date
FROM dwelling d
JOIN dwelling_status_change s ON s.id = (
    SELECT x.id FROM dwelling_status_change x
    WHERE x.dwelling_id = d.id AND x.voided_at IS NULL AND x.effective_on <= :d
    ORDER BY x.effective_on DESC, x.id DESC LIMIT 1)
JOIN organisation m ON m.id = d.municipality_id
LEFT JOIN organisation c ON c.id = d.corporation_id
LEFT JOIN organisation p ON p.id = d.care_provider_id
ORDER BY d.ref LIMIT 500""",
    """SELECT count(*) FROM dwelling d WHERE EXISTS (SELECT 1 FROM dwelling_status_change x
    WHERE x.dwelling_id = d.id AND x.voided_at IS NULL AND x.effective_on <= :d)""",
]

IS_DEMO = """SELECT EXISTS (SELECT 1 FROM dwelling WHERE is_demo = TRUE)
    OR EXISTS (SELECT 1 FROM participant WHERE is_demo = TRUE)"""


def queries(dialect: str):
    """(figure name, function running its bare SQL on a connection at D)."""
    def run(*statements):
        def go(conn: Connection, d: date) -> None:
            for sql in statements:
                conn.execute(text(sql), {"d": d, "cutoff": d - timedelta(days=365)}).all()
        return go

    return {
        "coalition": run(COALITION),
        "targets": run(TARGETS),
        "dwelling_counts": run(DWELLING_COUNTS),
        "dwellings_by_municipality": run(*BY_MUNICIPALITY),
        "funnel": run(FUNNEL),
        "lead_time": lambda conn, d: lead_time(conn, dialect, d),
        "retention_12m": run(retention(dialect)),
        "is_demo": run(IS_DEMO),
    }


def page_queries(dialect: str):
    """(figure name, its bare SQL) for the further figures the pages read."""
    def run(*statements):
        def go(conn: Connection, d: date) -> None:
            for sql in statements:
                conn.execute(text(sql), {"d": d}).all()
        return go

    return {
        "dwelling_trend": run(DWELLING_TREND),
        "kaplan_meier": run(kaplan_meier(dialect)),
        "lead_time_distribution": run(lead_time_distribution(dialect)),
        "lead_time_trend": run(lead_time_trend(dialect)),
        "funnel_breakdowns": run(FUNNEL_BREAKDOWNS),
        "central_waiting_list": run(CENTRAL_WAITING_LIST),
        "withdrawals": run(WITHDRAWALS),
        "dwelling_rows (first 500)": run(*DWELLING_ROWS),
        "participant_view": run(FUNNEL_BREAKDOWNS, ORGANISATION_NAMES, lead_time_counts(dialect),
                                CENTRAL_WAITING_LIST, WITHDRAWALS),
    }
