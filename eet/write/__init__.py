"""The write side: every change of a fact passes one gate (DESIGN.md, "Writes go through one gate").

A door (a form, an upload, the command line, the admin page, the demo) decides what it wants to
write and hands the gate a *plan*: the rows it touches (`Touch`, in `plan`), each with the
organisations it belongs to before and after and the first date whose figures it changes, and an
*applier* that writes them. The gate (`gate.submit`) checks every touched row against the actor's
role and organisation (`policy`) and against the monthly sign-offs (`signoffs`), and only then
runs the applier with the tables open for writing; everything else is refused by the guard
(`guard`), so no door can write a fact around it. Appliers of versioned details live in `versions`.

    door ──decide──▶ Plan(touches, apply) ──▶ gate.submit ──policy──signoffs──▶ apply (guard open)
"""

from eet.write.plan import Plan, Touch

__all__ = ["Plan", "Touch"]
