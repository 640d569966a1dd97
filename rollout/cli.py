"""The `rollout` command line. Every command applies pending schema migrations first."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

import rollout.metric_providers  # noqa: F401  (registers the gate metrics)
from rollout import cli_campaigns
from rollout.demo import load_demo
from rollout.digest import send_digests, week_of
from rollout.gates import candidates
from rollout.gates import decisions as gate_decisions
from rollout.gates import status as gates
from rollout.gates.conditions import ConditionInput, clear_condition
from rollout.gates.pack import review_pack
from rollout.gates.playbook import load_playbook
from rollout.marketing.ics import calendar_ics
from rollout.marketing.local_calendar import INCLUDES, calendar_entries
from rollout.platform import settings
from rollout.platform.backup import backup, restore
from rollout.platform.config_files import ConfigFileError
from rollout.platform.countries import add_country, display_name, list_countries
from rollout.platform.db import database_url, get_engine, read_session, write_session
from rollout.platform.errors import RolloutError
from rollout.platform.identity import default_actor
from rollout.platform.models import OUTCOMES, ROLES, utc_now
from rollout.platform.schema import DatabaseTooNew, upgrade
from rollout.platform.settings import SettingsError
from rollout.platform.users import add_user, list_users
from rollout.sales.crm_files import CrmFileError
from rollout.sales.deals_import import EXPORT_FIELDS, export_deals_csv, import_deals, saved_choices
from rollout.sales.import_choices import parse_stage_map, rejected_rows_csv
from rollout.sales.import_history import history_rows, imports
from rollout.sales.money import parse_rates_csv, save_rates
from rollout.sales.pipeline import load_pipeline_config

OWN_EXPORT = "rollout"  # the --mapping name of the layout `rollout export deals` writes


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
    with write_session(engine, source="cli") as session:
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


def cmd_users_add(engine: Engine, args: argparse.Namespace) -> None:
    countries = [code for code in (args.countries or "").split(",") if code.strip()]
    with write_session(engine, source="cli") as session:
        user = add_user(
            session, email=args.email, role=args.role, countries=countries, name=args.name, by=args.by
        )
        print(f"added {user.email} as {user.role} on {', '.join(user.countries) or 'all countries'}")


def cmd_users_list(engine: Engine, _args: argparse.Namespace) -> None:
    with read_session(engine) as session:
        for user in list_users(session):
            state = "" if user.active else "  (deactivated)"
            print(f"{user.email:<40} {user.role:<11} {','.join(user.countries) or 'all countries'}{state}")


def cmd_gates(engine: Engine, args: argparse.Namespace) -> None:
    with read_session(engine) as session:
        statuses = [gates.gate_status(session, args.country)] if args.country else gates.portfolio(session)
    if args.json:
        _print_json([status.as_dict() for status in statuses])
        return
    for status in statuses:
        due = status.gate_due.isoformat() if status.gate_due else "-"
        met = f"{status.criteria_met}/{len(status.criteria)}" if status.at_gate else "-"
        held = f" (on hold since {status.on_hold_since.isoformat()})" if status.on_hold_since else ""
        owed = sum(owed.cleared_on is None for owed in status.conditions)
        conditions = f" ({owed} condition(s) owed)" if owed else ""
        print(
            f"{status.country}  {status.phase:<18} due {due:<10}  met {met:<5} "
            f"decisions {status.decision_count:<3} {status.health or ''}{held}{conditions}"
        )


def cmd_decide(engine: Engine, args: argparse.Namespace) -> None:
    # The command decides on what it saw, as the Country page does: the gate and its decisions as
    # `--gate`/`--decisions` name them, else as they are when it starts. A decision recorded by anyone
    # since (two commands run at once, say) refuses this one, saying who decided what.
    with read_session(engine) as session:
        seen = gates.gate_status(session, args.code)
    with write_session(engine, source="cli") as session:
        decision = gate_decisions.record_decision(
            session,
            expected_phase=args.gate or seen.phase,
            expected_count=seen.decision_count if args.decisions is None else args.decisions,
            code=args.code,
            outcome=args.outcome,
            by=args.by,
            rationale=args.why or "",
            extension_months=args.months,
            conditions=_conditions(args),
        )
        with_conditions = f" with {len(args.conditions)} condition(s)" if args.conditions else ""
        print(
            f"recorded decision #{decision.sequence} for {decision.country_code}: {decision.outcome} "
            f"at the {decision.phase} gate{with_conditions}"
        )


class _ConditionPart(argparse.Action):
    """--condition starts a condition; --condition-due and --condition-owner belong to the one before them."""

    def __call__(self, parser, namespace, value, option_string=None):
        conditions = namespace.conditions
        if self.dest == "text":
            conditions.append({"text": value})
            return
        if not conditions or self.dest in conditions[-1]:
            parser.error(f"{option_string} must follow the --condition it belongs to")
        conditions[-1][self.dest] = value


def _conditions(args: argparse.Namespace) -> list[ConditionInput]:
    for number, given in enumerate(args.conditions, start=1):
        if "due" not in given:
            raise RolloutError(f"--condition-due: condition {number} ('{given['text']}') needs a due date")
    return [ConditionInput(c["text"], c["due"], c.get("owner", "")) for c in args.conditions]


def cmd_conditions_clear(engine: Engine, args: argparse.Namespace) -> None:
    with write_session(engine, source="cli") as session:
        clearance = clear_condition(session, condition_id=args.id, by=args.by, note=args.note or "")
        print(f"cleared condition #{clearance.condition_id} of {clearance.country_code}")


def _choices(session: Session, args: argparse.Namespace) -> dict[str, Any]:
    """import_deals's layout and choices: those of the mapping --mapping names (one saved in the app, or
    `rollout` for Rollout's own exports), with --stage-map's labels over its stage map and --pipeline
    instead of its pipelines."""
    choices: dict[str, Any] = {"format": args.format, "mapping": None, "stages": {}, "pipelines": None}
    if args.mapping == OWN_EXPORT:
        choices |= {"format": "mapped", "mapping": {field: field for field in EXPORT_FIELDS}}
    elif args.mapping:
        saved = saved_choices(session)
        if args.mapping not in saved:
            known = ", ".join([OWN_EXPORT, *saved])
            raise RolloutError(f"--mapping: no saved mapping called '{args.mapping}' (known: {known})")
        found = saved[args.mapping]
        choices |= {"format": found.format, "stages": found.stages, "pipelines": found.pipelines}
        choices |= {"mapping": found.columns if found.format == "mapped" else None}
        choices["mapping_name"] = args.mapping
    if args.stage_map:
        stage_map = parse_stage_map(Path(args.stage_map).read_bytes(), args.stage_map, load_pipeline_config())
        choices["stages"] = {**choices["stages"], **stage_map}
    if args.pipeline:
        choices["pipelines"] = args.pipeline
    return choices


def cmd_import_deals(engine: Engine, args: argparse.Namespace) -> int:
    if args.valid_rows != bool(args.rejected_out):
        raise RolloutError(
            "--valid-rows and --rejected-out FILE go together: the refused rows are written there"
        )
    content = Path(args.file).read_bytes()
    with read_session(engine) as session:  # the write session takes SQLite's write lock: only to write
        choices = _choices(session, args)
    with write_session(engine, source="cli") as session:
        outcome = import_deals(
            session,
            code=args.country,
            content=content,
            filename=args.file,
            by=args.by,
            dry_run=args.dry_run,
            valid_rows=args.valid_rows,
            keep_rollout_edits=args.keep_rollout_edits,
            progress=lambda step, done, total: _progress(f"{step} {done:,} of {total:,} deals"),
            **choices,
        )
    for problem in outcome.problems:
        print(
            f"data row {problem.data_row} (line {problem.line}), {problem.column}: {problem.problem}",
            file=sys.stderr,
        )
    for warning in outcome.warnings:
        print(
            f"warning: data row {warning.data_row} (line {warning.line}), {warning.column}: {warning.problem}"
        )
    kept = "Rollout's value kept" if args.keep_rollout_edits else "the CRM's value taken"
    for conflict in outcome.conflicts:
        print(
            f"changed in Rollout since its last import: deal {conflict.crm_id}, {conflict.field}: "
            f"{conflict.old!r} in Rollout, {conflict.new!r} in the file ({kept})"
        )
    if outcome.refused:
        print("file refused: nothing imported", file=sys.stderr)
    elif args.dry_run:
        print("dry run: nothing written")
    if outcome.partial:
        Path(args.rejected_out).write_bytes(rejected_rows_csv(content, args.file, outcome.problems))
        print(f"{outcome.rejected} refused row(s) written to {args.rejected_out}, with their problems")
    print(outcome.summary())
    return 1 if outcome.refused else 0


def cmd_imports_list(engine: Engine, args: argparse.Namespace) -> None:
    with read_session(engine) as session:
        rows = history_rows(imports(session, args.country))
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        print(f"no imports yet for {args.country.upper()}")
    for row in rows:
        print(
            f"#{row['id']} {row['imported_at']} {row['imported_by']} {row['filename']} ({row['format']}, "
            f"sha256 {row['sha256'][:12]}): created {row['created']}, updated {row['updated']}, "
            f"unchanged {row['unchanged']}, skipped {row['skipped']}, rejected {row['rejected']}, "
            f"{row['warnings']} warning(s)"
        )


def cmd_export_deals(engine: Engine, args: argparse.Namespace) -> None:
    with read_session(engine) as session:
        content = export_deals_csv(session, args.country)
    Path(args.output).write_bytes(content)
    print(f"wrote {args.country.upper()}'s deals to {args.output}")


def cmd_import_rates(engine: Engine, args: argparse.Namespace) -> None:
    rates = parse_rates_csv(Path(args.file).read_bytes(), args.file)
    with write_session(engine, source="cli") as session:
        count = save_rates(session, rates, by=args.by, source="ecb")
    print(f"imported {count} rates")


def cmd_export_ics(engine: Engine, args: argparse.Namespace) -> None:
    include = [part.strip() for part in args.include.split(",") if part.strip()]
    unknown = sorted(set(include) - set(INCLUDES))
    if unknown:
        raise RolloutError(f"--include: {', '.join(unknown)} not one of {', '.join(INCLUDES)}")
    if args.end < args.start:
        raise RolloutError(f"--end {args.end.isoformat()} is before --start {args.start.isoformat()}")
    with read_session(engine) as session:
        entries = calendar_entries(
            session,
            args.country,
            args.start,
            args.end,
            include=include,
            subdiv=args.region,
            with_cancelled=True,
        )
    code = args.country.upper()
    content = calendar_ics(entries, name=f"Rollout {code}", stamp=utc_now())
    Path(args.output).write_bytes(content)
    print(f"wrote {len(entries)} entries for {code} to {args.output}")


def _print_counts(counts: dict[str, int]) -> None:
    width = max(map(len, counts))
    for table, count in counts.items():
        print(f"  {table:<{width}}  {count:>8}")


def _progress(step: str) -> None:
    """A long command's steps as it takes them, on a terminal's stderr (as git and pip show theirs): the
    output stays the result alone, and a script or a cron job reads no progress lines."""
    if sys.stderr.isatty():
        print(step, file=sys.stderr, flush=True)


def cmd_backup(engine: Engine, args: argparse.Namespace) -> None:
    counts = backup(engine, Path(args.file), progress=_progress)
    _print_counts(counts)
    print(f"backed up {sum(counts.values())} rows in {len(counts)} tables to {args.file}")


def cmd_restore(engine: Engine, args: argparse.Namespace) -> None:
    counts = restore(engine, Path(args.file), progress=_progress)
    _print_counts(counts)
    print(
        f"restored {sum(counts.values())} rows in {len(counts)} tables from {args.file} into "
        f"{engine.url.render_as_string(hide_password=True)}: every table matches the backup"
    )


def cmd_digest(engine: Engine, args: argparse.Namespace) -> int:
    today = date.today()
    outcome = send_digests(
        engine,
        week=args.week or week_of(today),
        today=today,
        playbook=load_playbook(),
        to=args.to,
        dry_run=args.dry_run,
        by=args.by,
        say=print,
    )
    for email, error in outcome.failed:
        print(f"rollout: the digest to {email} was not sent: {error}", file=sys.stderr)
    print(f"sent {len(outcome.sent)}, failed {len(outcome.failed)}")
    return 1 if outcome.failed else 0


def cmd_review_pack(engine: Engine, args: argparse.Namespace) -> None:
    output = Path(args.output)
    if output.suffix.lower() not in (".html", ".htm"):
        raise RolloutError(
            f"-o {args.output}: the pack is written as printable HTML (.html); print it to PDF from a browser"
        )
    with read_session(engine) as session:
        content = review_pack(session, args.codes, title=args.title)
    output.write_text(content, encoding="utf-8")
    print(f"wrote the review pack of {', '.join(code.upper() for code in args.codes)} to {args.output}")


def _score(text: str) -> tuple[str, int]:
    key, _, value = text.partition("=")
    if not key or not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not KEY=N (for example market_size=4)")
    return key.strip(), int(value)


def cmd_candidates_add(engine: Engine, args: argparse.Namespace) -> None:
    with write_session(engine, source="cli") as session:
        candidate = candidates.save_candidate(
            session, code=args.code, scores=dict(args.score), by=args.by, note=args.note or ""
        )
        print(f"saved candidate market {candidate.country_code}: {candidate.scores}")


def cmd_candidates_list(engine: Engine, args: argparse.Namespace) -> None:
    with read_session(engine) as session:
        ranking = candidates.ranked(session)
    if args.json:
        _print_json([asdict(candidate) for candidate in ranking])
        return
    for c in ranking:
        missing = f"  (not scored: {', '.join(c.missing)})" if c.missing else ""
        print(f"{c.rank:>2}. {c.code}  {c.name:<28} {c.score:.2f}{missing}")


def cmd_candidates_start(engine: Engine, args: argparse.Namespace) -> None:
    with write_session(engine, source="cli") as session:
        country = candidates.start_candidate(session, code=args.code, start_date=args.start, by=args.by)
        print(f"started {country.code}: its sales test begins {country.start_date.isoformat()}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rollout", description="International market-rollout tracker")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init", help="create or upgrade the database").set_defaults(run=cmd_init)
    demo = commands.add_parser("demo", help="load the demo data into an empty database")
    demo.add_argument("--by", default=default_actor(), help="who loads it (email)")
    demo.set_defaults(run=cmd_demo)
    backing_up = commands.add_parser("backup", help="write a consistent backup while the app runs")
    backing_up.add_argument("file", help="a new file: the backup is a SQLite database")
    backing_up.set_defaults(run=cmd_backup)
    restoring = commands.add_parser(
        "restore", help="restore a backup into the empty database ROLLOUT_DATABASE_URL names"
    )
    restoring.add_argument("file", help="a file `rollout backup` wrote")
    restoring.set_defaults(run=cmd_restore)

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

    users = commands.add_parser("users", help="who may sign in, with which role").add_subparsers(
        dest="users_command", required=True
    )
    user_add = users.add_parser("add", help="add a user; the first user must be an admin")
    user_add.add_argument("email")
    user_add.add_argument("--role", required=True, choices=ROLES)
    user_add.add_argument("--countries", metavar="CC,CC", help="the countries they work on (default: all)")
    user_add.add_argument("--name", default="")
    user_add.add_argument("--by", default=default_actor(), help="the admin adding them (email)")
    user_add.set_defaults(run=cmd_users_add)
    users.add_parser("list", help="list users").set_defaults(run=cmd_users_list)

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
    decide.add_argument(
        "--gate", metavar="PHASE", help="the phase whose gate you decide; refused if the country has moved on"
    )
    decide.add_argument(
        "--decisions",
        type=int,
        metavar="N",
        help="how many decisions the country had when you reviewed it (`rollout gates` shows it); "
        "refused if another was recorded since",
    )
    decide.set_defaults(conditions=[])
    decide.add_argument(
        "--condition",
        dest="text",
        action=_ConditionPart,
        metavar="TEXT",
        help="a condition of a Go (repeatable)",
    )
    decide.add_argument(
        "--condition-due", dest="due", action=_ConditionPart, type=_iso_date, metavar="YYYY-MM-DD",
        help="when the --condition before it is due",
    )  # fmt: skip
    decide.add_argument(
        "--condition-owner", dest="owner", action=_ConditionPart, metavar="EMAIL",
        help="who owns the --condition before it",
    )  # fmt: skip
    decide.set_defaults(run=cmd_decide)
    conditions = commands.add_parser("conditions", help="conditions of conditional go decisions")
    condition_commands = conditions.add_subparsers(dest="conditions_command", required=True)
    clearing = condition_commands.add_parser(
        "clear", help="clear a condition (`rollout gates --json` lists them)"
    )
    clearing.add_argument("id", type=int)
    clearing.add_argument("--note", help="how it was met")
    clearing.add_argument("--by", default=default_actor())
    clearing.set_defaults(run=cmd_conditions_clear)

    review = commands.add_parser("review", help="gate review meetings").add_subparsers(
        dest="review_command", required=True
    )
    pack = review.add_parser("pack", help="write the review pack of some markets as printable HTML")
    pack.add_argument("codes", nargs="+", metavar="CC")
    pack.add_argument("-o", "--output", required=True, help="a .html file")
    pack.add_argument("--title", default="Gate review pack")
    pack.set_defaults(run=cmd_review_pack)

    candidate = commands.add_parser(
        "candidates", help="candidate markets: countries scored before they enter the rollout"
    ).add_subparsers(dest="candidates_command", required=True)
    candidate_add = candidate.add_parser("add", help="add or rescore a candidate market")
    candidate_add.add_argument("code")
    candidate_add.add_argument("--score", action="append", type=_score, default=[], metavar="KEY=N")
    candidate_add.add_argument("--note")
    candidate_add.add_argument("--by", default=default_actor())
    candidate_add.set_defaults(run=cmd_candidates_add)
    candidate_list = candidate.add_parser("list", help="candidate markets, best first")
    candidate_list.add_argument("--json", action="store_true")
    candidate_list.set_defaults(run=cmd_candidates_list)
    candidate_start = candidate.add_parser("start", help="start a candidate market's rollout")
    candidate_start.add_argument("code")
    candidate_start.add_argument("--start", type=_iso_date, required=True)
    candidate_start.add_argument("--by", default=default_actor())
    candidate_start.set_defaults(run=cmd_candidates_start)

    importing = commands.add_parser("import", help="import data from files").add_subparsers(
        dest="import_command", required=True
    )
    deals = importing.add_parser("deals", help="import a CRM deals export (CSV or XLSX) for a country")
    deals.add_argument("file")
    deals.add_argument("--country", required=True)
    deals.add_argument("--format", choices=["auto", "hubspot", "salesforce"], default="auto")
    deals.add_argument(
        "--mapping",
        metavar="NAME",
        help=f"a column mapping saved in the app, or '{OWN_EXPORT}' for a file `export deals` wrote",
    )
    deals.add_argument(
        "--stage-map",
        metavar="FILE",
        help="a two-column CSV: the file's stage label, the Rollout stage key (or skip: leave its deals out)",
    )
    deals.add_argument(
        "--pipeline",
        action="append",
        metavar="NAME",
        help="a CRM pipeline to take (repeatable; default: all)",
    )
    deals.add_argument("--valid-rows", action="store_true", help="import the valid rows, not all or nothing")
    deals.add_argument(
        "--rejected-out", metavar="FILE", help="with --valid-rows: write the refused rows here"
    )
    deals.add_argument(
        "--keep-rollout-edits",
        action="store_true",
        help="where a deal was changed in Rollout since its last import, keep Rollout's values",
    )
    deals.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    deals.add_argument("--by", default=default_actor())
    deals.set_defaults(run=cmd_import_deals)
    history = commands.add_parser("imports", help="the deal imports of a country").add_subparsers(
        dest="imports_command", required=True
    )
    history_list = history.add_parser("list", help="who imported which file when, and what it changed")
    history_list.add_argument("--country", required=True)
    history_list.add_argument("--json", action="store_true")
    history_list.set_defaults(run=cmd_imports_list)
    rates = commands.add_parser("rates", help="exchange rates").add_subparsers(
        dest="rates_command", required=True
    )
    rates_import = rates.add_parser("import", help="import ECB reference rates (eurofxref-hist.csv)")
    rates_import.add_argument("file")
    rates_import.add_argument("--by", default=default_actor())
    rates_import.set_defaults(run=cmd_import_rates)

    exporting = commands.add_parser("export", help="export data to files").add_subparsers(
        dest="export_command", required=True
    )
    deals_out = exporting.add_parser("deals", help="write a country's deals as CSV")
    deals_out.add_argument("--country", required=True)
    deals_out.add_argument("-o", "--output", required=True)
    deals_out.set_defaults(run=cmd_export_deals)
    ics = exporting.add_parser("ics", help="write a country's holidays, events and campaigns as .ics")
    ics.add_argument("--country", required=True)
    ics.add_argument("--start", type=_iso_date, required=True)
    ics.add_argument("--end", type=_iso_date, required=True)
    ics.add_argument("--include", default=",".join(INCLUDES), help=f"comma-separated: {', '.join(INCLUDES)}")
    ics.add_argument("--region", help="a subdivision whose regional holidays to add, e.g. MD for Madrid")
    ics.add_argument("-o", "--output", required=True)
    ics.set_defaults(run=cmd_export_ics)

    digest = commands.add_parser("digest", help="email each user their This week (once per week)")
    digest.add_argument("--week", metavar="YYYY-Www", help="the ISO week (default: this one)")
    recipients = digest.add_mutually_exclusive_group(required=True)
    recipients.add_argument("--to", metavar="EMAIL", help="one user")
    recipients.add_argument("--all", action="store_true", help="every active user with the digest on")
    digest.add_argument("--dry-run", action="store_true", help="print what would be sent, send nothing")
    digest.add_argument("--by", default=default_actor(), help="who sends it, for the history (email)")
    digest.set_defaults(run=cmd_digest)
    cli_campaigns.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        settings.current()  # a bad ROLLOUT_* value is refused before anything runs
    except SettingsError as error:
        print(f"rollout: {error}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    try:
        playbook = load_playbook()
        engine = get_engine(database_url())
        upgrade(engine)
        if args.run not in (cmd_init, cmd_backup, cmd_restore):  # these repair or keep what is there
            with read_session(engine) as session:
                gates.require_playbook_fits_history(session, playbook)
        return args.run(engine, args) or 0
    except (RolloutError, ConfigFileError, DatabaseTooNew, CrmFileError) as error:
        print(f"rollout: {error}", file=sys.stderr)
        return 2
    except OperationalError as error:
        print(f"rollout: cannot use the database at {database_url()}: {error.orig}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"rollout: {error.filename}: {error.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
