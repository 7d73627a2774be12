"""The `quizbot` command: run the bot, check and import banks, leaderboard, try a quiz."""

from __future__ import annotations

import argparse
import functools
import gc
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.exporting import WRITERS, Writer
from bot.logs import setup_logging

if TYPE_CHECKING:
    from quiz.bank import Bank
    from storage.db import Database
    from storage.reports import ExportRow

# Each command imports what it needs when it runs: SQLAlchemy, pydantic and the Telegram stack
# take most of a second to import here, and `quizbot --help` or `convert` need none of them.

log = logging.getLogger("quizbot")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `quizbot` console script."""
    args = _parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        message = _known_failure(error)
        if message is None:  # a bug: its traceback is worth seeing
            raise
        print(f"quizbot: {message}", file=sys.stderr)
        return 2


def _known_failure(error: Exception) -> str | None:
    """The one line to print for a failure people can fix (settings, database), else None."""
    # Already imported by whichever command raised one of these.
    from sqlalchemy.exc import SQLAlchemyError

    from bot.settings import SettingsError
    from storage.db import DatabaseUnavailable, reason
    from storage.schema import SchemaOutdated

    if isinstance(error, SettingsError | DatabaseUnavailable | SchemaOutdated):
        return str(error)
    if isinstance(error, SQLAlchemyError):
        return f"database error: {reason(error)}"
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (long polling)")
    run.add_argument(
        "--migrate", action="store_true", help="upgrade an older database schema first"
    )
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates at this public https URL instead of long polling",
    )
    run.add_argument("--listen", default="0.0.0.0", help="webhook listen address (0.0.0.0)")
    run.add_argument("--port", type=int, default=8443, help="webhook listen port (8443)")
    run.add_argument(
        "--web-port", type=int, metavar="N", help="also serve the web leaderboard on this port"
    )
    run.add_argument("--web-host", default="127.0.0.1", help="web leaderboard address (127.0.0.1)")
    run.set_defaults(handler=cmd_run)

    web = commands.add_parser("web", help="serve the web leaderboard (read-only)")
    web.add_argument("--host", default="127.0.0.1", help="listen address (127.0.0.1)")
    web.add_argument("--port", type=int, default=8080, help="listen port (8080)")
    web.set_defaults(handler=cmd_web)

    validate = commands.add_parser("validate", help="check bank files; exit 1 if any is invalid")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.set_defaults(handler=cmd_validate)

    imp = commands.add_parser("import", help="validate bank files and store them")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.set_defaults(handler=cmd_import)

    conv = commands.add_parser(
        "convert", help="convert a Moodle GIFT (.gift) or Aiken (.txt) file into a bank"
    )
    conv.add_argument("file", type=Path, metavar="FILE", help="a .gift or Aiken .txt file")
    conv.add_argument("-o", "--out", type=Path, metavar="BANK", help="write here (default: stdout)")
    conv.add_argument("--source", type=Path, metavar="TEXT", help="the source material (.txt)")
    conv.add_argument("--id", metavar="ID", help="the bank's id (default: from the file name)")
    conv.add_argument("--title", help="the bank's title (default: from the file name)")
    conv.set_defaults(handler=cmd_convert)

    draft = commands.add_parser(
        "draft", help="draft questions from an article (a UTF-8 text file) into a bank"
    )
    draft.add_argument("source", type=Path, metavar="SOURCE", help="the article, a UTF-8 text")
    draft.add_argument(
        "-o", "--out", type=Path, metavar="BANK", help="write here (default: stdout)"
    )
    draft.add_argument("--id", metavar="ID", help="the bank's id (default: from the file name)")
    draft.add_argument("--title", help="the bank's title (default: from the file name)")
    draft.add_argument(
        "-n", "--questions", type=_positive, default=20, help="at most this many (default 20)"
    )
    draft.set_defaults(handler=cmd_draft)

    board = commands.add_parser("leaderboard", help="print the leaderboard")
    board.add_argument("--bank", metavar="ID", help="a bank's own table")
    board.add_argument("--limit", type=int, default=10, help="rows to show (default 10)")
    board.set_defaults(handler=cmd_leaderboard)

    export = commands.add_parser("export", help="write every answer to a bank as CSV or JSON")
    export.add_argument("--bank", required=True, metavar="ID", help="the bank's id")
    export.add_argument("--format", choices=sorted(WRITERS), default="csv", help="csv (default)")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(handler=cmd_export)

    try_ = commands.add_parser("try", help="take a quiz in the terminal, no Telegram needed")
    try_.add_argument("bank", nargs="?", metavar="BANK", help="a bank id or a bank file")
    try_.add_argument("-n", "--questions", type=int, default=None, help="how many questions")
    try_.set_defaults(handler=cmd_try)

    db = commands.add_parser("db", help="the database schema: upgrade it, show its revision")
    db_commands = db.add_subparsers(required=True, metavar="COMMAND")
    db_upgrade = db_commands.add_parser("upgrade", help="upgrade the schema (to the newest)")
    db_upgrade.add_argument("--revision", default="head", metavar="REV", help="target revision")
    db_upgrade.set_defaults(handler=cmd_db_upgrade)
    db_current = db_commands.add_parser("current", help="print the schema's revision")
    db_current.set_defaults(handler=cmd_db_current)
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    """Run the bot until interrupted."""
    import asyncio

    from bot.settings import load_settings

    settings = load_settings()
    token = settings.require_token()
    setup_logging(token, settings.log_level)
    from bot.app import prepare
    from bot.updates import ALLOWED_UPDATES
    from bot.webhook import serve_webhook

    application = prepare(settings, migrate=args.migrate)
    if args.web_port is not None:
        from bot.web import serve_alongside

        serve_alongside(application, args.web_host, args.web_port)
    if args.webhook:
        secret = settings.webhook_secret_or_new()
        asyncio.run(
            serve_webhook(
                application, url=args.webhook, secret=secret, listen=args.listen, port=args.port
            )
        )
        return 0
    log.info("polling Telegram for updates")
    application.run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    """Serve the web leaderboard alone until interrupted."""
    import asyncio

    from bot.settings import load_settings
    from bot.web import serve_web  # aiohttp and Jinja2: only this command needs them
    from storage.db import Database

    settings = load_settings()
    setup_logging(None, settings.log_level)
    db = Database.open(settings.database_url, zone=settings.zone)
    try:
        asyncio.run(serve_web(db, args.host, args.port))
    finally:
        db.dispose()
    return 0


def valid_banks(paths: Sequence[Path]) -> Iterator[tuple[Path, Bank]]:
    """The files that load, in order; the problems of the others are printed."""
    from quiz.bank import BankError, load_bank_file

    for path in paths:
        try:
            yield path, load_bank_file(path)
        except BankError as error:
            print(f"✗ {path}: {len(error.problems)} problem(s)")
            for problem in error.problems:
                print(f"  {problem}")


def cmd_validate(args: argparse.Namespace) -> int:
    """Print each file's verdict; exit status 1 when any is invalid."""
    valid = 0
    for path, bank in valid_banks(args.files):
        valid += 1
        print(f"✓ {path}: bank {bank.id!r}, {len(bank.questions)} questions")
    return 0 if valid == len(args.files) else 1


