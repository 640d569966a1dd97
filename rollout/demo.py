"""Loading the demo data in rollout/data/demo.toml through the same functions the app uses."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

import rollout.metric_providers  # noqa: F401  (registers the gate metrics)
from rollout.gates.decisions import mark_check, record_decision
from rollout.gates.playbook import Playbook, load_playbook
from rollout.marketing.campaigns import plan_campaign
from rollout.marketing.content import TranslationChange, save_content, save_translation, target_locales
from rollout.marketing.local_calendar import weekend_days
from rollout.marketing.talent import add_hire
from rollout.platform.access import find_user
from rollout.platform.config_files import data_file
from rollout.platform.countries import add_country, get_country
from rollout.platform.db import write_session
from rollout.platform.errors import RolloutError
from rollout.platform.locales import country_locale
from rollout.platform.models import Country, stored_id
from rollout.platform.users import add_user, bootstrap_admin
from rollout.sales.demo_data import generate, selling_days
from rollout.sales.money import DEMO_RATES, parse_rates_csv, save_rates
from rollout.sales.pipeline import load_pipeline_config

DEMO_FILE = data_file("demo.toml")


def _at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def _selling_days(entry: dict, today: date) -> list[date]:
    """The days the market sold: from its start to a stop (or today), less the days on hold."""
    start = today - timedelta(days=entry["start_days_ago"])
    decided = [(today - timedelta(days=d["days_ago"]), d["outcome"]) for d in entry.get("decisions", [])]
    end = next((on for on, outcome in decided if outcome == "stop"), today)
    pauses = [
        (on, decided[i + 1][0] if i + 1 < len(decided) else today + timedelta(days=1))
        for i, (on, outcome) in enumerate(decided)
        if outcome == "hold"
    ]
    return selling_days(start, end, pauses)


def _decide(session: Session, entry: dict, playbook: Playbook, today: date) -> None:
    for decided in entry.get("decisions", []):
        on = today - timedelta(days=decided["days_ago"])
        for criterion in decided.get("ticks", []):
            mark_check(
                session,
                code=entry["code"],
                criterion_key=criterion,
                checked=True,
                by=decided["by"],
                note="reviewed at the gate meeting",
                playbook=playbook,
                now=_at_noon(on),
                today=on,
            )
        record_decision(
            session,
            code=entry["code"],
            outcome=decided["outcome"],
            by=decided["by"],
            rationale=decided.get("rationale", ""),
            extension_months=decided.get("months"),
            on=on,
            today=today,
            playbook=playbook,
            now=_at_noon(on),
        )


def _plan_campaigns(session: Session, entry: dict, today: date, by: str) -> None:
    country = get_country(session, entry["code"])
    weekend = weekend_days(country)
    for planned in entry.get("campaigns", []):
        day = today + timedelta(days=planned["days_ahead"])
        while day.weekday() in weekend:
            day += timedelta(days=1)
        plan_campaign(
            session,
            code=country.code,
            name=planned["name"],
            channel=planned["channel"],
            local_start=datetime.combine(day, time.fromisoformat(planned["time"])),
            by=by,
            locale=country_locale(country.code),
            occasion=planned.get("occasion", ""),
            owner=local_hire(entry) or "",
        )


def demo_cast(demo: dict) -> dict[str, tuple[str, list[str]]]:
    """The demo's people (email -> role, countries): deciders lead, deal owners sell, local hires market."""
    cast: dict[str, tuple[str, list[str]]] = {}
    for entry in demo["countries"]:
        for decided in entry.get("decisions", []):
            cast[decided["by"]] = ("leadership", [])
        if owner := entry.get("pipeline", {}).get("owner"):
            cast.setdefault(owner, ("sales", []))[1].append(entry["code"])
        if marketer := local_hire(entry):
            cast.setdefault(marketer, ("marketer", []))[1].append(entry["code"])
    return cast


def _add_cast(session: Session, demo: dict, by: str) -> None:
    names = demo_names(demo)
    for email, (role, countries) in demo_cast(demo).items():
        if find_user(session, email) is None:
            add_user(session, email=email, name=names[email], role=role, countries=countries, by=by)


