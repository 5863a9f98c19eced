"""Simulated self-sufficiency measurements (ZRM) for the demo (issue 17), so that the research page
answers "sustainable recovery" on the demo too. Seeded and drawn from a generator of their own, so
the newsletter's demo figures stay exactly as they were.

Each housed participant is measured at intake (0 to 45 days before the first move-in, not before the
referral) and, when they are still housed a year later and that day lies within the demo, about a
year after the move-in (335 to 395 days). One in eight is never measured (coverage below 100%), a
few domains are left unscored, most scores rise by a point or stay, some fall.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from eet.accounts.access import SYSTEM
from eet.entry.measurements import MeasurementIn, record_measurement
from eet.store.models import ZRM_DOMAINS, Participant, ParticipantEvent


def load_measurements(session: Session, end: date, seed: int = 2017) -> int:
    """Add the simulated measurements of every housed demo participant up to `end`; returns how many."""
    rng = random.Random(seed)
    first_in = func.min(ParticipantEvent.occurred_on)
    housed = session.execute(
        select(Participant.code, Participant.referred_on, first_in)
        .join(ParticipantEvent, ParticipantEvent.participant_id == Participant.id)
        .where(ParticipantEvent.kind == "housed", ParticipantEvent.voided_at.is_(None))
        .group_by(Participant.code, Participant.referred_on).order_by(Participant.code)).all()
    exits = dict(session.execute(
        select(Participant.code, func.min(ParticipantEvent.occurred_on))
        .join(ParticipantEvent, ParticipantEvent.participant_id == Participant.id)
        .where(ParticipantEvent.kind == "exited", ParticipantEvent.voided_at.is_(None))
        .group_by(Participant.code)).all())
    made = 0
    for code, referred_on, moved_in in housed:
        if rng.random() < 0.125:
            continue
        intake_on = max(referred_on, moved_in - timedelta(days=rng.randint(0, 45)))
        intake = {d: (None if rng.random() < 0.06 else rng.choice((1, 2, 2, 2, 3, 3, 4))) for d in ZRM_DOMAINS}
        if all(v is None for v in intake.values()):
            intake["housing"] = 1
        record_measurement(session, SYSTEM, MeasurementIn.parse({"code": code, "date": intake_on, **intake}),
                           source="demo")
        made += 1
        later_on = moved_in + timedelta(days=rng.randint(335, 395))
        left = exits.get(code)
        if later_on > end or (left is not None and left <= later_on):
            continue
        declining = rng.random() < 0.15  # a hard year: most scores fall back
        later = {}
        for d, score in intake.items():
            if score is None:
                later[d] = None
                continue
            step = rng.choices((-1, 0, 1, 2), weights=(5, 3, 1, 0) if declining else (1, 3, 5, 1))[0]
            later[d] = min(5, max(1, score + step))
        record_measurement(session, SYSTEM, MeasurementIn.parse({"code": code, "date": later_on, **later}),
                           source="demo")
        made += 1
    return made