def cmd_import(args: argparse.Namespace) -> int:
    """Store valid banks in the database; exit status 1 when any file was refused."""
    # A batch run whose objects nearly all live until it exits: the cyclic garbage collector's
    # passes over them and over every module imported below free nothing and cost a tenth of a
    # second on a 5,000-question bank (peak memory is the same, 90 MB).
    gc.disable()
    from bot.library import import_bank
    from bot.settings import load_settings
    from bot.texts import bank_changes
    from storage.db import Database

    db = Database.open(load_settings().database_url)
    imported = 0
    for path, bank in valid_banks(args.files):
        with _progress_bar(f"Importing {path.name}", len(bank.questions)) as advance:
            result = import_bank(db, bank, advance=advance)
        imported += 1
        # After the bar is gone, so that the line goes to stdout, not through the bar's stderr.
        print(f"✓ {path}: bank {bank.id!r}, {result.questions} questions ({bank_changes(result)})")
    return 0 if imported == len(args.files) else 1


@contextmanager
def _progress_bar(description: str, total: int) -> Iterator[Callable[[], None] | None]:
    """A progress bar on stderr, gone when done; none when stderr is not a terminal.

    Then rich is not even imported, and no bar is advanced 5,000 times: a script or CI job
    importing a big bank finishes a tenth of a second sooner.
    """
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        yield functools.partial(progress.advance, progress.add_task(description, total=total))


