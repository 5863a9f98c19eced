"""`python -m eet …`: each command is a thin layer over a function of the package."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from eet.store import get_settings


def _date(text: str) -> date:
    from eet.entry.vocabulary import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _moment(text: str):
    from eet.figures.report import parse_known_at

    try:
        return parse_known_at(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eet", description="Eerst een Thuis monitor")
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="create or migrate the database; idempotent")
    init.add_argument("--demo", action="store_true", help="also load the demo data set")
    init.add_argument("--demo-if-empty", action="store_true",
                      help="load the demo only into a database without any data (what `make run` does)")

    imp = commands.add_parser("import", help="a .csv, .xlsx, .xls or .ods list of dwellings, participants, "
                                             "events, ZRM measurements, cost parameters or partners' pledges; all or nothing")
    imp.add_argument("kind", choices=("dwellings", "participants", "events", "measurements", "costs", "pledges"))
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    imp.add_argument("--sheet", default=None, help="the sheet to read, in a workbook with lists on several sheets")

    report = commands.add_parser("report", help="the figures at a date")
    report.add_argument("--as-of", type=_date, default=None, help="YYYY-MM-DD (default today)")
    report.add_argument("--known-at", type=_moment, default=None,
                        help="as the database knew it then: YYYY-MM-DD (end of that day) or "
                             "YYYY-MM-DDTHH:MM[:SS], Europe/Amsterdam time")
    report.add_argument("--format", choices=("json", "text"), default="text")

    worklist = commands.add_parser("worklist", help="the by-name list: every participant with the step they are "
                                                    "at, since when, the dwelling and what is due next")
    worklist.add_argument("--org", default=None, help="one organisation's participants (default: all)")
    worklist.add_argument("--as-of", type=_date, default=None, help="YYYY-MM-DD (default today)")
    worklist.add_argument("--format", choices=("csv", "json", "text"), default="csv",
                          help="csv (default; the page's download), json or text")

    user = commands.add_parser("user", help="accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="add an account; the password is read from standard input")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=("admin", "coordinator", "researcher", "viewer"))
    add.add_argument("--org", default=None, help="organisation (required for a coordinator)")

    token = commands.add_parser("token", help="personal access tokens for the data feed (Excel, Power BI)")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    token_add = token_commands.add_parser("add", help="make a token; printed once, alone on the last line")
    token_add.add_argument("--user", required=True, help="the account the token reads as")
    token_add.add_argument("--days", type=int, default=90, help="days until it ends (default 90, at most 366)")
    token_add.add_argument("--name", default=None, help="what it is for, e.g. 'Power BI gemeente' (default: feed)")
    token_list = token_commands.add_parser("list", help="every token: number, account, name, dates, state")
    token_list.add_argument("--user", default=None, help="only this account's")
    token_revoke = token_commands.add_parser("revoke", help="revoke a token by its number")
    token_revoke.add_argument("id", type=int)

    backup = commands.add_parser("backup", help="the whole database to one file")
    backup.add_argument("file", type=Path)
    restore = commands.add_parser("restore", help="a backup file back into an empty database")
    restore.add_argument("file", type=Path)
    restore.add_argument("--replace", action="store_true", help="delete what the database holds first")

    demo = commands.add_parser("demo", help="the demo data set")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True)
    demo_commands.add_parser("remove", help="delete the demo data and the demo accounts (audited), so that "
                                            "real accounts and real data can come in")

    commands.add_parser("refresh", help="after a change made outside eet (SQL typed by hand): every running "
                                        "dashboard and the next report read all data again (audited)")

    synth = commands.add_parser("synth", help="load valid synthetic histories (for benchmarks and tests)")
    synth.add_argument("--participants", type=int, required=True)
    synth.add_argument("--seed", type=int, default=1)
    synth.add_argument("--dwellings", type=int, default=None, help="default: half the participants")

    signoff = commands.add_parser("signoff", help="an organisation's monthly sign-off, as on the quality page: "
                                                  "no write then changes its figures in that month")
    signoff.add_argument("month", help="YYYY-MM")
    signoff.add_argument("--org", required=True, help="the organisation's name")
    signoff.add_argument("--reopen", action="store_true", help="open the month again (the admin's)")

    export = commands.add_parser("export", help="the review meeting pack: .html (charts included, opens "
                                                "offline) or .xlsx (a sheet per table)")
    export.add_argument("--as-of", type=_date, required=True, help="the meeting date, YYYY-MM-DD")
    export.add_argument("--compare", type=_date, default=None,
                        help="comparison date (default: the previous review meeting, else the launch)")
    export.add_argument("--out", type=Path, required=True, help="FILE.html or FILE.xlsx")
    shown = export.add_mutually_exclusive_group()
    shown.add_argument("--exact", "--unsuppressed", action="store_true",
                       help="exact counts, for admins and researchers; the pack is marked "
                            "'exact counts - not for distribution'")
    shown.add_argument("--viewer", action="store_true",
                       help="kept for scripts: the default already suppresses counts below EET_SMALL_COUNT as <5")
    export.add_argument("--lang", choices=("nl", "en"), default=None, help="default: EET_LANG")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"init": cmd_init, "import": cmd_import, "report": cmd_report, "worklist": cmd_worklist, "user": cmd_user,
               "backup": cmd_backup,
               "restore": cmd_restore, "refresh": cmd_refresh, "synth": cmd_synth, "export": cmd_export, "demo": cmd_demo,
               "signoff": cmd_signoff, "token": cmd_token}[args.command]
    return handler(args)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_init(args) -> int:
    from eet.bootstrap import DemoRefused, initialise

    try:
        created = initialise(demo=args.demo, demo_if_empty=args.demo_if_empty)
    except DemoRefused as exc:
        return _fail(str(exc))
    what = ", ".join(f"{n} {k}" for k, n in created.items() if n) or "nothing new"
    print(f"database ready at {_safe_url()}: created {what}")
    return 0


def cmd_import(args) -> int:
    from eet.bootstrap import initialise
    from eet.store import get_engine
    from eet.entry.imports import import_file

    engine = get_engine()
    initialise(engine)  # idempotent: an import needs the schema and the partners its rows name
    result = import_file(engine, args.kind, args.file, dry_run=args.dry_run, sheet=args.sheet)
    for issue in result.errors:
        print(issue, file=sys.stderr)
    if result.more_errors:
        from eet.texts.messages import message
        print(f"error: {message('more_errors', n=result.more_errors)}", file=sys.stderr)
    for issue in result.warnings:  # said, not refused: the file is imported with them
        print(f"warning: {issue}", file=sys.stderr)
    if not result.ok:
        return _fail(result.summary())
    print(result.summary())
    return 0


def cmd_refresh(args) -> int:
    from eet.accounts.access import SYSTEM
    from eet.figures import timeline
    from eet.store import get_engine
    from sqlmodel import Session

    if (refused := _no_database()) is not None:
        return refused
    with Session(get_engine()) as session:
        timeline.refresh(session, SYSTEM)
    print(f"every figure of {_safe_url()} is read again from the tables at its next use")
    return 0


def _no_database() -> int | None:
    """Exit status 1 with a message when the database was never made (`eet init`), before anything
    opens it: a read must not leave an empty database file behind (issue 25). Else None, after a
    change made outside eet was caught up (eet.store.outside)."""
    from eet.store.engine import database_made
    from eet.texts.messages import message

    if database_made():
        from eet.store import get_engine, outside

        outside.current_version(get_engine())  # a change typed in by hand meanwhile: caught up first
        return None
    return _fail(str(message("no_database", url=_safe_url())))


def cmd_report(args) -> int:
    from eet.store import get_engine, session_scope
    from eet.figures.report import build_report, to_json, to_text

    if (refused := _no_database()) is not None:
        return refused
    engine = get_engine()
    as_of = args.as_of or date.today()
    with session_scope(engine) as session:
        report = build_report(session, as_of, known_at=args.known_at)
    print(to_json(report) if args.format == "json" else to_text(report))
    return 0


def cmd_worklist(args) -> int:
    from eet.accounts.access import SYSTEM
    from eet.entry import RuleError
    from eet.entry.state import ANY_ORGANISATION, find_organisation
    from eet.figures import worklist
    from eet.store import get_engine, session_scope

    as_of = args.as_of or date.today()
    with session_scope(get_engine()) as session:
        try:
            org = find_organisation(session, args.org, "org", *ANY_ORGANISATION)
        except RuleError as exc:
            return _fail("; ".join(f"--org: {e.message}" for e in exc.errors))
        rows = worklist.worklist(session, SYSTEM, as_of, org.id if org else None)
    if args.format == "csv":
        sys.stdout.write(worklist.csv_text(rows))
    elif args.format == "json":
        print(worklist.json_text(rows))
    else:
        print(worklist.text_lines(rows, as_of))
    return 0


def cmd_user(args) -> int:
    from eet.accounts.access import SYSTEM
    from eet.accounts.auth import add_user
    from eet.store import session_scope
    from eet.entry import RuleError

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("password: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        with session_scope() as session:
            user = add_user(session, SYSTEM, args.name, password, args.role, args.org)
    except RuleError as exc:  # also: demo accounts still open (eet.store.contents.demo_blocks)
        return _fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    print(f"user {user.username} added as {user.role}")
    return 0


def cmd_token(args) -> int:
    from eet.accounts import tokens
    from eet.accounts.access import SYSTEM
    from eet.bootstrap import initialise
    from eet.entry import RuleError
    from eet.store import get_engine, session_scope

    engine = get_engine()
    initialise(engine)  # the table of tokens comes with migration 0010
    try:
        with session_scope(engine) as session:
            if args.token_command == "add":
                info, secret = tokens.add_token(session, SYSTEM, args.user, args.name or "feed", args.days, "cli")
                print(f"token {info.id} for {info.username} ({info.name}), valid until "
                      f"{info.expires_at.date().isoformat()}; it is shown only now:")
                print(secret)
            elif args.token_command == "list":
                rows = tokens.list_tokens(session, SYSTEM, args.user)
                print("id\tuser\tname\tcreated\texpires\tlast used\tstate")
                for r in rows:
                    print("\t".join(str(v) for v in (
                        r.id, r.username, r.name, r.created_at.date().isoformat(), r.expires_at.date().isoformat(),
                        r.last_used_at.isoformat(timespec="seconds") if r.last_used_at else "-", r.state)))
            else:
                info = tokens.revoke_token(session, SYSTEM, args.id, "cli")
                print(f"token {info.id} of {info.username} ({info.name}) is revoked")
    except RuleError as exc:
        return _fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    return 0


def cmd_backup(args) -> int:
    from eet.store.backup import backup
    from eet.store import get_engine

    from eet.store.backup import BackupError

    try:
        counts = backup(get_engine(), args.file)
    except BackupError as exc:
        return _fail(str(exc))
    print(f"backup written to {args.file}: {sum(counts.values())} rows in {len(counts)} tables")
    return 0


def cmd_restore(args) -> int:
    from eet.store.backup import RestoreError, restore
    from eet.store.engine import get_engine, init_lock, migrate

    engine = get_engine()
    with init_lock(engine):
        migrate(engine)
    try:
        counts = restore(engine, args.file, replace=args.replace)
    except RestoreError as exc:
        return _fail(str(exc))
    print(f"restored {sum(counts.values())} rows in {len(counts)} tables from {args.file}")
    return 0


def cmd_demo(args) -> int:
    from eet.accounts.access import SYSTEM
    from eet.store.contents import remove_demo
    from eet.store.engine import get_engine, session_scope
    from sqlalchemy.exc import IntegrityError

    engine = get_engine()
    from eet.bootstrap import initialise

    initialise(engine)
    try:
        with session_scope(engine) as session:
            counts = remove_demo(session, SYSTEM)
    except IntegrityError:
        return _fail("real rows refer to demo rows (a step of a real participant in a demo dwelling); "
                     "nothing was removed: correct those rows first")
    print("demo removed: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
          + "; real accounts and imports can now be added (`init --demo-if-empty` will not load it again)")
    return 0


def cmd_signoff(args) -> int:
    """`signoff YYYY-MM --org NAME [--reopen]` as the programme (spec/interfaces.md), through the same
    functions and the same write gate as the quality page."""
    from eet.accounts.access import SYSTEM
    from eet.entry.schemas import RuleError
    from eet.entry.state import find_organisation
    from eet.quality import signoff
    from eet.store.engine import get_engine, session_scope

    try:
        with session_scope(get_engine()) as session:
            org = find_organisation(session, args.org, "organisation", "municipality", "care_provider",
                                    "housing_corporation", "referral")
            if org is None:
                return _fail("--org needs an organisation's name")
            if args.reopen:
                signoff.reopen(session, SYSTEM, org.id, args.month, source="cli")
            else:
                signoff.sign_off(session, SYSTEM, args.month, organisation_id=org.id, source="cli")
            name = org.name
    except RuleError as exc:
        return _fail(str(exc))
    print(f"{args.month} {'reopened' if args.reopen else 'signed off'} for {name}")
    return 0


def cmd_synth(args) -> int:
    from eet.bootstrap import initialise
    from eet.store import get_engine
    from eet.demo.synth import synthesise

    from eet.demo.synth import SynthRefused

    engine = get_engine()
    initialise(engine)
    try:
        counts = synthesise(engine, participants=args.participants, seed=args.seed, dwellings=args.dwellings)
    except (SynthRefused, ValueError) as exc:
        return _fail(str(exc))
    print("synthesised " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def cmd_export(args) -> int:
    from eet.accounts.access import SYSTEM
    from eet.store import session_scope
    from eet.review.pack import ExportError, write_pack

    if (refused := _no_database()) is not None:
        return refused
    # The pack is sent round: small counts suppressed unless --exact (the command line acts as
    # the programme, an admin). --viewer is what the default does now.
    try:
        with session_scope() as session:
            review = write_pack(session, SYSTEM, args.out, args.as_of, args.compare,
                                lang=args.lang or get_settings().lang, exact=args.exact)
    except (ExportError, ValueError) as exc:
        return _fail(str(exc))
    compared = (f"compared with {review.compare_with.isoformat()}" if review.compared
                else "without a comparison (at or before the launch)")
    print(f"meeting pack written to {args.out}: {review.as_of.isoformat()} {compared}"
          + (" (small counts suppressed)" if review.suppressed else " (exact counts - not for distribution)"))
    return 0


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().database_url).render_as_string(hide_password=True)
