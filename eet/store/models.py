"""The tables of the monitor; they read as the glossary of DESIGN.md.

History is appended, never overwritten: a dwelling's status lives in dated `DwellingStatusChange`
rows and a participant's route in dated `ParticipantEvent` rows, so every figure can be asked for
any past date. A wrong row is voided (with who and why), never deleted.

Participants carry a pseudonymous code only: no name, no citizen service number, no birth date.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

# Value lists. Stored as plain strings with CHECK constraints, so that adding a value is a small
# migration on both SQLite and PostgreSQL.
ORG_KINDS = ("municipality", "care_provider", "housing_corporation", "referral")
PARTNER_KINDS = ("municipality", "care_provider", "housing_corporation")
DWELLING_STATUSES = ("searching", "location_found", "available", "occupied", "withdrawn")
COUNTER_STATUSES = ("location_found", "available", "occupied")
PIPELINE_STATUSES = ("searching",)
BUILDING_TYPES = ("existing", "transformation", "new_build")
ROUTES = ("scattered", "project")
EVENT_KINDS = ("assessed", "matched", "housed", "exited", "withdrawn")
ASSESSMENT_OUTCOMES = ("eligible", "not_eligible")
EXIT_OUTCOMES = ("positive", "negative", "deceased")
ROLES = ("admin", "coordinator", "researcher", "viewer")
AGE_BANDS = ("18-22", "23-29", "30-39", "40-49", "50-64", "65+")
FACTOR_DOMAINS = ("support", "housing", "neighbourhood")
FACTOR_KINDS = ("success", "failure")
BOTTLENECK_STATUSES = ("open", "in_progress", "resolved")
DECISION_TOPICS = ("target_group", "initiative", "location", "other")
DECISION_STATUSES = ("open", "in_progress", "done", "dropped")
COST_MODELS = ("housing_first", "shelter")
COST_CATEGORIES = ("support", "housing", "one_off", "shelter")
COST_UNITS = ("per_participant_year", "one_off_per_participant")
TARGET_KEYS = ("dwellings", "participants", "retention")
# Who pays a cost (issue 17): the business case per payer.
PAYERS = ("gemeente", "zorgverzekeraar", "wlz", "woningcorporatie", "rijk", "other")
# The 13 domains of the Zelfredzaamheid-Matrix (ZRM), each scored 1 (acute problems) to 5 (fully
# self-sufficient), in the order of the matrix.
ZRM_DOMAINS = ("finances", "work_education", "time_use", "housing", "domestic_relations", "mental_health",
               "physical_health", "substance_use", "basic_adl", "instrumental_adl", "social_network",
               "social_participation", "justice")


# Named constraints, so that migrations can refer to them on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Recorded(SQLModel):
    """When a version of a fact was recorded and by whom, and when it stopped counting (voided, or
    superseded by a later version), by whom and why. A figure as known at K reads the rows recorded
    at or before K and not voided by K (eet.figures.query.live); as known now, the rows not voided."""

    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: str | None = Field(default=None, max_length=80)
    voided_at: datetime | None = None
    voided_by: str | None = Field(default=None, max_length=80)
    void_reason: str | None = Field(default=None, max_length=500)


def _in(column: str, values: tuple[str, ...], nullable: bool = False) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    expr = f"{column} IN ({allowed})"
    if nullable:
        expr = f"{column} IS NULL OR {expr}"
    return CheckConstraint(expr, name=column)


class Organisation(SQLModel, table=True):
    """A coalition partner (municipality, care provider, housing corporation) or a referral
    organisation such as Regionale Toegang. Partners count in the coalition from `joined_on`."""

    __table_args__ = (_in("kind", ORG_KINDS),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=32, index=True)
    joined_on: date | None = Field(default=None, index=True)
    note: str | None = Field(default=None, max_length=500)


class Dwelling(SQLModel, table=True):
    """One self-contained unit for one participant household. Its status is not stored here but
    in the dated status changes."""

    __table_args__ = (
        _in("building_type", BUILDING_TYPES, nullable=True),
        _in("route", ROUTES, nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=40, unique=True)
    municipality_id: int = Field(foreign_key="organisation.id", index=True)
    corporation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    care_provider_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    site: str | None = Field(default=None, max_length=120)
    building_type: str | None = Field(default=None, max_length=20)
    route: str | None = Field(default=None, max_length=20)
    expected_date: date | None = None
    is_demo: bool = Field(default=False, index=True)
    # Optimistic lock: a save that read an older version is refused, nothing is lost.
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)


class DwellingStatusChange(SQLModel, table=True):
    """A dwelling's status from `effective_on` until the next change. Move-ins and exits add
    changes too (occupied / available), linked by `event_id`."""

    __tablename__ = "dwelling_status_change"
    __table_args__ = (
        _in("status", DWELLING_STATUSES),
        # The as-of query takes the latest non-voided change per dwelling on or before a date.
        Index("ix_status_change_dwelling_date", "dwelling_id", "effective_on", "id"),
        # Covering and partial (migration 0002): the as-of status is read from the index alone.
        Index("ix_change_current", "dwelling_id", "effective_on", "id", "status",
              sqlite_where=text("voided_at IS NULL"), postgresql_where=text("voided_at IS NULL")),
        # Covering for the figures as known at K (migration 0007): the same probe, with when the
        # row was recorded and voided, read from the index alone.
        Index("ix_change_known", "dwelling_id", "effective_on", "id", "status", "recorded_at", "voided_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dwelling_id: int = Field(foreign_key="dwelling.id")
    status: str = Field(max_length=20)
    effective_on: date = Field(index=True)
    event_id: int | None = Field(default=None, foreign_key="participant_event.id", index=True)
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: str | None = Field(default=None, max_length=80)
    voided_at: datetime | None = None
    voided_by: str | None = Field(default=None, max_length=80)
    void_reason: str | None = Field(default=None, max_length=500)


class Participant(SQLModel, table=True):
    """A participant, known by a pseudonymous code only (e.g. P-0001)."""

    __table_args__ = (
        _in("age_band", AGE_BANDS, nullable=True),
        # Covering (migration 0003): the central waiting list at D from the index alone.
        Index("ix_participant_referred_waiting", "referred_on", "central_waiting_list"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    referrer_id: int = Field(foreign_key="organisation.id", index=True)
    care_provider_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    municipality_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    central_waiting_list: bool | None = None
    referred_on: date = Field(index=True)
    age_band: str | None = Field(default=None, max_length=8)
    is_demo: bool = Field(default=False, index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)


class DwellingVersion(Recorded, table=True):
    """What was recorded about a dwelling's details, version by version (migration 0008): the
    dwelling row holds the latest; a figure as known at K reads the version live at K. A change
    voids the version before it (voided_by, void_reason) and records a new one."""

    __tablename__ = "dwelling_version"
    __table_args__ = (
        Index("ix_dwelling_version_known", "dwelling_id", "recorded_at", "voided_at", "id"),
        # one version live per dwelling
        Index("ux_dwelling_version_live", "dwelling_id", unique=True,
              sqlite_where=text("voided_at IS NULL"), postgresql_where=text("voided_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    dwelling_id: int = Field(foreign_key="dwelling.id")
    municipality_id: int = Field(foreign_key="organisation.id")
    corporation_id: int | None = Field(default=None, foreign_key="organisation.id")
    care_provider_id: int | None = Field(default=None, foreign_key="organisation.id")
    site: str | None = Field(default=None, max_length=120)
    building_type: str | None = Field(default=None, max_length=20)
    route: str | None = Field(default=None, max_length=20)
    expected_date: date | None = None


class ParticipantVersion(Recorded, table=True):
    """What was recorded about a participant's details, version by version (migration 0008), as
    DwellingVersion for dwellings."""

    __tablename__ = "participant_version"
    __table_args__ = (
        Index("ix_participant_version_known", "participant_id", "recorded_at", "voided_at", "id"),
        Index("ux_participant_version_live", "participant_id", unique=True,
              sqlite_where=text("voided_at IS NULL"), postgresql_where=text("voided_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id")
    referrer_id: int = Field(foreign_key="organisation.id")
    care_provider_id: int | None = Field(default=None, foreign_key="organisation.id")
    municipality_id: int | None = Field(default=None, foreign_key="organisation.id")
    central_waiting_list: bool | None = None
    referred_on: date
    age_band: str | None = Field(default=None, max_length=8)


class OrganisationVersion(Recorded, table=True):
    """What was recorded about a partner (its kind and the date it joined the coalition), version
    by version (migration 0008): the coalition figures as known at K read the version live at K."""

    __tablename__ = "organisation_version"
    __table_args__ = (Index("ix_organisation_version_known", "organisation_id", "recorded_at", "voided_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    name: str = Field(max_length=120)
    kind: str = Field(max_length=32)
    joined_on: date | None = None


# The attributes a version holds, per versioned table: eet.write.versions keeps them in step.
VERSIONED = {"dwelling": ("dwelling_id", ("municipality_id", "corporation_id", "care_provider_id", "site",
                                          "building_type", "route", "expected_date")),
             "participant": ("participant_id", ("referrer_id", "care_provider_id", "municipality_id",
                                                "central_waiting_list", "referred_on", "age_band")),
             "organisation": ("organisation_id", ("name", "kind", "joined_on"))}


class ParticipantEvent(SQLModel, table=True):
    """A dated step of a participant: assessed, matched, housed (move-in), exited, withdrawn."""

    __tablename__ = "participant_event"
    __table_args__ = (
        _in("kind", EVENT_KINDS),
        Index("ix_event_participant_kind_date", "participant_id", "kind", "occurred_on", "id"),
        Index("ix_event_kind_date", "kind", "occurred_on"),
        # Covering and partial (migration 0002): the funnel reads each participant's events in
        # participant order, first move-ins and exits read one kind in participant order.
        Index("ix_event_route", "participant_id", "kind", "occurred_on", "id", "outcome",
              sqlite_where=text("voided_at IS NULL"), postgresql_where=text("voided_at IS NULL")),
        Index("ix_event_kind_participant", "kind", "participant_id", "occurred_on", "outcome",
              sqlite_where=text("voided_at IS NULL"), postgresql_where=text("voided_at IS NULL")),
        # The two above for the figures as known at K (migration 0007), with recorded_at and voided_at.
        Index("ix_event_route_known", "participant_id", "kind", "occurred_on", "id", "outcome",
              "recorded_at", "voided_at"),
        Index("ix_event_kind_participant_known", "kind", "participant_id", "occurred_on", "outcome",
              "recorded_at", "voided_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id")
    kind: str = Field(max_length=16)
    occurred_on: date
    outcome: str | None = Field(default=None, max_length=200)
    dwelling_id: int | None = Field(default=None, foreign_key="dwelling.id", index=True)
    note: str | None = Field(default=None, max_length=500)
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: str | None = Field(default=None, max_length=80)
    voided_at: datetime | None = None
    voided_by: str | None = Field(default=None, max_length=80)
    void_reason: str | None = Field(default=None, max_length=500)
    # A correction voids the wrong event and points from the new one to it.
    corrects_id: int | None = Field(default=None, foreign_key="participant_event.id")


class Target(Recorded, table=True):
    """A programme target, dated: the one valid at D is the latest with valid_from on or before D,
    among those recorded by K and not voided (migration 0008)."""

    __table_args__ = (_in("key", TARGET_KEYS),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=20, index=True)
    value: float
    due_on: date | None = None
    valid_from: date
    note: str | None = Field(default=None, max_length=500)


class User(SQLModel, table=True):
    __table_args__ = (_in("role", ROLES),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=16)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    is_demo: bool = False
    active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # The identity the organisation's provider gives (OpenID Connect e-mail or subject), if any.
    identity: str | None = Field(default=None, max_length=254, unique=True)


class UserSession(SQLModel, table=True):
    """A signed-in browser (eet.accounts.sessions). Only hashes of the token and of the one-time
    ticket are stored; the account stamp is a hash of the password hash at sign-in, so a reset
    password ends the session."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_expires: datetime | None = None
    account_stamp: str = Field(max_length=64)
    door: str = Field(default="password", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    revoked_why: str | None = Field(default=None, max_length=16)


class AccessToken(SQLModel, table=True):
    """A personal access token for the data feed (issue 27, eet.accounts.tokens): only the SHA-256 of
    the token (256 random bits) is stored; it ends at `expires_at`, at its revocation, or when its
    account is deactivated."""

    __tablename__ = "access_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=80)
    last_used_at: datetime | None = None


class SignInFailure(SQLModel, table=True):
    """Failed sign-ins under a name that is no account (its hash only: it may be a password typed
    into the wrong field), so an unknown name locks out exactly like a known one."""

    __tablename__ = "sign_in_failure"

    name_hash: str = Field(primary_key=True, max_length=64)
    failed_attempts: int = 0
    locked_until: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class AuditRecord(SQLModel, table=True):
    """Who changed what, when, through which door, with the values before and after (JSON)."""

    __tablename__ = "audit_record"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=80, index=True)
    role: str | None = Field(default=None, max_length=16)
    action: str = Field(max_length=20)  # create, update, void, sign_in, ...
    entity: str = Field(max_length=40, index=True)
    entity_id: int | None = None
    source: str | None = Field(default=None, max_length=200)  # form, cli, import:<file name>
    before: str | None = None
    after: str | None = None