def cmd_leaderboard(args: argparse.Namespace) -> int:
    """Print the top of the overall or a bank's table."""
    from bot.settings import load_settings
    from storage.db import Database
    from storage.scores import leaderboard

    db = Database.open(load_settings().database_url)
    with db.session() as session:
        board = leaderboard(session, bank_id=args.bank, limit=max(1, args.limit))
    if not board.top:
        print("Nobody has scored yet.")
    for entry in board.top:
        name = entry.first_name + (f" (@{entry.username})" if entry.username else "")
        print(f"{entry.rank:>4}. {name:<40} {entry.points:>6}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a bank's answers to a file, with a progress bar on stderr, or to stdout."""
    from bot.settings import load_settings
    from storage.banks import get_bank
    from storage.db import Database
    from storage.reports import count_answers, export_rows

    write = WRITERS[args.format]
    db = Database.open(load_settings().database_url)
    try:
        with db.session() as session:
            if get_bank(session, args.bank) is None:
                print(f"quizbot: there is no bank {args.bank!r}", file=sys.stderr)
                return 1
            rows = export_rows(session, args.bank)
            if args.out is None:
                return _to_stdout(write, rows)
            written = _to_file(write, rows, args.out, count_answers(session, args.bank))
    except OSError as error:
        print(f"quizbot: cannot write {args.out}: {error.strerror}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"Wrote {written} answer(s) to {args.out}.", file=sys.stderr)
    return 0


def _to_file(write: Writer, rows: Iterable[ExportRow], path: Path, total: int) -> int:
    # Imported here, like the Telegram stack above: only this command draws progress.
    from rich.console import Console
    from rich.progress import track

    with path.open("w", encoding="utf-8", newline="") as stream:
        return write(track(rows, "Exporting", total, console=Console(stderr=True)), stream)


def _to_stdout(write: Writer, rows: Iterable[ExportRow]) -> int:
    try:
        write(rows, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # `quizbot export ... | head` stopped reading: no traceback
        # Python flushes stdout again at exit; pointing it at devnull keeps that quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    """Write the bank converted from a GIFT or Aiken file; what could not be converted is listed.

    Exit status 1 when nothing converted or the file cannot be read.
    """
    from quiz.convert import convert, to_yaml

    try:
        text = args.file.read_text(encoding="utf-8-sig")
        source = _converted_source(args.source, args.out) if args.source else None
        conversion = convert(args.file.name, text, bank_id=args.id, title=args.title, source=source)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"quizbot: {error}", file=sys.stderr)
        return 1
    for skipped in conversion.unsupported:
        print(f"  skipped {args.file.name}: {skipped}", file=sys.stderr)
    converted = len(conversion.bank["questions"])
    if not converted:
        print(f"quizbot: {args.file.name} holds no question to convert", file=sys.stderr)
        return 1
    document = to_yaml(conversion.bank)
    if args.out is None:
        sys.stdout.write(document)
    else:
        args.out.write_text(document, encoding="utf-8")
    target = args.out or "stdout"
    print(
        f"Converted {converted} question(s) to {target}, skipped {len(conversion.unsupported)}.",
        file=sys.stderr,
    )
    return 0


def _converted_source(path: Path, out: Path | None) -> dict[str, str]:
    """The bank's source entry: a path next to the bank when it can be, else the text inline."""
    relative = _relative_source(path, out)
    if relative is not None:
        path.read_bytes()  # unreadable: fail now, not when the bank is loaded
        return {"title": path.stem, "file": relative}
    return {"title": path.stem, "text": path.read_text(encoding="utf-8-sig").strip()}


def _relative_source(path: Path, out: Path | None) -> str | None:
    """The source's path from the bank file written to `out`, when it lies in the bank's folder
    or below (where `source.file` may point); None when it does not, or the bank goes to stdout."""
    if out is None:
        return None
    folder, target = out.parent.resolve(), path.resolve()
    return target.relative_to(folder).as_posix() if target.is_relative_to(folder) else None


def _positive(text: str) -> int:
    """An argument that must be a whole number of 1 or more."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return int(text)


def cmd_draft(args: argparse.Namespace) -> int:
    """Write a bank of questions drafted from an article, in the article's order.

    The source goes inline, so that the bank stands alone (it may be sent to the bot as it is);
    when that would make the bank too large, as `source.file` if it lies in the bank's folder.
    Exit status 1 when the article cannot be read or holds nothing to ask.
    """
    from quiz.bank import MAX_BANK_BYTES, BankError, parse_bank
    from quiz.convert import MAX_ID_CHARS, default_title, slug
    from quiz.drafting import draft_bank, draft_questions
    from quiz.writing import bank_to_yaml

    text = _read_source(args.source)
    if text is None:
        return 1
    proposals = draft_questions(text, limit=args.questions)
    if not proposals:
        print(
            f"quizbot: found nothing to ask in {args.source.name}: no sentence with a year, a"
            " date, a number or a name that three others of its kind in the text could stand for",
            file=sys.stderr,
        )
        return 1
    bank_id = args.id or slug(args.source.stem, MAX_ID_CHARS) or "draft"
    bank = draft_bank(
        sorted(proposals, key=lambda proposal: proposal.position),
        bank_id=bank_id,
        title=args.title or default_title(args.source.stem) or bank_id,
        source_title=default_title(args.source.stem) or "Source",
        source_text=text,
    )
    document = bank_to_yaml(bank)
    relative = _relative_source(args.source, args.out)
    if len(document.encode()) > MAX_BANK_BYTES and relative is not None:
        document = bank_to_yaml(bank, source_file=relative)
    try:  # a bad --id or --title, or too large a bank
        parse_bank(
            document,
            filename=args.out.name if args.out else "stdout",
            base_dir=args.out.parent if args.out else None,
        )
    except BankError as error:
        print(f"quizbot: {error.problems[0]}", file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(document)
    else:
        args.out.write_text(document, encoding="utf-8")
    print(
        f"Drafted {len(proposals)} question(s) from {args.source.name} to {args.out or 'stdout'}:"
        " keep those worth asking.",
        file=sys.stderr,
    )
    return 0


def _read_source(path: Path) -> str | None:
    """An article's text as a bank's source may hold it, or None once the problem is printed."""
    from quiz.bank import MAX_SOURCE_CHARS, read_source_text

    try:
        with path.open("rb") as stream:
            data = stream.read(4 * MAX_SOURCE_CHARS + 1)  # enough to know it is too long
    except OSError as error:
        print(f"quizbot: cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return None
    text, problem = read_source_text(data, path.name)
    if problem is not None:
        print(f"quizbot: {problem}", file=sys.stderr)
    return text


def cmd_try(args: argparse.Namespace) -> int:
    """Play a bank in the terminal with the bot's questions, explanations and quotes."""
    from bot import terminal
    from bot.settings import load_settings

    return terminal.play(load_settings().questions_dir, args.bank, args.questions)


def _schema_database() -> Database:
    """The configured database, reachable, its schema not checked: these commands fix it."""
    from bot.settings import load_settings
    from storage.db import Database, unavailable
    from storage.schema import current_revision

    settings = load_settings()
    with unavailable(settings.database_url):
        db = Database(settings.database_url, zone=settings.zone)
        current_revision(db.engine)
    return db


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Upgrade the schema and say from which revision to which."""
    from alembic.util import CommandError

    from storage.schema import current_revision, upgrade

    db = _schema_database()
    try:
        before = current_revision(db.engine)
        upgrade(db.engine, args.revision, zone=db.zone)
        after = current_revision(db.engine)
    except CommandError as error:  # e.g. an unknown --revision
        print(f"quizbot: {error}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    if before == after:
        print(f"The database schema is already at {_revision_name(after)}.")
    else:
        print(f"Upgraded the database schema from {before or 'none'} to {_revision_name(after)}.")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    """Print the schema's revision and whether it is the newest."""
    from storage.schema import current_revision, head_revision, known_revisions

    db = _schema_database()
    try:
        current = current_revision(db.engine)
    finally:
        db.dispose()
    if current is None:
        print("none (an empty database, or one made before migrations)")
    elif current == head_revision():
        print(_revision_name(current))
    elif current in known_revisions():
        print(f"{current} (this version needs {head_revision()}: run `quizbot db upgrade`)")
    else:
        print(
            f"{current} (newer than this version of quizbot, which knows up to {head_revision()})"
        )
    return 0


def _revision_name(revision: str | None) -> str:
    from storage.schema import head_revision

    return f"{revision} (head)" if revision == head_revision() else str(revision or "none")
