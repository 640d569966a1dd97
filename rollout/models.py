"""Tables. Decisions and check marks are append-only: history is never edited, only superseded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

OUTCOMES = ("go", "extend", "hold", "stop")


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


def utc_now() -> datetime:
    return datetime.now(UTC)


class CountryFacts(SQLModel):
    """What a user may edit about a country; prefilled from CLDR and tzdata."""

    display_name: str | None = Field(default=None, max_length=100)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    currency: str = Field(max_length=3)
    time_zones: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    first_week_day: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")


class Country(CountryFacts, table=True):
    code: str = Field(primary_key=True, max_length=2, description="ISO 3166-1 alpha-2")
    start_date: date
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_by: str = Field(max_length=254)
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    updated_by: str | None = Field(default=None, max_length=254)


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