class Bottleneck(SQLModel, table=True):
    """A system obstacle to Housing First (knelpunt), with owner and status."""

    __table_args__ = (
        _in("domain", FACTOR_DOMAINS + ("system",)),
        _in("status", BOTTLENECK_STATUSES),
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    domain: str = Field(max_length=20)
    owner: str | None = Field(default=None, max_length=120)
    status: str = Field(default="open", max_length=20, index=True)
    raised_on: date
    resolved_on: date | None = None
    resolution: str | None = Field(default=None, max_length=2000)
    is_demo: bool = False
    version: int = 1


class Factor(SQLModel, table=True):
    """An observed success or failure factor of support, housing or landing in the neighbourhood."""

    __table_args__ = (_in("domain", FACTOR_DOMAINS), _in("kind", FACTOR_KINDS))

    id: int | None = Field(default=None, primary_key=True)
    domain: str = Field(max_length=20, index=True)
    kind: str = Field(max_length=10)
    description: str = Field(max_length=2000)
    observed_on: date
    source: str | None = Field(default=None, max_length=200)
    is_demo: bool = False


class CostParameter(Recorded, table=True):
    """A cost figure entered by the programme, with its source and validity. The business case is
    computed from these only: the monitor has no built-in cost figure. A change is a new row that
    voids the old one (migration 0008), so the business case as known at K stays as it was."""

    __tablename__ = "cost_parameter"
    __table_args__ = (
        _in("model", COST_MODELS),
        _in("category", COST_CATEGORIES),
        _in("unit", COST_UNITS),
        _in("payer", PAYERS, nullable=True),
        _in("building_type", BUILDING_TYPES, nullable=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    model: str = Field(max_length=20)
    category: str = Field(max_length=20)
    label: str = Field(max_length=200)
    amount_eur: float
    unit: str = Field(max_length=30)
    source: str = Field(max_length=300)
    valid_from: date
    valid_to: date | None = None
    is_demo: bool = False
    # Who pays (migration 0006); None = not yet said (counted under "other" in the business case).
    payer: str | None = Field(default=None, max_length=20)
    # A sensitivity range around amount_eur: the tornado chart moves each parameter between them.
    low_eur: float | None = None
    high_eur: float | None = None
    # Whom it applies to (migration 0012, issue 29): a support cost of one care provider's
    # participants, a housing cost of the participants housed in one building type; neither = all.
    care_provider_id: int | None = Field(default=None, foreign_key="organisation.id")
    building_type: str | None = Field(default=None, max_length=20)


class Measurement(SQLModel, table=True):
    """A self-sufficiency measurement (ZRM) of one participant on one date: each of the 13 domains
    scored 1 to 5, or None when not scored. Health data: a coordinator reads the rows of their own
    organisation only. A wrong or replaced row is voided, never deleted."""

    __table_args__ = tuple(
        CheckConstraint(f"{d} IS NULL OR {d} BETWEEN 1 AND 5", name=d) for d in ZRM_DOMAINS) + (
        Index("ix_measurement_participant_date", "participant_id", "measured_on",
              sqlite_where=text("voided_at IS NULL"), postgresql_where=text("voided_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id")
    measured_on: date
    finances: int | None = None
    work_education: int | None = None
    time_use: int | None = None
    housing: int | None = None
    domestic_relations: int | None = None
    mental_health: int | None = None
    physical_health: int | None = None
    substance_use: int | None = None
    basic_adl: int | None = None
    instrumental_adl: int | None = None
    social_network: int | None = None
    social_participation: int | None = None
    justice: int | None = None
    is_demo: bool = False
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: str | None = Field(default=None, max_length=80)
    voided_at: datetime | None = None
    voided_by: str | None = Field(default=None, max_length=80)
    void_reason: str | None = Field(default=None, max_length=500)


class ReviewMeeting(SQLModel, table=True):
    """A review meeting. `presented_at` is the moment its figures were presented (migration 0007):
    the meeting's pack made again later shows the figures as known at that moment."""

    __tablename__ = "review_meeting"

    id: int | None = Field(default=None, primary_key=True)
    held_on: date = Field(unique=True)
    title: str = Field(max_length=200)
    compare_with: date | None = None
    is_demo: bool = False
    presented_at: datetime | None = None


class MonthSignOff(SQLModel, table=True):
    """A coordinator's sign-off of a month for their organisation ("our list for March is
    complete", as DHIS2's data approval); `month` is the first day of the month. A reopened
    sign-off keeps its row (reopened_at, reopened_by); the month is signed off while a row without
    reopened_at exists (migration 0007)."""

    __tablename__ = "month_sign_off"
    __table_args__ = (Index("ix_month_sign_off_org_month", "organisation_id", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    month: date
    signed_at: datetime = Field(default_factory=utcnow)
    signed_by: str = Field(max_length=80)
    reopened_at: datetime | None = None
    reopened_by: str | None = Field(default=None, max_length=80)


class Setting(SQLModel, table=True):
    """A setting of the admin, as text (e.g. the data-quality thresholds in days; migration 0007).
    A key without a row has its default in the module that reads it."""

    key: str = Field(max_length=60, primary_key=True)
    value: str = Field(max_length=200)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str | None = Field(default=None, max_length=80)


class Decision(SQLModel, table=True):
    __table_args__ = (_in("topic", DECISION_TOPICS), _in("status", DECISION_STATUSES))

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="review_meeting.id", index=True)
    topic: str = Field(max_length=20)
    decision: str = Field(max_length=2000)
    owner: str | None = Field(default=None, max_length=120)
    due_on: date | None = None
    status: str = Field(default="open", max_length=20)
    is_demo: bool = False


class DataVersion(SQLModel, table=True):
    """One row whose counter every write bumps: the key of every cached read."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    changed_at: datetime = Field(default_factory=utcnow)


__all__ = [
    name for name, obj in list(globals().items())
    if isinstance(obj, type) and issubclass(obj, SQLModel) and obj is not SQLModel
]


class Pledge(SQLModel, table=True):
    """A partner's pledge of dwellings for the programme, valid from a date (issue 23): the
    municipality's (or corporation's) share of the coalition's ambition, what a lagging partner is
    held to. Versioned, never updated: a later `valid_from` replaces a pledge from that date; a
    new pledge of the same partner and date voids the one it supersedes (kept, with who and why),
    so the figures as known at K read the pledge as it then stood."""

    __table_args__ = (
        CheckConstraint("dwellings >= 0", name="dwellings"),
        Index("ix_pledge_org_valid", "organisation_id", "valid_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    dwellings: int
    valid_from: date
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: str | None = Field(default=None, max_length=80)
    voided_at: datetime | None = None
    voided_by: str | None = Field(default=None, max_length=80)
    void_reason: str | None = Field(default=None, max_length=500)
    is_demo: bool = False
