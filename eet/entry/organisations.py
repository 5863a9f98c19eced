"""Organisation names and choices for filters: small lookups, no figures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from eet.accounts.access import Actor
from eet.store.models import Organisation

ORG = Organisation.__table__.c


def names(session: Session) -> dict[int, str]:
    return {org_id: name for org_id, name in session.execute(select(ORG.id, ORG.name)).all()}


def partners(session: Session, kind: str, as_of: date | None = None) -> list[tuple[int, str]]:
    """(id, name) of the partners of one kind, joined on or before D when D is given, by name."""
    query = select(ORG.id, ORG.name).where(ORG.kind == kind).order_by(ORG.name)
    if as_of is not None:
        query = query.where(ORG.joined_on <= as_of)
    return [tuple(row) for row in session.execute(query).all()]

def choosable(session: Session, actor: Actor, kind: str) -> list[tuple[int, str]]:
    """(id, name) of the partners of one kind this actor may put on a row (issue 14): a coordinator
    whose own organisation is of this kind may only put their own there (eet.accounts.access: every
    row a coordinator writes names their organisation); anyone else may choose every partner."""
    own = actor.organisation_id if actor.role == "coordinator" else None
    if own is not None:
        mine = session.execute(select(ORG.id, ORG.name).where(ORG.id == own, ORG.kind == kind)).all()
        if mine:
            return [tuple(row) for row in mine]
    return partners(session, kind)
