"""Who may read and write what. Enforced here, inside eet, not only by hiding pages.

- admin: everything, including accounts, partners and targets.
- coordinator: row-level data of their own organisation only, read and write.
- researcher: pseudonymised row-level data of all organisations; writes the living lab's registers.
- viewer: aggregates only, small counts suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass


class AccessDenied(PermissionError):
    """The caller's role or organisation does not allow this."""


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
            raise AccessDenied("a coordinator account needs an organisation")
        return actor.organisation_id
    if actor.role in ("admin", "researcher"):
        return None
    raise AccessDenied(f"role {actor.role} sees aggregates only")


def require_role(actor: Actor, *roles: str) -> None:
    if actor.role not in roles:
        raise AccessDenied(f"{actor.username} ({actor.role}) may not do this; needs {' or '.join(roles)}")


def require_org(actor: Actor, *organisation_ids: int | None) -> None:
    """A coordinator may touch a row only when one of its organisations is theirs."""
    require_role(actor, "admin", "coordinator")
    if actor.role == "coordinator" and actor.organisation_id not in organisation_ids:
        raise AccessDenied(f"{actor.username} may only change rows of their own organisation")
