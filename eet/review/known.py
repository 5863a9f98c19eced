"""A recorded review meeting keeps its moment (DESIGN.md, "Figures as known at a moment K").

The meeting's `presented_at` is the moment its figures were presented. The review of that meeting
date, made again later (page or pack), is built as known at that moment, marked "zoals bekend op
…"; beside it the same date as known now, and the corrections recorded in between: rows recorded
after the moment with a date on or before the meeting date, and voids after it of rows that were
known then. Corrections are counted per kind and per organisation of whoever recorded them (the
account's organisation; none for the programme's own accounts and imports without one), with the
first and last moment recorded; counts are suppressed for viewers like every count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, and_, func, literal, or_, select
from sqlmodel import Session

from eet.figures import privacy
from eet.figures.privacy import Count
from eet.figures.query import CHANGE, CHANGES, EVENT, EVENTS, PARTICIPANT, PARTICIPANTS
from eet.figures.report import PROGRAMME_ZONE
from eet.store.models import (
    AuditRecord, CostParameter, Dwelling, DwellingVersion, Measurement, Organisation, OrganisationVersion,
    Participant, ParticipantVersion, ReviewMeeting, Target, User, utcnow,
)

USERS, ORGS, AUDIT = User.__table__, Organisation.__table__, AuditRecord.__table__
PV, DV = ParticipantVersion.__table__, DwellingVersion.__table__

# The kinds of correction, in the order shown: a participant registered late, a step recorded late
# (per event kind), a dwelling status recorded late, a step voided, a status voided.
EVENT_KINDS = ("assessed", "matched", "housed", "exited", "withdrawn")
CORRECTION_KINDS = ("participant", *(f"event.{k}" for k in EVENT_KINDS), "status",
                    *(f"void.{k}" for k in EVENT_KINDS), "void.status",
                    # issue 22: every fact a figure reads is versioned, so its changes are listed too
                    "details.participant", "details.dwelling", "measurement", "void.measurement", "cost", "target",
                    "partner")


@dataclass(frozen=True)
class Correction:
    """Rows of one kind recorded (or voided) by one organisation after the meeting's moment."""

    kind: str  # one of CORRECTION_KINDS
    organisation: str | None  # the recording account's organisation; None: none
    count: Count  # "<5" for viewers when small
    first: datetime  # first and last moment recorded (or voided), UTC
    last: datetime


def meeting_moment(session: Session, as_of: date) -> datetime | None:
    """The moment the figures of the meeting held on D were presented, when such a meeting is
    recorded with one; else None (the figures as known now)."""
    return session.execute(select(ReviewMeeting.presented_at).where(ReviewMeeting.held_on == as_of)).scalar()


def in_the_past(moment: datetime | None) -> bool:
    """Whether K lies before now: only then can the figures as known at K differ from today's."""
    return moment is not None and moment < utcnow()


def moment_text(moment: datetime, lang: str) -> str:
    """K for people: 'DD-MM-YYYY HH:MM' (nl) or 'YYYY-MM-DD HH:MM' (en), Europe/Amsterdam time."""
    local = moment.astimezone(PROGRAMME_ZONE)
    return local.strftime("%d-%m-%Y %H:%M" if lang == "nl" else "%Y-%m-%d %H:%M")


def _text(value: str):
    return literal(value, String())


def _organisation(username_column):
    """The name of the organisation of the account named in `username_column` (NULL: none)."""
    return (select(ORGS.c.name).select_from(USERS.join(ORGS, ORGS.c.id == USERS.c.organisation_id))
            .where(USERS.c.username == username_column).limit(1).scalar_subquery())