def demo_names(demo: dict) -> dict[str, str]:
    """The demo's people by name: a local hire's as hired ("Lucía Fernández"), others' from their email
    ("lucia.moreno@…" → "Lucia Moreno"), so tables and the history show people, not addresses."""
    hired = {
        h["email"]: h["candidate"] for e in demo["countries"] for h in e.get("hires", []) if h.get("email")
    }
    return {
        email: hired.get(email) or email.split("@")[0].replace(".", " ").replace("_", " ").title()
        for email in demo_cast(demo)
    }


def _load_catalogue(session: Session, demo: dict, by: str) -> dict[str, int]:
    ids: dict[str, int] = {}
    for entry in demo.get("content", []):
        item = save_content(
            session,
            by=by,
            title=entry["title"],
            content_type=entry["type"],
            word_count=entry.get("words", 0),
            parent_id=ids.get(entry.get("parent", "")),
            link=f"https://www.rollout.example/content/{entry['key']}",
        )
        ids[entry["key"]] = stored_id(item)
    return ids


def local_hire(entry: dict) -> str | None:
    """The market's local hire with a work email: who owns its translations and campaigns in the demo."""
    return next((hire["email"] for hire in entry.get("hires", []) if hire.get("email")), None)


def _load_marketing(session: Session, entry: dict, ids: dict[str, int], today: date, by: str) -> None:
    """Translations at their status in the market's target locales, and its local-talent candidates."""
    country = get_country(session, entry["code"])
    locales = target_locales(country)
    owner = local_hire(entry)
    for status in ("in_progress", "in_review", "published"):
        for key in entry.get(status, []):
            for locale in entry.get(f"{status}_in", {}).get(key, locales):
                link = f"https://www.rollout.example/{locale}/{key}" if status == "published" else ""
                save_translation(
                    session,
                    code=country.code,
                    content_id=ids[key],
                    locale=locale,
                    by=by,
                    change=TranslationChange(status=status, published_link=link, assignee=owner),
                )
    for key, published in entry.get("published_in", {}).items():
        for locale in published:
            save_translation(
                session,
                code=country.code,
                content_id=ids[key],
                locale=locale,
                by=by,
                change=TranslationChange(
                    status="published", published_link=f"https://www.rollout.example/{locale}/{key}"
                ),
            )
    for hire in entry.get("hires", []):
        add_hire(
            session,
            code=country.code,
            role=hire["role"],
            candidate=hire["candidate"],
            by=by,
            email=hire.get("email", ""),
            native_languages=hire["native_languages"],
            native_country=hire["native_country"],
            based=hire["based"],
            stage=hire["stage"],
            on=today - timedelta(days=hire["days_ago"]),
        )


def load_demo(
    engine: Engine,
    *,
    by: str,
    today: date | None = None,
    playbook: Playbook | None = None,
    path: Path = DEMO_FILE,
    progress: Callable[[int, int, str], None] | None = None,
) -> int:
    """Load the demo into an empty database, in one transaction; returns the number of countries.
    `progress(done, total, what)` is told as each country is loaded (the whole takes seconds).

    The sales activity is written before the decisions, so each decision freezes the evidence the
    market really showed on its day.
    """
    today = today or date.today()
    playbook = playbook or load_playbook()
    config = load_pipeline_config()
    demo = tomllib.loads(path.read_text(encoding="utf-8"))
    with write_session(engine, source="demo") as session:
        by = bootstrap_admin(session, by)
        if session.exec(select(Country).limit(1)).first() is not None:
            raise RolloutError("the database already has countries: the demo loads only into an empty one")
        _add_cast(session, demo, by)
        save_rates(session, parse_rates_csv(DEMO_RATES.read_bytes(), str(DEMO_RATES)), by=by, source="demo")
        content_ids = _load_catalogue(session, demo, by)
        countries = demo["countries"]
        for number, entry in enumerate(countries):
            if progress:
                progress(number, len(countries), entry["code"])
            start = today - timedelta(days=entry["start_days_ago"])
            add_country(session, code=entry["code"], start_date=start, by=by)
            if "pipeline" in entry:
                generate(
                    session,
                    code=entry["code"],
                    days=_selling_days(entry, today),
                    params=entry["pipeline"],
                    today=today,
                    config=config,
                    seed=number,
                )
            _load_marketing(session, entry, content_ids, today, by)
            _decide(session, entry, playbook, today)
            _plan_campaigns(session, entry, today, by)
        if progress:
            progress(len(countries), len(countries), "")
        return len(countries)
