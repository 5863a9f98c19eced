"""Who may write which rows (eet.accounts.access's rules, applied to every touched row).

- rows (dwellings, participants, steps, status changes): the admin; a coordinator when one of the
  row's organisations is theirs, before and after the write (a row cannot be given away to, or
  taken from, another organisation by someone of neither).
- measurement (ZRM, health data): the admin; a coordinator of the participant's care provider.
- registers (bottlenecks, factors, cost parameters): the admin and researchers.
- programme (partners, targets, meetings, decisions, settings): the admin.
- sign_off: a coordinator for their own organisation, the admin for any; reopen: the admin.
"""

from __future__ import annotations

from eet.accounts.access import AccessDenied, Actor, require_org, require_role
from eet.write.plan import Touch


def check(actor: Actor, touch: Touch) -> None:
    """Raise AccessDenied unless the actor may write this row."""
    rule = touch.rule
    if rule == "rows":
        for side in (touch.before, touch.after):
            if side or actor.role != "admin":
                require_org(actor, *side) if side else require_role(actor, "admin", "coordinator")
    elif rule == "measurement":
        require_role(actor, "admin", "coordinator")
        sides = [side for side in (touch.before, touch.after) if side]
        if actor.role == "coordinator" and (not sides or any(actor.organisation_id not in side for side in sides)):
            raise AccessDenied("denied_other_org", user=actor.username)
    elif rule == "registers":
        require_role(actor, "admin", "researcher")
    elif rule == "programme":
        require_role(actor, "admin")
    elif rule == "sign_off":
        require_role(actor, "admin", "coordinator")
        if actor.role == "coordinator" and actor.organisation_id not in touch.after:
            raise AccessDenied("denied_other_org", user=actor.username)
    elif rule == "reopen":
        require_role(actor, "admin")
    else:  # a plan that names no known rule is a programming error, never a permission
        raise ValueError(f"unknown write rule {rule!r}")
