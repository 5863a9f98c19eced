"""Read functions for the living lab's registers as they stood on a date: bottlenecks, success and
failure factors, cost parameters. Plain dicts, ready for a table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session

from eet.figures.query import known_at_of, live
from eet.store.models import FACTOR_DOMAINS, Bottleneck, CostParameter, Factor

BOTTLENECK, FACTOR, COST = Bottleneck.__table__.c, Factor.__table__.c, CostParameter.__table__.c


def open_bottlenecks(session: Session, as_of: date) -> list[dict]:
    """Raised on or before D and not resolved on or before D, oldest first."""
    rows = session.execute(
        select(BOTTLENECK.title, BOTTLENECK.domain, BOTTLENECK.owner, BOTTLENECK.status, BOTTLENECK.raised_on)
        .where(BOTTLENECK.raised_on <= as_of,
               or_(BOTTLENECK.resolved_on.is_(None), BOTTLENECK.resolved_on > as_of))
        .order_by(BOTTLENECK.raised_on, BOTTLENECK.id)).mappings().all()
    # The stored status is today's; on an earlier date a bottleneck resolved later was still open.
    return [{**row, "status": "open" if row["status"] == "resolved" else row["status"]} for row in rows]


def factors_by_domain(session: Session, as_of: date) -> dict[str, list[dict]]:
    """Factors observed on or before D, per domain (support, housing, neighbourhood), newest first."""
    rows = session.execute(
        select(FACTOR.domain, FACTOR.kind, FACTOR.description, FACTOR.observed_on, FACTOR.source)
        .where(FACTOR.observed_on <= as_of)
        .order_by(FACTOR.observed_on.desc(), FACTOR.id.desc())).mappings().all()
    out: dict[str, list[dict]] = {domain: [] for domain in FACTOR_DOMAINS}
    for row in rows:
        out.setdefault(row["domain"], []).append(dict(row))
    return out


def cost_parameters(session: Session, as_of: date) -> list[dict]:
    """The cost parameters valid on D (valid_from <= D and no valid_to before D)."""
    rows = session.execute(
        select(COST.model, COST.category, COST.label, COST.amount_eur, COST.unit, COST.source,
               COST.valid_from, COST.valid_to)
        .where(COST.valid_from <= as_of, or_(COST.valid_to.is_(None), COST.valid_to >= as_of),
               live(COST, known_at_of(session)))
        .order_by(COST.model, COST.category, COST.id)).mappings().all()
    return [dict(row) for row in rows]