def corrections_since(session: Session, as_of: date, known_at: datetime, until: datetime | None = None,
                      suppressed: bool = False) -> list[Correction]:
    """What changed the figures at D between K and `until` (default: now), by kind and
    organisation: participants registered after K with a referral on or before D; steps and
    dwelling statuses recorded after K (and still standing) dated on or before D; voids after K of
    steps and statuses recorded by K and dated on or before D. Status changes made by a step (a
    move-in, an exit) count with the step. Counts as privacy.suppress gives them when
    `suppressed`."""
    until = until or utcnow()
    rows: list[tuple[str, str | None, int, datetime, datetime]] = []

    def grouped(kind_column, who, at, source, *where):
        organisation = _organisation(who).label("organisation")
        inner = select(kind_column.label("kind"), organisation, at.label("at")).select_from(source).where(
            *where).subquery()
        query = (select(inner.c.kind, inner.c.organisation, func.count(), func.min(inner.c.at), func.max(inner.c.at))
                 .group_by(inner.c.kind, inner.c.organisation))
        rows.extend(tuple(row) for row in session.execute(query).all())

    recorded_after = lambda c: and_(c.recorded_at > known_at, c.recorded_at <= until)  # noqa: E731
    voided_after = lambda c: and_(c.voided_at > known_at, c.voided_at <= until)  # noqa: E731
    still_standing = lambda c: or_(c.voided_at.is_(None), c.voided_at > until)  # noqa: E731
    # Late steps and voided steps.
    grouped(_text("event.") + EVENT.kind, EVENT.recorded_by, EVENT.recorded_at, EVENTS,
            recorded_after(EVENT), still_standing(EVENT), EVENT.occurred_on <= as_of)
    grouped(_text("void.") + EVENT.kind, EVENT.voided_by, EVENT.voided_at, EVENTS,
            voided_after(EVENT), EVENT.recorded_at <= known_at, EVENT.occurred_on <= as_of)
    # Late and voided dwelling statuses of their own (not made by a step).
    grouped(_text("status"), CHANGE.recorded_by, CHANGE.recorded_at, CHANGES,
            recorded_after(CHANGE), still_standing(CHANGE), CHANGE.event_id.is_(None), CHANGE.effective_on <= as_of)
    grouped(_text("void.status"), CHANGE.voided_by, CHANGE.voided_at, CHANGES,
            voided_after(CHANGE), CHANGE.recorded_at <= known_at, CHANGE.event_id.is_(None),
            CHANGE.effective_on <= as_of)
    # Participants registered late: who registered them is in the audit trail.
    creator = (select(AUDIT.c.actor).where(AUDIT.c.entity == "participant", AUDIT.c.action == "create",
                                           AUDIT.c.entity_id == PARTICIPANT.id)
               .order_by(AUDIT.c.id).limit(1).scalar_subquery())
    grouped(_text("participant"), creator, PARTICIPANT.created_at, PARTICIPANTS,
            PARTICIPANT.created_at > known_at, PARTICIPANT.created_at <= until, PARTICIPANT.referred_on <= as_of)

    # Details changed after K (a version that is not the first) of a participant or dwelling known at K.
    for table, entity, model in ((PV, "participant_id", Participant), (DV, "dwelling_id", Dwelling)):
        older = table.alias("older")
        has_earlier = select(older.c.id).where(older.c[entity] == table.c[entity], older.c.id < table.c.id).exists()
        owner = model.__table__
        dated = literal(True)
        if model is Participant:  # referred on or before D in this version or an earlier one
            dated = or_(table.c.referred_on <= as_of, select(older.c.id).where(
                older.c[entity] == table.c[entity], older.c.referred_on <= as_of).exists())
        grouped(_text(f"details.{model.__tablename__}"), table.c.recorded_by, table.c.recorded_at,
                table.join(owner, owner.c.id == table.c[entity]),
                recorded_after(table.c), has_earlier, owner.c.created_at <= known_at, dated)
    m = Measurement.__table__.c
    grouped(_text("measurement"), m.recorded_by, m.recorded_at, Measurement.__table__,
            recorded_after(m), still_standing(m), m.measured_on <= as_of)
    grouped(_text("void.measurement"), m.voided_by, m.voided_at, Measurement.__table__,
            voided_after(m), m.recorded_at <= known_at, m.measured_on <= as_of)
    for kind, table, dated in (("cost", CostParameter.__table__, CostParameter.__table__.c.valid_from),
                               ("target", Target.__table__, Target.__table__.c.valid_from)):
        c = table.c
        grouped(_text(kind), c.recorded_by, c.recorded_at, table, recorded_after(c), still_standing(c), dated <= as_of)
        grouped(_text(kind), c.voided_by, c.voided_at, table, voided_after(c), c.recorded_at <= known_at,
                dated <= as_of, c.void_reason != "changed")  # a change is counted once, by its new row
    ov = OrganisationVersion.__table__
    older = ov.alias("older")
    grouped(_text("partner"), ov.c.recorded_by, ov.c.recorded_at, ov, recorded_after(ov.c),
            select(older.c.id).where(older.c.organisation_id == ov.c.organisation_id, older.c.id < ov.c.id).exists())

    order = {kind: i for i, kind in enumerate(CORRECTION_KINDS)}
    rows.sort(key=lambda r: (order.get(r[0], len(order)), r[1] is None, str(r[1] or "").lower()))
    return [Correction(kind, organisation, privacy.suppress(int(n)) if suppressed else int(n), first, last)
            for kind, organisation, n, first, last in rows]


