"""Figures for the living lab's researchers only. The Kaplan-Meier curve of time to a negative exit
is row-derived detail (each step is one person leaving): DESIGN.md shows it "for researchers", so
the admin and researchers read it and every other role is refused here, whatever a page shows."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from eet import figures
from eet.accounts.access import Actor, require_role

SURVIVAL_ROLES = ("admin", "researcher")


def sees_survival_curve(actor: Actor) -> bool:
    return actor.role in SURVIVAL_ROLES


def survival_curve(session: Session, actor: Actor, as_of: date) -> figures.SurvivalCurve:
    require_role(actor, *SURVIVAL_ROLES)
    return figures.kaplan_meier(session, as_of)
