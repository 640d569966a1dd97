"""Data at scale for the benchmark: `small` is the demo, `medium` and `large` are generated in bulk.

medium and large are written with SQLAlchemy Core `insert()` in batches: the ORM and its audit trail
would take hours for a million rows. Everything is seeded, so two builds of one scale are identical
(except that dates follow today). Only INSERTs: the append-only triggers stay untouched.

    python -m benchmarks.generate --scale medium --database-url sqlite:///bench.db
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: import this checkout's rollout, not an installed one
    sys.path.insert(0, str(ROOT))

import holidays  # noqa: E402
from dateutil.relativedelta import relativedelta  # noqa: E402
from sqlalchemy import Engine, insert, text  # noqa: E402

from rollout.demo import load_demo  # noqa: E402
from rollout.gates.playbook import load_playbook  # noqa: E402
from rollout.marketing.content import target_locales  # noqa: E402
from rollout.platform.countries import suggested_facts, validate_facts  # noqa: E402
from rollout.platform.db import make_engine  # noqa: E402
from rollout.platform.errors import RolloutError  # noqa: E402
from rollout.platform.locales import country_locale, is_iso_country  # noqa: E402
from rollout.platform.models import (  # noqa: E402
    CHANNELS,
    CONTENT_TYPES,
    AppUser,
    Campaign,
    ContentItem,
    Country,
    Decision,
    ExchangeRate,
    Hire,
    HireStageChange,
    LocalEvent,
    Opportunity,
    Signal,
    StageChange,
    Translation,
)
from rollout.platform.schema import upgrade  # noqa: E402
from rollout.sales.demo_data import LOST_REASONS, NAMES, SECTORS  # noqa: E402
from rollout.sales.pipeline import load_pipeline_config  # noqa: E402

ADMIN = "bench-admin@rollout.example"
SCALES = ("small", "medium", "large")
BATCH = 10_000
SEED = 20260101
# Markets a company usually enters first; the rest come from python-holidays' list.
FIRST_MARKETS = [
    "ES",
    "DE",
    "FR",
    "IT",
    "GB",
    "US",
    "BR",
    "IN",
    "JP",
    "MX",
    "CA",
    "AU",
    "NL",
    "PL",
    "PT",
    "SE",
    "CH",
    "BE",
    "AT",
    "IE",
]
SIGNAL_KINDS = {"meeting": 45, "demo": 15, "partner_intro": 8, "inbound_lead": 17, "feedback": 8}
CONTENT_REQUEST_SHARE = 7  # weight of content requests among signals


@dataclass(frozen=True)
class Scale:
    countries: int
    pipeline: int  # signals, and as many opportunities
    campaigns: int
    content_items: int
    locales_per_item: int
    users: int
    years: int
    hires_per_country: int = 5
    local_events_per_country: int = 6


SCALE_SIZES = {
    "medium": Scale(20, 100_000, 5_000, 1_000, 4, 60, 4),
    "large": Scale(80, 1_000_000, 20_000, 5_000, 5, 300, 10),
}


def build(engine: Engine, scale: str, today: date | None = None) -> None:
    """Migrate the empty database `engine` points at and fill it at `scale`."""
    if scale not in SCALES:
        raise ValueError(f"scale: one of {', '.join(SCALES)}")
    upgrade(engine)
    if scale == "small":
        load_demo(engine, by=ADMIN, today=today)
        return
    Generator(engine, SCALE_SIZES[scale], today or date.today()).run()
    if engine.dialect.name == "postgresql":
        # What autovacuum does within minutes of a bulk load: planner statistics, and the visibility map that
        # lets an index answer a query without reading the table. Measured before it, a run would time that.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def _batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def market_codes(count: int) -> list[str]:
    """`count` ISO codes that python-holidays, CLDR (a currency, languages) and tzdata all know."""
    candidates = FIRST_MARKETS + sorted(set(holidays.list_supported_countries()) - set(FIRST_MARKETS))
    codes = []
    for code in candidates:
        if len(code) == 2 and is_iso_country(code) and _facts_ok(code):
            codes.append(code)
        if len(codes) == count:
            return codes
    raise RuntimeError(f"only {len(codes)} usable country codes, {count} wanted")


def _facts_ok(code: str) -> bool:
    try:
        facts = validate_facts(suggested_facts(code), code)
    except RolloutError:
        return False
    return bool(facts.languages and facts.time_zones)


class Generator:
    """One build: countries first, then what hangs off them, each table in batched Core inserts."""

    def __init__(self, engine: Engine, scale: Scale, today: date) -> None:
        self.engine, self.scale, self.today = engine, scale, today
        self.rng = random.Random(SEED)
        self.now = _noon(today)
        self.first_day = today - timedelta(days=365 * scale.years)
        self.config = load_pipeline_config()
        self.playbook = load_playbook()
        self.countries: list[Country] = []
        self.emails: dict[str, list[str]] = {}  # role -> emails

    def run(self) -> None:
        with self.engine.begin() as connection:
            self.connection = connection
            self._users()
            self._countries()
            self._rates()
            self._decisions()
            titles = self._content()
            self._signals(titles)
            self._opportunities()
            self._campaigns()
            self._marketing()
            self._fix_sequences()

    def _insert(self, model, rows: Iterable[dict]) -> int:
        written = 0
        for batch in _batches(rows):
            self.connection.execute(insert(model), batch)
            written += len(batch)
        return written

    # --- people and countries -------------------------------------------------------------------

    def _users(self) -> None:
        codes = market_codes(self.scale.countries)
        self.codes = codes
        roles = ["sales"] * 5 + ["marketer"] * 3 + ["leadership"]
        users = [self._user(ADMIN, "admin", [])]
        for number in range(1, self.scale.users):
            role = roles[number % len(roles)]
            scope = [] if role == "leadership" else self.rng.sample(codes, k=min(3, len(codes)))
            users.append(self._user(f"{role}{number}@rollout.example", role, scope))
        self._insert(AppUser, users)

    def _user(self, email: str, role: str, countries: list[str]) -> dict:
        self.emails.setdefault(role, []).append(email)
        return dict(
            email=email,
            name=email.split("@")[0],
            role=role,
            countries=countries,
            active=True,
            updated_at=self.now,
            updated_by=ADMIN,
            version=1,
        )

    def _countries(self) -> None:
        span = (self.today - self.first_day).days - 60
        rows = []
        for number, code in enumerate(self.codes):
            # The first market opened when the history starts; the others follow over the years.
            start = self.first_day + timedelta(days=span * number // len(self.codes))
            facts = suggested_facts(code, start).model_dump()
            country = Country(code=code, start_date=start, created_at=_noon(start), created_by=ADMIN, **facts)
            self.countries.append(country)
            rows.append(country.model_dump())
        self._insert(Country, rows)

    def _rates(self) -> None:
        """A rate on the first of every month for every currency the markets sell in."""
        currencies = sorted({c.currency for c in self.countries} - {"EUR"})
        month = self.first_day.replace(day=1) - relativedelta(months=1)
        rows = []
        while month <= self.today:
            for number, currency in enumerate(currencies):
                per_eur = Decimal(1 + number) * Decimal(str(round(self.rng.uniform(0.9, 1.1), 4)))
                rows.append(
                    dict(
                        currency=currency,
                        day=month,
                        per_eur=per_eur,
                        source="bench",
                        updated_at=self.now,
                        updated_by=ADMIN,
                    )
                )
            month += relativedelta(months=1)
        self._insert(ExchangeRate, rows)

    # --- decisions ------------------------------------------------------------------------------

    def _decisions(self) -> None:
        rows = []
        for number, country in enumerate(self.countries):
            rows += self._country_decisions(country, number % (len(self.playbook.phases) + 1))
        self._insert(Decision, rows)

    def _country_decisions(self, country: Country, stay_in: int) -> list[dict]:
        """'go' at every gate until phase `stay_in` (past the last one: established), then 'extend'
        at each due date, so the country is still in that phase today and the timeline replays."""
        decided: list[tuple[str, str, date, int | None]] = []
        started = country.start_date
        for index, phase in enumerate(self.playbook.phases):
            due = started + relativedelta(months=phase.months)
            if index < stay_in and due < self.today:
                decided.append((phase.key, "go", due, None))
                started = due
                continue
            while due + relativedelta(months=3) < self.today:
                decided.append((phase.key, "extend", due, 3))
                due += relativedelta(months=3)
            break
        leader = self.emails["leadership"][0]
        return [
            dict(
                country_code=country.code,
                sequence=sequence,
                phase=phase,
                outcome=outcome,
                decided_on=on,
                decided_at=_noon(on),
                decided_by=leader,
                rationale="" if outcome == "go" else "More time to reach the thresholds",
                extension_months=months,
                evidence={},
            )
            for sequence, (phase, outcome, on, months) in enumerate(decided, start=1)
        ]

    # --- pipeline -------------------------------------------------------------------------------

    def _selling_day(self, country: Country) -> date:
        return country.start_date + timedelta(days=self.rng.randrange((self.today - country.start_date).days))

    def _weighted_countries(self, count: int) -> list[Country]:
        """`count` draws of a country, older markets more often (they have sold for longer)."""
        weights = [(self.today - c.start_date).days for c in self.countries]
        return self.rng.choices(self.countries, weights=weights, k=count)

    def _account(self) -> str:
        return f"{self.rng.choice(NAMES)} {self.rng.choice(SECTORS)} {self.rng.randrange(1000)}"

    def _signals(self, titles: list[str]) -> None:
        kinds = [*SIGNAL_KINDS, "content_request"]
        weights = [*SIGNAL_KINDS.values(), CONTENT_REQUEST_SHARE]
        sellers = self.emails["sales"]

        def rows() -> Iterator[dict]:
            for country in self._weighted_countries(self.scale.pipeline):
                kind = self.rng.choices(kinds, weights)[0]
                day = self._selling_day(country)
                asked = kind == "content_request"
                yield dict(
                    country_code=country.code,
                    kind=kind,
                    occurred_on=day,
                    qualified=kind == "meeting" and self.rng.random() < 0.7,
                    account=self._account(),
                    # A few pieces are asked for most, as in real markets.
                    content_title=titles[int(self.rng.paretovariate(1.2)) % len(titles)] if asked else "",
                    requested_by=self.rng.choice(["prospect", "partner"]) if asked else "",
                    note="",
                    logged_at=_noon(day),
                    logged_by=self.rng.choice(sellers),
                )

        self._insert(Signal, rows())

    def _opportunities(self) -> None:
        stage_rows: list[dict] = []
        opportunities = []
        for number, country in enumerate(self._weighted_countries(self.scale.pipeline), start=1):
            opportunity, stages = self._opportunity(number, country)
            opportunities.append(opportunity)
            stage_rows += stages
            if len(opportunities) == BATCH:
                self._flush_pipeline(opportunities, stage_rows)
                opportunities, stage_rows = [], []
        self._flush_pipeline(opportunities, stage_rows)

    def _flush_pipeline(self, opportunities: list[dict], stages: list[dict]) -> None:
        self._insert(Opportunity, opportunities)
        self._insert(StageChange, stages)

    def _opportunity(self, number: int, country: Country) -> tuple[dict, list[dict]]:
        """An opportunity and the stages it went through: won, lost on the way, or still open."""
        created = self._selling_day(country)
        open_stages = self.config.keys_of_kind("open")
        won = self.rng.random() < 0.3
        reached = len(open_stages) if won else self.rng.randint(1, len(open_stages))
        step = self.rng.uniform(60, 150) / (len(open_stages) + 1)
        path = [
            (stage, created + timedelta(days=int(step * i))) for i, stage in enumerate(open_stages[:reached])
        ]
        closed_on = created + timedelta(days=int(step * (reached + 1)))
        closing = self.config.keys_of_kind("won" if won else "lost")[0]
        if closed_on <= self.today and (won or self.rng.random() < 0.75):
            path.append((closing, closed_on))
        path = [(stage, day) for stage, day in path if day <= self.today]
        closed = path[-1][0] == closing
        owner = self.rng.choice(self.emails["sales"])
        opportunity = dict(
            id=number,
            country_code=country.code,
            source="manual",
            crm_id=None,
            account=self._account(),
            amount=Decimal(round(20_000 * self.rng.lognormvariate(0, 0.6), -2)),
            currency=country.currency,
            stage=path[-1][0],
            created_on=created,
            expected_close=created + timedelta(days=int(step * (len(open_stages) + 1))),
            closed_on=path[-1][1] if closed else None,
            owner=owner,
            segment=self.rng.choice(["smb", "mid_market", "enterprise"]),
            lost_reason=self.rng.choice(LOST_REASONS) if closed and not won else "",
            updated_at=_noon(path[-1][1]),
            updated_by=owner,
            version=len(path),
        )
        stages = [
            dict(
                opportunity_id=number, stage=stage, entered_on=day, recorded_at=_noon(day), recorded_by=owner
            )
            for stage, day in path
        ]
        return opportunity, stages

    # --- marketing ------------------------------------------------------------------------------

    def _campaigns(self) -> None:
        marketers = self.emails["marketer"]

        def rows() -> Iterator[dict]:
            for number in range(self.scale.campaigns):
                country = self.countries[number % len(self.countries)]
                # Past campaigns since the market opened, and a tenth planned for the next quarter.
                ahead = self.rng.random() < 0.1
                day = (
                    self.today + timedelta(days=self.rng.randrange(1, 92))
                    if ahead
                    else self._selling_day(country)
                )
                yield dict(
                    country_code=country.code,
                    name=f"Campaign {number}",
                    channel=self.rng.choice(CHANNELS),
                    starts_at=datetime.combine(day, time(self.rng.randrange(7, 17)), tzinfo=UTC),
                    time_zone=country.time_zones[0],
                    duration_minutes=self.rng.choice([30, 60, 90]),
                    locale=country_locale(country.code),
                    subdivision=None,
                    owner=self.rng.choice(marketers),
                    occasion="Local holiday" if self.rng.random() < 0.4 else "",
                    linked_content="",
                    cancelled=self.rng.random() < 0.05,
                    updated_at=self.now,
                    updated_by=ADMIN,
                    version=1,
                )

        self._insert(Campaign, rows())

    def _content(self) -> list[str]:
        """The catalogue: a website and its pages first, then the rest; some pieces derive from others."""
        rows = []
        for number in range(1, self.scale.content_items + 1):
            kind = "website" if number == 1 else "website_page" if number <= 10 else None
            rows.append(
                dict(
                    id=number,
                    title=f"Content piece {number}",
                    content_type=kind or self.rng.choice(CONTENT_TYPES[2:]),
                    source_language="en",
                    owner=self.rng.choice(self.emails["marketer"]),
                    link=f"https://www.rollout.example/content/{number}",
                    word_count=self.rng.randrange(100, 5000),
                    parent_id=self.rng.randrange(1, number)
                    if number > 20 and self.rng.random() < 0.3
                    else None,
                    updated_at=self.now,
                    updated_by=ADMIN,
                    version=1,
                )
            )
        self._insert(ContentItem, rows)
        return [row["title"] for row in rows]

    def _marketing(self) -> None:
        self._translations()
        self._hires()
        self._local_events()

    def _translations(self) -> None:
        """Each piece in `locales_per_item` market locales, taken in turn from every market's targets."""
        targets = [(c.code, locale) for c in self.countries for locale in target_locales(c)]
        per_item = min(self.scale.locales_per_item, len(targets))
        statuses = ["todo", "in_progress", "in_review", "published"]

        def rows() -> Iterator[dict]:
            for item in range(1, self.scale.content_items + 1):
                for offset in range(per_item):
                    code, locale = targets[(item * per_item + offset) % len(targets)]
                    status = self.rng.choices(statuses, weights=[3, 2, 1, 4])[0]
                    yield dict(
                        content_id=item,
                        country_code=code,
                        locale=locale,
                        status=status,
                        assignee=self.rng.choice(self.emails["marketer"]),
                        due_on=self.today + timedelta(days=self.rng.randrange(-200, 100)),
                        published_link=f"https://www.rollout.example/{locale}/{item}"
                        if status == "published"
                        else "",
                        updated_at=self.now,
                        updated_by=ADMIN,
                        version=1,
                    )

        self._insert(Translation, rows())

    def _hires(self) -> None:
        ladder = ["sourcing", "interviewing", "offer", "hired", "started"]
        hires, moves = [], []
        for country in self.countries:
            for _ in range(self.scale.hires_per_country):
                hire_id = len(hires) + 1
                reached = self.rng.randint(1, len(ladder))
                hires.append(self._hire(hire_id, country, ladder[reached - 1]))
                day = self._selling_day(country)
                for stage in ladder[:reached]:
                    moves.append(
                        dict(
                            hire_id=hire_id,
                            stage=stage,
                            entered_on=min(day, self.today),
                            reason="",
                            recorded_at=self.now,
                            recorded_by=ADMIN,
                        )
                    )
                    day += timedelta(days=self.rng.randrange(5, 30))
        self._insert(Hire, hires)
        self._insert(HireStageChange, moves)

    def _hire(self, hire_id: int, country: Country, stage: str) -> dict:
        native = self.rng.random() < 0.7
        return dict(
            id=hire_id,
            country_code=country.code,
            role="Local marketer",
            candidate=f"Candidate {hire_id}",
            email=f"hire{hire_id}@rollout.example" if stage in ("hired", "started") else "",
            native_languages=country.languages[:1] if native else ["en"],
            native_country=country.code if native else "",
            based=self.rng.choice(["hq", "in_country"]),
            stage=stage,
            updated_at=self.now,
            updated_by=ADMIN,
            version=1,
        )

    def _local_events(self) -> None:
        rows = []
        for country in self.countries:
            for number in range(self.scale.local_events_per_country):
                start = self._selling_day(country) + timedelta(days=120)
                rows.append(
                    dict(
                        country_code=country.code,
                        name=f"Trade fair {number}",
                        kind=self.rng.choice(["opportunity", "quiet"]),
                        start_date=start,
                        end_date=start + timedelta(days=self.rng.randrange(0, 4)),
                        note="",
                        created_at=self.now,
                        created_by=ADMIN,
                    )
                )
        self._insert(LocalEvent, rows)

    def _fix_sequences(self) -> None:
        """PostgreSQL: ids written explicitly leave the serial sequences behind; move them on."""
        if self.engine.dialect.name != "postgresql":
            return
        for table in ("opportunity", "contentitem", "hire"):
            self.connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, required=True)
    parser.add_argument("--database-url", required=True, help="an empty database")
    args = parser.parse_args(argv)
    build(make_engine(args.database_url), args.scale)


if __name__ == "__main__":
    main()
