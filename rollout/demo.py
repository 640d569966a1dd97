"""Loading the demo data in data/demo.toml through the same functions the app uses."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from rollout.countries import add_country
from rollout.db import write_session
from rollout.errors import RolloutError, require_actor
from rollout.gates import mark_check, record_decision
from rollout.models import Country
from rollout.playbook import Playbook, load_playbook

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo.toml"


def _at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def load_demo(
    engine: Engine,
    *,
    by: str,
    today: date | None = None,
    playbook: Playbook | None = None,
    path: Path = DEMO_FILE,
) -> int:
    """Load the demo into an empty database, in one transaction; returns the number of countries."""
    by = require_actor(by)
    today = today or date.today()
    playbook = playbook or load_playbook()
    demo = tomllib.loads(path.read_text(encoding="utf-8"))
    with write_session(engine) as session:
        if session.exec(select(Country).limit(1)).first() is not None:
            raise RolloutError("the database already has countries: the demo loads only into an empty one")
        for entry in demo["countries"]:
            start = today - timedelta(days=entry["start_days_ago"])
            add_country(session, code=entry["code"], start_date=start, by=by)
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
        return len(demo["countries"])
