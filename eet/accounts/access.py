"""Who may read and write what. Enforced here, inside eet, not only by hiding pages.

- admin: everything, including accounts, partners and targets.
- coordinator: row-level data of their own organisation only, read and write.
- researcher: pseudonymised row-level data of all organisations; writes the living lab's registers.
- viewer: aggregates only, small counts suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eet.texts.messages import Localised, Term, check, either


class AccessDenied(PermissionError, Localised):
    """The caller's role or organisation does not allow this: a key of eet.messages.CATALOGUE with
    its parameters. str() is the English message; `.text(lang)` the one for a page."""

    def __init__(self, key: str, /, **params: Any):
        check(key, params)
        self.key, self.params = key, params
        super().__init__(self.message)


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    organisation_id: int | None = None
    user_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


# The command line and the demo loader act as the programme itself.
SYSTEM = Actor(username="system", role="admin")


def can_read_rows(actor: Actor) -> bool:
    return actor.role in ("admin", "coordinator", "researcher")


def sees_suppressed_counts(actor: Actor) -> bool:
    return actor.role == "viewer"


def row_scope(actor: Actor) -> int | None:
    """The organisation whose rows this actor is limited to, or None for all rows."""
    if actor.role == "coordinator":
        if actor.organisation_id is None:
            raise AccessDenied("denied_coordinator_without_org")
        return actor.organisation_id
    if actor.role in ("admin", "researcher"):
        return None
    raise AccessDenied("denied_aggregates_only", role=Term("role", actor.role))


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise AccessDenied("denied_role", user=actor.username, role=Term("role", actor.role),
                           roles=either("role", roles))


def require_org(actor: Actor, *organisation_ids: int | None) -> None:
    """A coordinator may touch a row only when one of its organisations is theirs."""
    require_role(actor, "admin", "coordinator")
    if actor.role == "coordinator" and actor.organisation_id not in organisation_ids:
        raise AccessDenied("denied_other_org", user=actor.username)
