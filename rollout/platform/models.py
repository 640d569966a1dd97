"""Tables. Decisions and check marks are append-only: history is never edited, only superseded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    Table,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def stored_id(record: Any) -> int:
    """A saved row's primary key. Tables declare `id: int | None` because a new row has none until it is
    flushed; code that needs the key of a stored row asks here, and a row never flushed is a bug."""
    if record.id is None:
        raise ValueError(f"{type(record).__name__} has no id: it was never flushed to the database")
    return int(record.id)


class Outcome(StrEnum):
    """What a gate decision says: go on, extend the phase, hold it (the clock stops), or stop."""

    GO = "go"
    EXTEND = "extend"
    HOLD = "hold"
    STOP = "stop"


OUTCOMES = tuple(Outcome)


class Role(StrEnum):
    """A user's one role; what each may change is in rollout.platform.access."""

    LEADERSHIP = "leadership"
    MARKETER = "marketer"
    SALES = "sales"
    ADMIN = "admin"


ROLES = tuple(Role)


class UTCDateTime(TypeDecorator):
    """Instants stored as UTC, returned timezone-aware on every backend (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: instants must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class FixedDecimal(TypeDecorator):
    """An exact decimal with `places` digits after the point, stored as a scaled integer.

    Integers add up exactly in SQL on every backend (SQLite has no exact decimal type), so SUM()
    over amounts stays exact; values come back as Decimal.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int) -> None:
        super().__init__()
        self.places = places
        self.scale = Decimal(10) ** places

    def process_bind_param(self, value: Decimal | int | None, dialect: Any) -> int | None:
        if value is None:
            return None
        return int((Decimal(value) * self.scale).to_integral_value())

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / self.scale).quantize(1 / self.scale)


def utc_now() -> datetime:
    return datetime.now(UTC)


