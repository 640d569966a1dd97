"""The `rollout` command line. Every command applies pending schema migrations first."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from sqlalchemy import Engine

from rollout import gates
from rollout.countries import add_country, display_name, list_countries
from rollout.db import database_url, get_engine, read_session, write_session
from rollout.demo import load_demo
from rollout.errors import RolloutError
from rollout.identity import default_actor
from rollout.models import OUTCOMES
from rollout.playbook import PlaybookError, load_playbook
from rollout.schema import DatabaseTooNew, upgrade


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in YYYY-MM-DD form") from error


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def cmd_init(engine: Engine, _args: argparse.Namespace) -> None:
    print(f"database ready at {engine.url.render_as_string(hide_password=True)}")


def cmd_demo(engine: Engine, args: argparse.Namespace) -> None:
    count = load_demo(engine, by=args.by)
    print(f"loaded the demo: {count} countries")


def cmd_countries_add(engine: Engine, args: argparse.Namespace) -> None:
    with write_session(engine) as session:
        country = add_country(session, code=args.code, start_date=args.start, by=args.by)
        print(
            f"added {country.code} ({display_name(country)}), starting {country.start_date.isoformat()}: "
            f"languages {', '.join(country.languages) or '-'}, currency {country.currency}, "
            f"time zones {', '.join(country.time_zones) or '-'}"
        )


def cmd_countries_list(engine: Engine, args: argparse.Namespace) -> None:
    with read_session(engine) as session:
        countries = list_countries(session)
        statuses = {status.country: status for status in gates.portfolio(session)}
    if args.json:
        _print_json(
            [
                country.model_dump(mode="json")
                | {"name": display_name(country), "phase": statuses[country.code].phase}
                for country in countries
            ]
        )
        return
    for country in countries:
        print(
            f"{country.code}  {display_name(country):<28} {statuses[country.code].phase:<18} "
            f"started {country.start_date.isoformat()}"
        )


def cmd_gates(engine: Engine, args: argparse.Namespace) -> None:
    with read_session(engine) as session:
        statuses = [gates.gate_status(session, args.country)] if args.country else gates.portfolio(session)
    if args.json:
        _print_json([status.as_dict() for status in statuses])
        return
    for status in statuses:
        due = status.gate_due.isoformat() if status.gate_due else "-"
        met = f"{status.criteria_met}/{len(status.criteria)}" if status.at_gate else "-"
        print(f"{status.country}  {status.phase:<18} due {due:<10}  met {met:<5} {status.forecast or ''}")


def cmd_decide(engine: Engine, args: argparse.Namespace) -> None:
    with write_session(engine) as session:
        decision = gates.record_decision(
            session,
            code=args.code,
            outcome=args.outcome,
            by=args.by,
            rationale=args.why or "",
            extension_months=args.months,
        )
        print(
            f"recorded decision #{decision.sequence} for {decision.country_code}: {decision.outcome} "
            f"at the {decision.phase} gate"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rollout", description="International market-rollout tracker")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", help="create or upgrade the database").set_defaults(run=cmd_init)
    demo = commands.add_parser("demo", help="load the demo data into an empty database")
    demo.add_argument("--by", default=default_actor(), help="who loads it (email)")
    demo.set_defaults(run=cmd_demo)

    countries = commands.add_parser("countries", help="countries in the rollout")
    country_commands = countries.add_subparsers(dest="countries_command", required=True)
    add = country_commands.add_parser("add", help="add a country; facts come from CLDR and tzdata")
    add.add_argument("code", help="ISO 3166-1 alpha-2 code, e.g. ES")
    add.add_argument("--start", type=_iso_date, required=True, help="YYYY-MM-DD")
    add.add_argument("--by", default=default_actor())
    add.set_defaults(run=cmd_countries_add)
    listing = country_commands.add_parser("list", help="list countries")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_countries_list)

    gate = commands.add_parser("gates", help="gate status of each country")
    gate.add_argument("--country")
    gate.add_argument("--json", action="store_true")
    gate.set_defaults(run=cmd_gates)

    decide = commands.add_parser("decide", help="record a go/no-go decision")
    decide.add_argument("code")
    decide.add_argument("outcome", choices=OUTCOMES)
    decide.add_argument("--by", required=True, help="the deciding person's email")
    decide.add_argument("--why", help="rationale; required for extend, hold and stop")
    decide.add_argument("--months", type=int, help="length of an extension (default from the playbook)")
    decide.set_defaults(run=cmd_decide)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        load_playbook()
        engine = get_engine(database_url())
        upgrade(engine)
        args.run(engine, args)
    except (RolloutError, PlaybookError, DatabaseTooNew) as error:
        print(f"rollout: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
