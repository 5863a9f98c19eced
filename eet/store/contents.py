"""What the database holds: demo data (the newsletter's demo or synthetic histories) or real rows.
A database is either: the demo accounts sign in only while no real row exists.

The way out of a demo (issue 18): `remove_demo` deletes the demo data and the demo accounts, audited,
and `init --demo-if-empty` (what `make run` does) never loads the demo again after that. While demo
accounts are open, the first real account and a real import are refused (`demo_accounts_open`), so
real data never end up marked as demo next to a published password.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, exists, func, or_, select, update
from sqlmodel import Session

from eet.write.guard import maintenance
from eet.store.models import (
    AccessToken, AuditRecord, Bottleneck, CostParameter, Decision, Dwelling, DwellingStatusChange, DwellingVersion,
    Factor, Measurement, Participant, ParticipantEvent, ParticipantVersion, Pledge, ReviewMeeting, User,
    UserSession,
)

REMOVE_COMMAND = "python -m eet demo remove"


def is_demo(session: Session) -> bool:
    """True while the database holds demo (or synthetic) data."""
    return bool(session.execute(select(
        or_(exists().where(Dwelling.is_demo.is_(True)), exists().where(Participant.is_demo.is_(True)))
    )).scalar())


def has_real_data(session: Session) -> bool:
    return bool(session.execute(select(
        or_(exists().where(Dwelling.is_demo.is_(False)), exists().where(Participant.is_demo.is_(False)))
    )).scalar())


def demo_accounts_open(session: Session) -> bool:
    """Whether an active demo account (published password) exists."""
    return session.execute(select(User.id).where(User.is_demo.is_(True), User.active.is_(True))).first() is not None


def demo_blocks(session: Session, user_id: int | None) -> bool:
    """Whether a real write by this account (None: the command line) must wait for `demo remove`:
    demo accounts are open and the writer is not one of them (the demo accounts may go on playing
    with the demo)."""
    if not demo_accounts_open(session):
        return False
    if user_id is None:
        return True
    return not session.execute(select(User.is_demo).where(User.id == user_id)).scalar()


def demo_removed(session: Session) -> bool:
    """Whether the demo was removed from this database once (then `--demo-if-empty` leaves it empty)."""
    return session.execute(select(AuditRecord.id).where(
        AuditRecord.entity == "demo", AuditRecord.action == "remove")).first() is not None


def remove_demo(session: Session, actor) -> dict[str, int]:
    """Delete the demo data (every row marked demo, with the steps and status changes of demo
    participants and dwellings) and the demo accounts, in the caller's transaction, with one audit
    record. Returns rows deleted per kind. Real rows are left alone; a real row that refers to a
    demo row makes the database refuse, and nothing is deleted (the caller rolls back)."""
    from eet.store import audit

    demo_dwellings = select(Dwelling.id).where(Dwelling.is_demo.is_(True))
    demo_participants = select(Participant.id).where(Participant.is_demo.is_(True))
    demo_events = select(ParticipantEvent.id).where(ParticipantEvent.participant_id.in_(demo_participants))
    counts: dict[str, int] = {}
    with maintenance("removing the demo"):
        _delete_demo(session, counts, demo_dwellings, demo_participants, demo_events)
    demo_users = select(User.id).where(User.is_demo.is_(True))
    counts["demo_sessions"] = session.execute(delete(UserSession).where(UserSession.user_id.in_(demo_users))).rowcount
    counts["demo_tokens"] = session.execute(delete(AccessToken).where(AccessToken.user_id.in_(demo_users))).rowcount
    counts["demo_accounts"] = session.execute(delete(User).where(User.is_demo.is_(True))).rowcount
    session.flush()
    audit.record(session, actor, "remove", "demo", None, counts, None, "cli")
    return counts


def _delete_demo(session: Session, counts: dict[str, int], demo_dwellings, demo_participants, demo_events) -> None:
    counts["dwelling_status_changes"] = session.execute(delete(DwellingStatusChange).where(or_(
        DwellingStatusChange.dwelling_id.in_(demo_dwellings), DwellingStatusChange.event_id.in_(demo_events)))
    ).rowcount
    session.execute(update(ParticipantEvent).where(ParticipantEvent.participant_id.in_(demo_participants))
                    .values(corrects_id=None))
    counts["participant_events"] = session.execute(delete(ParticipantEvent).where(
        ParticipantEvent.participant_id.in_(demo_participants))).rowcount
    counts["measurements"] = session.execute(delete(Measurement).where(
        Measurement.participant_id.in_(demo_participants))).rowcount
    session.execute(delete(ParticipantVersion).where(ParticipantVersion.participant_id.in_(demo_participants)))
    session.execute(delete(DwellingVersion).where(DwellingVersion.dwelling_id.in_(demo_dwellings)))
    counts["participants"] = session.execute(delete(Participant).where(Participant.is_demo.is_(True))).rowcount
    counts["dwellings"] = session.execute(delete(Dwelling).where(Dwelling.is_demo.is_(True))).rowcount
    counts["decisions"] = session.execute(delete(Decision).where(or_(
        Decision.is_demo.is_(True),
        Decision.meeting_id.in_(select(ReviewMeeting.id).where(ReviewMeeting.is_demo.is_(True)))))).rowcount
    for name, model in (("review_meetings", ReviewMeeting), ("bottlenecks", Bottleneck), ("factors", Factor),
                        ("cost_parameters", CostParameter), ("pledges", Pledge)):
        counts[name] = session.execute(delete(model).where(model.is_demo.is_(True))).rowcount


def last_data_date(session: Session) -> date | None:
    """The latest date a row describes: a referral, a (not voided) step of a participant, status
    change of a dwelling or measurement. None in an empty database."""
    columns = ((Participant.referred_on, None), (ParticipantEvent.occurred_on, ParticipantEvent.voided_at),
               (DwellingStatusChange.effective_on, DwellingStatusChange.voided_at),
               (Measurement.measured_on, Measurement.voided_at))
    latest = [session.execute(select(func.max(column)).where(*([] if voided is None else [voided.is_(None)])))
              .scalar() for column, voided in columns]
    found = [value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
             for value in latest if value is not None]
    return max(found, default=None)


def opening_date(session: Session, today: date) -> date:
    """The as-of date the dashboard opens at: a database of demo data at its last data date (the
    latest dated row, never after `today`), so the demo reads as of when its story ends rather
    than years later; a real (or empty) database at `today` (issue 14)."""
    if not is_demo(session):
        return today
    last = last_data_date(session)
    return today if last is None else min(last, today)