class CountryFacts(SQLModel):
    """What a user may edit about a country; prefilled from CLDR and tzdata."""

    display_name: str | None = Field(default=None, max_length=100)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    currency: str = Field(max_length=3)
    time_zones: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # One of time_zones: where campaign times are set by default ("" = chosen by locales.main_time_zone).
    main_time_zone: str = Field(default="", max_length=60)
    first_week_day: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    # Weekend days (0 = Monday) where the country's own working week differs from python-holidays'.
    weekend_override: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Country(CountryFacts, table=True):
    code: str = Field(primary_key=True, max_length=2, description="ISO 3166-1 alpha-2")
    start_date: date
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=254)
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    updated_by: str | None = Field(default=None, max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


class Decision(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("country_code", "sequence", name="uq_decision_sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    # 1, 2, 3… per country; the unique constraint lets only one of two simultaneous deciders win.
    sequence: int
    phase: str = Field(max_length=40, description="the phase whose gate was decided")
    outcome: str = Field(max_length=10)
    decided_on: date = Field(index=True, description="the day the decision takes effect")
    decided_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    decided_by: str = Field(max_length=254)
    rationale: str = ""
    extension_months: int | None = None
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CheckMark(SQLModel, table=True):
    """A person ticking (or unticking) a check criterion; the latest mark counts."""

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    phase: str = Field(max_length=40)
    criterion_key: str = Field(max_length=60)
    checked: bool
    note: str = ""
    marked_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    marked_by: str = Field(max_length=254)


class GateCondition(SQLModel, table=True):
    """A condition a Go decision was taken on: a check of the next gate, owed until cleared. Append-only."""

    __tablename__ = "gate_condition"

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    phase: str = Field(max_length=40, description="the phase whose gate it is a check of")
    text: str
    owner: str = Field(default="", max_length=254)
    due_on: date
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=254)


class ConditionClearance(SQLModel, table=True):
    """Someone clearing a condition: once, for good. Append-only."""

    __tablename__ = "condition_clearance"

    id: int | None = Field(default=None, primary_key=True)
    condition_id: int = Field(foreign_key="gate_condition.id", unique=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    cleared_on: date
    note: str = ""
    cleared_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    cleared_by: str = Field(max_length=254)


class GateReview(SQLModel, table=True):
    """A gate review meeting: its day, the markets on its agenda, the gatekeepers invited, its chair."""

    __tablename__ = "gate_review"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    held_on: date = Field(index=True)
    chair: str = Field(max_length=254)
    markets: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    gatekeepers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=254)


class Recommendation(SQLModel, table=True):
    """A gatekeeper's recommendation for one market of a review; their latest counts. Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="gate_review.id", index=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    phase: str = Field(max_length=40)
    gatekeeper: str = Field(max_length=254)
    recommendation: str = Field(max_length=20)
    comment: str = ""
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class ReviewDecision(SQLModel, table=True):
    """The decision a review's chair recorded for a market, with the recommendations frozen as they were.
    Append-only."""

    __tablename__ = "review_decision"
    __table_args__ = (UniqueConstraint("review_id", "country_code", name="uq_review_decision_market"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="gate_review.id", index=True)
    country_code: str = Field(foreign_key="country.code", max_length=2)
    decision_id: int = Field(foreign_key="decision.id", unique=True)
    recommendations: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


class CandidateMarket(SQLModel, table=True):
    """A country considered for the rollout, scored on the playbook's candidate criteria (1 to 5 each)."""

    __tablename__ = "candidate_market"

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(max_length=2, unique=True)
    scores: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = ""
    started_on: date | None = Field(default=None, description="the day it entered the rollout")
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)


class Signal(SQLModel, table=True):
    """Something a salesperson saw in the market: a meeting, a demo, a lead, feedback, a content request."""

    # Gate metrics and content demand count one market's signals of one kind over a time window; with
    # `qualified` in the index, counting qualified meetings reads no table row.
    __table_args__ = (
        Index("ix_signal_country_kind_day", "country_code", "kind", "occurred_on", "qualified"),
    )

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    kind: str = Field(max_length=30)
    occurred_on: date = Field(index=True)
    qualified: bool = False
    account: str = Field(default="", max_length=200)
    content_title: str = Field(default="", max_length=200, description="for content requests")
    requested_by: str = Field(default="", max_length=20, description="prospect or partner")
    note: str = ""
    logged_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    logged_by: str = Field(max_length=254)
    # Edited in place since it was logged: who changed it last, and a version (a stale save is refused).
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    updated_by: str = Field(default="", max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


class Opportunity(SQLModel, table=True):
    # A deal's identity across imports and exports, within its source (a HubSpot and a Salesforce id may be
    # equal); deals entered here get "rollout-<id>".
    __table_args__ = (
        UniqueConstraint("source", "crm_id", name="uq_opportunity_source_crm_id"),
        # Gate metrics read one market's deals created, or closed, within a time window; deals won, amounts
        # won and open pipeline are answered from the second index alone (no table row read).
        Index("ix_opportunity_country_created", "country_code", "created_on"),
        Index(
            "ix_opportunity_country_closed",
            "country_code",
            "closed_on",
            "created_on",
            "stage",
            "currency",
            "amount",
        ),
        # Every market's deals won and lost, each win's cycle and open pipeline (markets side by side).
        Index(
            "ix_opportunity_stage", "stage", "country_code", "closed_on", "created_on", "currency", "amount"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Indexed first in (country_code, created_on) and (country_code, closed_on, …): no index of its own.
    country_code: str = Field(foreign_key="country.code", max_length=2)
    source: str = Field(default="manual", max_length=20, description="manual, hubspot, salesforce, csv")
    crm_id: str | None = Field(default=None, max_length=100)
    name: str = Field(default="", max_length=200, description="the deal's name in its CRM")
    account: str = Field(max_length=200)
    amount: Decimal = Field(sa_column=Column(FixedDecimal(2), nullable=False))
    currency: str = Field(max_length=3)
    stage: str = Field(max_length=40)
    created_on: date = Field(index=True)
    expected_close: date | None = None
    # The day the deal counts as closed (every sales metric reads it); searched within a market.
    closed_on: date | None = None
    # The CRM's close date when it is later than closed_on: a deal marked won or lost ahead of its planned
    # date counts as closed on the day it was imported, and keeps the date its CRM gives. None otherwise.
    crm_closed_on: date | None = None
    owner: str = Field(default="", max_length=254)
    segment: str | None = Field(default=None, max_length=20)
    lost_reason: str = ""
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


class StageChange(SQLModel, table=True):
    """An opportunity entering a stage; it left it when the next change came. Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    opportunity_id: int = Field(foreign_key="opportunity.id", index=True)
    stage: str = Field(max_length=40)
    entered_on: date
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded_by: str = Field(max_length=254)


class ExchangeRate(SQLModel, table=True):
    """Units of `currency` for one euro on `day`, as the ECB publishes them."""

    currency: str = Field(primary_key=True, max_length=3)
    day: date = Field(primary_key=True)
    per_eur: Decimal = Field(sa_column=Column(FixedDecimal(6), nullable=False))
    source: str = Field(default="manual", max_length=20)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)


class ImportMapping(SQLModel, table=True):
    """A column mapping a user confirmed for a CRM file layout, offered again next time."""

    name: str = Field(primary_key=True, max_length=100)
    columns: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The layout the choices are for: "mapped" (then `columns` says where each field is), "hubspot" or
    # "salesforce" (their own columns).
    format: str = Field(default="mapped", max_length=20)
    # The file's stage labels Rollout does not know -> a Rollout stage key, or "" to skip those deals.
    stages: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The CRM pipelines taken (the market's new business); None takes every pipeline.
    pipelines: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


class DealImport(SQLModel, table=True):
    """One import of a CRM file into a market: who, when, which file, with which choices, and its counts.
    Append-only: the history of what imports changed is never edited."""

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", max_length=2)
    imported_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    imported_by: str = Field(max_length=254)
    filename: str = Field(max_length=255)
    sha256: str = Field(max_length=64)
    format: str = Field(max_length=20)
    # The choices it was imported with: mapping name, columns, stage map, pipelines, valid rows only.
    mapping: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    warnings: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

    __table_args__ = (Index("ix_dealimport_country_at", "country_code", "imported_at"),)


class DealImportChange(SQLModel, table=True):
    """What one import did to one deal: created it, changed a field (old -> new), or skipped it.
    Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="dealimport.id", index=True)
    crm_id: str = Field(max_length=100)
    deal_name: str = Field(default="", max_length=200)
    action: str = Field(max_length=10, description="created, updated or skipped")
    field: str = Field(default="", max_length=40)
    old: str = ""
    new: str = ""  # for a skipped deal: why


CHANNELS = ("webinar", "emailing", "event", "social", "paid")


class Campaign(SQLModel, table=True):
    """A marketing action in one market, at a local date and time."""

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    name: str = Field(max_length=200)
    channel: str = Field(max_length=20)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    time_zone: str = Field(max_length=60, description="the IANA zone its local time is in")
    duration_minutes: int = 60
    locale: str = Field(default="", max_length=20)
    subdivision: str | None = Field(default=None, max_length=10, description="region whose holidays apply")
    owner: str = Field(default="", max_length=254)
    occasion: str = Field(default="", max_length=200, description="the holiday or event it is timed to")
    linked_content: str = Field(default="", max_length=300)
    cancelled: bool = False
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


TASK_STATUSES = ("to_do", "doing", "done", "skipped")
OPEN_TASK_STATUSES = ("to_do", "doing")
TASK_CANCELLED = "cancelled"  # set only when its campaign is cancelled


class CampaignTask(SQLModel, table=True):
    """A step of a campaign planned from a playbook, due on a working day of its market."""

    __table_args__ = (Index("ix_campaigntask_country_due", "country_code", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    country_code: str = Field(foreign_key="country.code", max_length=2)
    playbook: str = Field(max_length=60)
    step_key: str = Field(max_length=60)
    name: str = Field(max_length=200)
    role: str = Field(max_length=60)
    offset_days: int = Field(description="working days from the campaign's date (negative: before)")
    due_on: date
    assignee: str = Field(default="", max_length=254)
    status: str = Field(default="to_do", max_length=10)
    checklist: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    moved_because: str = Field(default="", max_length=1000, description="why it is not on its plain day")
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


class LocalEvent(SQLModel, table=True):
    """An event a local marketer knows of that no rule file has: a trade fair, a local festival."""

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20, description="opportunity or quiet")
    start_date: date
    end_date: date
    note: str = ""
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=254)
    # Edited in place since it was added: who changed it last, and a version (a stale save is refused).
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    updated_by: str = Field(default="", max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


CONTENT_TYPES = (
    "website",
    "website_page",
    "webinar_script",
    "ebook",
    "article",
    "linkedin_post",
    "email_template",
    "case_study",
)
TRANSLATION_STATUSES = ("todo", "in_progress", "in_review", "published")
HIRE_STAGES = ("sourcing", "interviewing", "offer", "hired", "started", "converted", "left")


class ContentItem(SQLModel, table=True):
    """A piece of the company's content; `parent_id` is the piece it was derived from (recycling)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200, index=True)
    content_type: str = Field(max_length=30)
    source_language: str = Field(default="en", max_length=10)
    owner: str = Field(default="", max_length=254)
    link: str = Field(default="", max_length=500)
    word_count: int = 0
    parent_id: int | None = Field(default=None, foreign_key="contentitem.id")
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


class Translation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("content_id", "country_code", "locale", name="uq_translation"),)

    id: int | None = Field(default=None, primary_key=True)
    content_id: int = Field(foreign_key="contentitem.id", index=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    locale: str = Field(max_length=20)
    status: str = Field(default="todo", max_length=20)
    assignee: str = Field(default="", max_length=254)
    due_on: date | None = None
    published_link: str = Field(default="", max_length=500)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


class Hire(SQLModel, table=True):
    """A candidate for, or holder of, a local marketing role; the stage history is in HireStageChange."""

    id: int | None = Field(default=None, primary_key=True)
    country_code: str = Field(foreign_key="country.code", index=True, max_length=2)
    role: str = Field(max_length=100)
    candidate: str = Field(max_length=200)
    email: str = Field(default="", max_length=254, description="work email once hired: what they own")
    native_languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    native_country: str = Field(default="", max_length=2)
    based: str = Field(default="hq", max_length=20, description="hq or in_country")
    stage: str = Field(default="sourcing", max_length=20)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")
    # A candidate added by mistake is marked removed, not deleted: their stage history points at them.
    removed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    removed_by: str = Field(default="", max_length=254)


class HireStageChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    hire_id: int = Field(foreign_key="hire.id", index=True)
    stage: str = Field(max_length=20)
    entered_on: date
    reason: str = ""
    recorded_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    recorded_by: str = Field(max_length=254)


class AppUser(SQLModel, table=True):
    """Someone allowed in: their role, and the countries they work on (none listed: all countries)."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    role: str = Field(max_length=20)
    countries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    weekly_digest: bool = Field(default=True, description="whether `rollout digest` emails them This week")
    digest_locale: str = Field(default="en", max_length=20, description="the language of their digest")
    updated_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    updated_by: str = Field(max_length=254)
    version: int = Field(default=1, description="bumped on every save; a stale save is refused")


class DigestSent(SQLModel, table=True):
    """A weekly digest sent to a user: a week is sent to each user once."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("email", "week", name="uq_digest_sent_week"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    week: str = Field(max_length=8, description="ISO week, e.g. 2026-W49")
    sent_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class AuditEntry(SQLModel, table=True):
    """One change to one record: who, when, from where, and each changed field's old and new value.

    Append-only (database triggers). `changes` maps a field to [old, new]; a create has old = None for
    every field, a delete new = None.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_record", "table_name", "record_key"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    actor: str = Field(max_length=254)
    source: str = Field(max_length=20, description="ui, import, cli or demo")
    action: str = Field(max_length=10, description="create, update or delete")
    table_name: str = Field(max_length=40)
    record_key: str = Field(max_length=200)
    country_code: str | None = Field(default=None, max_length=2, index=True)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# One row, counting the transactions that changed data: every server compares it with the count it last saw,
# once per rerun, to know when its cached reads are stale. Bookkeeping, not data: not audited, not backed up.
DATA_VERSION = Table(
    "data_version",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False),
)