# --- as tables (the review page and the pack) ----------------------------------------------------

def known_tables(review, lang: str) -> list:
    """For a review made as known at a past moment K: the headline at D as presented beside D as
    known now (with the difference), and the corrections in between. [] otherwise."""
    from eet.review.tables import HEADLINE_GROUPS, Percent, Table, item_label, shown_cell
    from eet.texts import formatting as fmt
    from eet.texts import label, t

    if not review.known_now:
        return []
    moment = moment_text(review.known_at, lang)
    day = fmt.short_date(review.as_of, lang)
    then_now = Table("known_now", t("known_now_title", lang, date=day),
                     [t("figure", lang), t("known_at_mark", lang, moment=moment), t("known_now_column", lang),
                      t("change", lang)], codes=[], change_columns=(3,))
    by_group = sorted(review.known_now, key=lambda f: HEADLINE_GROUPS.index(f.group))
    for figure in by_group:
        # a cell of the disclosure pass (a rate's band, a combined cell) as the tables show it
        wrap = (lambda v: Percent(v) if isinstance(v, float) else shown_cell(v, lang)) if figure.item == "rate" \
            else (lambda v: shown_cell(v, lang))
        then_now.rows.append([item_label(figure.group, figure.item, review, lang), wrap(figure.then),
                              wrap(figure.now), wrap(figure.change)])
        then_now.codes.append(figure.code)
    corrections = Table("corrections", t("corrections_title", lang, moment=moment),
                        [t("col_correction", lang), t("organisation", lang), t("col_count", lang),
                         t("col_first_recorded", lang), t("col_last_recorded", lang)])
    corrections.rows = [[label("correction", c.kind, lang), c.organisation or t("no_organisation", lang), c.count,
                         moment_text(c.first, lang), moment_text(c.last, lang)] for c in review.corrections]
    corrections.note = (t("corrections_note", lang, date=day, moment=moment) if corrections.rows
                        else t("corrections_none", lang, date=day, moment=moment))
    changes = getattr(review, "changes", None)
    if changes is None or review.suppressed:
        return [then_now, corrections]
    from eet.review.changes import MAX_LINES, change_rows

    each = Table("changes", t("changes_title", lang, moment=moment),
                 [t("col_recorded", lang), t("organisation", lang), t("col_record", lang), t("col_action", lang),
                  t("field", lang), t("before", lang), t("after", lang)], change_rows(changes, lang))
    each.note = (t("changes_none", lang, date=day, moment=moment) if not each.rows else
                 t("changes_note", lang, date=day, moment=moment) + (
                     " " + t("changes_more", lang, shown=MAX_LINES, total=changes.total)
                     if changes.total > MAX_LINES else ""))
    return [then_now, corrections, each]
