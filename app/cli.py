"""The ``dossier`` command line: the same Archive calls the GUI makes.

Exit codes: 0 success, 1 failure, 2 bad usage, 3 an import in which some files failed.
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import re
import signal
import sqlite3
import sys
import threading
from dataclasses import asdict
from datetime import date
from pathlib import Path

from app import cli_keys, cli_map, cli_server, cli_timeline, settings, wording
from app.archive import SORTS, Archive
from app.batch_tagging import UnknownBatch
from app.citation import citation
from app.environment import environmental
from app.errors import BadQuery, DossierError
from app.models import COLOURS, stance_labels
from app.paths import ENV_ARCHIVE, resolve_archive
from app.printable import PrintableStream, one_line, printable
from app.printable import print_json as _print_json
from app.relations import RELATED_LISTS
from app.stance_rules import parse_rule
from indexer.query import SYNTAX_HELP

EXIT_FAILURE, EXIT_USAGE, EXIT_IMPORT_FAILURES = 1, 2, 3


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dossier`` console script."""
    multiprocessing.freeze_support()
    if (sys.argv[1:] if argv is None else argv) == ["--self-test"]:
        from app.self_test import self_test

        return self_test()
    args = _parser().parse_args(argv)
    vars(args).setdefault("json", False)
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = PrintableStream(sys.stdout), PrintableStream(sys.stderr)  # no title rewrites a terminal
    try:
        _require_text(args)
        return args.handler(args)
    except DossierError as exc:
        details = getattr(exc, "details", "")
        message = " ".join(part for part in (str(exc), exc.cli_hint) if part)
        if getattr(args, "json", False):
            _print_json({"error": message, **({"details": details} if details else {})})
        print(f"dossier: {message}", file=sys.stderr)
        if details and hasattr(args, "verbose"):  # the bundle commands: checksums on request
            print(details if args.verbose else "(--verbose shows the checksums)", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("dossier: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        streams[1].close()
        return 0
    except (OSError, sqlite3.Error) as exc:
        problem = environmental(exc)
        if problem is None:
            raise  # a bug: its traceback is what a report needs
        print(f"dossier: {problem}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        sys.stdout, sys.stderr = streams


#: Arguments that name files: any bytes a file system allows. Every other value must be text.
_PATH_ARGUMENTS = {"archive", "paths", "out", "bundle", "file"}


def _require_text(args: argparse.Namespace) -> None:
    """Refuse an argument that is not valid UTF-8 (the shell passed raw bytes) before it reaches the store."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        if name not in _PATH_ARGUMENTS and any(isinstance(v, str) and printable(v) != v for v in values):
            what = "The query" if name == "query" else "The value of --" + name.replace("_", "-")
            raise DossierError(
                f"{what} is not valid text (it holds bytes that are not UTF-8 or control characters); retype it."
            )


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--archive",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help=f"archive folder (default: ${ENV_ARCHIVE} or the user data folder)",
    )
    common.add_argument(  # before or after the command: a subcommand's default must not undo the global flag
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    parser = argparse.ArgumentParser(
        prog="dossier",
        parents=[common],
        description="Offline research archive: import, search and inspect documents.",
        epilog="`dossier --self-test` checks that this installation works (a scratch archive; yours is untouched).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    cmd = commands.add_parser("import", parents=[common], help="import files and folders")
    cmd.add_argument("paths", nargs="+", metavar="PATH")
    cmd.add_argument(
        "--password", action="append", default=[], metavar="PW", help="password to try on encrypted PDFs (repeatable)"
    )
    cmd.add_argument("--no-ocr", action="store_true", help="do not OCR scanned pages after the import (`dossier ocr`)")
    cmd.set_defaults(handler=_import)

    cmd = commands.add_parser("ocr", parents=[common], help="OCR scanned pages and images (Tesseract)")
    cmd.add_argument("ids", type=int, nargs="*", metavar="ID", help="documents (default: all that need OCR)")
    cmd.add_argument("--force", action="store_true", help="read the given documents again (from the OCR cache)")
    cmd.add_argument("--lang", metavar="CODE", help="Tesseract language, e.g. deu or spa+eng (default: eng)")
    cmd.add_argument("--set-lang", metavar="CODE", help="remember the OCR language for later runs ('' resets)")
    cmd.set_defaults(handler=_ocr)

    cmd = commands.add_parser(
        "search",
        parents=[common],
        help="search the archive",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="query syntax:\n" + SYNTAX_HELP,
    )
    cmd.add_argument("query", help="search query (quote it in the shell)")
    cmd.add_argument("--limit", type=_positive, default=20, metavar="N", help="hits per page (default 20)")
    cmd.add_argument("--page", type=_positive, default=1, metavar="N", help="page of hits (default 1)")
    cmd.add_argument("--sort", choices=SORTS, default="relevance", help="order of hits (date: newest first)")
    cli_server.add_search_options(cmd)
    cmd.set_defaults(handler=_search)

    cmd = commands.add_parser("show", parents=[common], help="show a document's metadata (and text)")
    cmd.add_argument("id", type=int)
    cmd.add_argument("--text", action="store_true", help="include the extracted text exactly as stored")
    cmd.set_defaults(handler=_show)

    cmd = commands.add_parser("edit", parents=[common], help="change a document's title, date or source")
    cmd.add_argument("id", type=int)
    cmd.add_argument("--title", help="new title")
    cmd.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="publication date ('' clears it)")
    cmd.add_argument("--source", help="publisher or site")
    cmd.set_defaults(handler=_edit)

    cmd = commands.add_parser("cite", parents=[common], help="print a citation of a document")
    cmd.add_argument("id", type=int)
    cmd.add_argument("--page", type=_positive, metavar="N", help="page cited")
    cmd.set_defaults(handler=_cite)

    cmd = commands.add_parser(
        "suggest", parents=[common], help="jurisdictions and stances suggested for a document, or accept them"
    )
    cmd.add_argument("id", type=int, nargs="?", help="the document (or give --query with --accept-above)")
    cmd.add_argument("--query", metavar="Q", help="with --accept-above: every document the query finds")
    cmd.add_argument(
        "--accept-above",
        type=_score,
        metavar="X",
        help="accept every suggestion scoring at least X (0 to 1, e.g. 0.8), as one batch you can undo",
    )
    cmd.add_argument("--dry-run", action="store_true", help="with --accept-above: list what each document would get")
    cmd.set_defaults(handler=_suggest)

    cmd = commands.add_parser(
        "tag", parents=[common], help="tag a document, a passage or every result of a query with a jurisdiction"
    )
    cmd.add_argument("id", type=int, nargs="?", help="the document (or give --query)")
    cmd.add_argument("--query", metavar="Q", help="tag every document the query finds, as one batch you can undo")
    cmd.add_argument("--dry-run", action="store_true", help="with --query: list what each document would get")
    cmd.add_argument("--jurisdiction", required=True, metavar="J", help="an OCD id or an unambiguous name")
    cmd.add_argument("--stance", metavar="S", help="a stance id, e.g. sanctuary (see `dossier stances`)")
    cmd.add_argument("--start", type=int, metavar="N", help="passage start (character offset in the stored text)")
    cmd.add_argument("--end", type=int, metavar="M", help="passage end")
    cmd.add_argument("--remove", action="store_true", help="remove the matching tags instead")
    cmd.set_defaults(handler=_tag)

    cmd = commands.add_parser(
        "tag-batches",
        parents=[common],
        help="recent bulk taggings you can undo (`tag --query`, `suggest --accept-above`)",
    )
    cmd.set_defaults(handler=_tag_batches)

    cmd = commands.add_parser("tag-undo", parents=[common], help="remove the tags of one bulk tagging (a batch)")
    cmd.add_argument("batch", metavar="BATCH", help="the batch id `tag --query` printed (see `dossier tag-batches`)")
    cmd.set_defaults(handler=_tag_undo)

    cmd = commands.add_parser("jurisdictions", parents=[common], help="tagged jurisdictions as a tree, with counts")
    cmd.set_defaults(handler=_jurisdictions)
    cmd = commands.add_parser(
        "jurisdiction-add", parents=[common], help="add a custom jurisdiction (a school district, a police department)"
    )
    cmd.add_argument("name")
    cmd.add_argument("--level", required=True, help="e.g. 'school district', 'police department', 'tribal nation'")
    cmd.add_argument("--parent", required=True, metavar="J", help="the jurisdiction it belongs to (id or name)")
    cmd.set_defaults(handler=_jurisdiction_add)
    cmd = commands.add_parser("stances", parents=[common], help="stance vocabularies, their stances and rules")
    cmd.set_defaults(handler=_stances)

    cmd = commands.add_parser("stance-set-add", parents=[common], help="add a stance vocabulary for a topic")
    cmd.add_argument("set_id", metavar="ID")
    cmd.add_argument("--topic", required=True)
    cmd.set_defaults(handler=_stance_set_add)

    cmd = commands.add_parser(
        "stance-edit", parents=[common], help="add or change a stance: label, description, colour, rules"
    )
    cmd.add_argument("stance", metavar="SET/ID", help="e.g. immigration-enforcement/sanctuary")
    cmd.add_argument("--label")
    cmd.add_argument("--description")
    cmd.add_argument("--colour", metavar="#RRGGBB")
    cmd.add_argument(
        "--rule",
        action="append",
        metavar="KIND:PATTERN",
        help="replaces the rules (repeatable): any:WORDS, all:WORDS, phrase:TEXT or regex:EXPR",
    )
    cmd.add_argument("--no-rules", action="store_true", help="remove every rule")
    cmd.set_defaults(handler=_stance_edit)

    cmd = commands.add_parser("annotate", parents=[common], help="annotate a passage: a note, a colour, tags")
    cmd.add_argument("id", type=int)
    cmd.add_argument("--quote", metavar="TEXT", help="the passage, exactly as in `dossier show ID --text`")
    cmd.add_argument(
        "--occurrence", type=_positive, metavar="N", help="which occurrence of --quote, when it occurs several times"
    )
    cmd.add_argument("--start", type=int, metavar="N", help="passage start (instead of --quote)")
    cmd.add_argument("--end", type=int, metavar="M", help="passage end")
    cmd.add_argument("--note", default="", metavar="TEXT")
    cmd.add_argument("--colour", default="yellow", choices=COLOURS)
    cmd.add_argument("--tag", action="append", default=[], metavar="T", help="a free tag (repeatable)")
    cmd.add_argument("--jurisdiction", metavar="J")
    cmd.add_argument("--stance", metavar="S")
    cmd.add_argument(
        "--private",
        action="store_true",
        help="a private note: left out of bundles unless an export includes private notes",
    )
    cmd.set_defaults(handler=_annotate)

    cmd = commands.add_parser("annotations", parents=[common], help="annotations (of one document) as W3C JSON-LD")
    cmd.add_argument("id", type=int, nargs="?")
    which = cmd.add_mutually_exclusive_group()
    which.add_argument("--trash", action="store_true", help="the trash instead")
    which.add_argument("--review", action="store_true", help="only those whose anchoring needs a person's check")
    cmd.set_defaults(handler=_annotations)

    cmd = commands.add_parser("annotation-delete", parents=[common], help="move an annotation to the trash")
    cmd.add_argument("uuid")
    cmd.set_defaults(handler=_annotation_delete)
    cmd = commands.add_parser("annotation-restore", parents=[common], help="bring an annotation back from the trash")
    cmd.add_argument("uuid")
    cmd.set_defaults(handler=_annotation_restore)
    cmd = commands.add_parser(
        "annotation-edit", parents=[common], help="change an annotation's note, colour, tags, tag or passage"
    )
    cmd.add_argument("uuid")
    cmd.add_argument("--note", metavar="TEXT", help="the new note ('' clears it)")
    cmd.add_argument("--colour", choices=COLOURS)
    tags = cmd.add_mutually_exclusive_group()
    tags.add_argument("--tag", action="append", metavar="T", help="replaces the free tags (repeatable)")
    tags.add_argument("--no-tags", action="store_true", help="remove every free tag")
    cmd.add_argument("--jurisdiction", metavar="J", help="'' removes it (and the stance)")
    cmd.add_argument("--stance", metavar="S", help="'' removes it")
    privacy = cmd.add_mutually_exclusive_group()
    privacy.add_argument("--private", action="store_true", default=None, help="mark the note private")
    privacy.add_argument("--public", dest="private", action="store_false", help="mark the note shareable")
    cmd.add_argument("--start", type=int, metavar="N", help="place it again: new passage start")
    cmd.add_argument("--end", type=int, metavar="M", help="new passage end")
    cmd.set_defaults(handler=_annotation_edit)
    cmd = commands.add_parser(
        "annotation-resolve", parents=[common], help="settle a conflict a bundle left: keep our version or the bundle's"
    )
    cmd.add_argument("uuid", help="the bundle's version (listed by `dossier annotations --review`)")
    cmd.add_argument("--keep", required=True, choices=("ours", "theirs"))
    cmd.set_defaults(handler=_annotation_resolve)
    cmd = commands.add_parser(
        "field-resolve", parents=[common],
        help="settle a document title, date or source changed here and elsewhere: keep ours or theirs",
    )  # fmt: skip
    cmd.add_argument("conflict", type=int, help="the conflict's number (listed by `dossier annotations --review`)")
    cmd.add_argument("--keep", required=True, choices=("ours", "theirs"))
    cmd.set_defaults(handler=_field_resolve)
    cmd = commands.add_parser("empty-trash", parents=[common], help="delete trashed annotations for good")
    cmd.set_defaults(handler=_empty_trash)

    cmd = commands.add_parser(
        "reextract", parents=[common], help="extract texts again from the originals and re-anchor annotations"
    )
    cmd.add_argument("ids", type=int, nargs="*", metavar="ID", help="documents (default: all)")
    cmd.add_argument("--password", action="append", default=[], metavar="PW", help="for encrypted PDFs (repeatable)")
    cmd.set_defaults(handler=_reextract)

    cmd = commands.add_parser("export", parents=[common], help="export documents with their tags and annotations")
    scope = cmd.add_mutually_exclusive_group(required=True)
    scope.add_argument("--query", metavar="Q", help="every document matching a search")
    scope.add_argument("--ids", metavar="ID,...", help="these documents")
    scope.add_argument("--all", action="store_true", help="the whole archive")
    cmd.add_argument("--out", required=True, metavar="FILE.zip")
    cmd.add_argument("--force", action="store_true", help="replace FILE.zip if it exists")
    cmd.add_argument(
        "--include-private-notes",
        action="store_true",
        help="put notes marked private in the bundle's annotations (never in its report or CSV); default: left out",
    )
    cmd.add_argument("--no-private-notes", action="store_true", help=argparse.SUPPRESS)  # the default now
    cmd.set_defaults(handler=_export)

    damaged = argparse.ArgumentParser(add_help=False)
    damaged.add_argument("--verbose", action="store_true", help="with a damaged bundle: each file's checksums")
    cmd = commands.add_parser(
        "import-bundle", parents=[common, damaged], help="verify a bundle, then merge it into the archive"
    )
    cmd.add_argument("bundle", metavar="FILE.zip")
    cmd.add_argument(
        "--known-signers-only", action="store_true", help="refuse the bundle unless a key you trust signed it"
    )
    cmd.add_argument(
        "--password", action="append", default=[], metavar="PW", help="password of an encrypted PDF (repeatable)"
    )
    cmd.set_defaults(handler=_import_bundle)
    cmd = commands.add_parser("verify-bundle", parents=[common, damaged], help="check a bundle without importing it")
    cmd.add_argument("bundle", metavar="FILE.zip")
    cmd.set_defaults(handler=_verify_bundle)

    cmd = commands.add_parser("config", parents=[common], help="your settings, e.g. the name bundles are signed with")
    cmd.add_argument("key", nargs="?", choices=["sign-as"], help="sign-as: the name your bundles give (default none)")
    cmd.add_argument("value", nargs="?", help="the new value ('' clears it)")
    cmd.set_defaults(handler=_config)
    cli_keys.add_commands(commands, common)
    cli_map.add_commands(commands, common)
    cli_timeline.add_commands(commands, common)
    cli_server.add_commands(commands, common)

    cmd = commands.add_parser("reindex", parents=[common], help="rebuild the search index from the store")
    cmd.add_argument(
        "--resume", action="store_true", help="only index the documents still waiting (after an upgrade or a stop)"
    )
    cmd.set_defaults(handler=_reindex)
    cmd = commands.add_parser(
        "check", parents=[common], help="verify store, originals and index agree; repair what can be repaired"
    )
    cmd.add_argument(
        "--deep", action="store_true", help="also extract every original again and list stored texts that differ (slow)"
    )
    cmd.add_argument(
        "--password", action="append", default=[], metavar="PW", help="with --deep: password of encrypted PDFs"
    )
    cmd.set_defaults(handler=_check)
    cmd = commands.add_parser("stats", parents=[common], help="counts and sizes")
    cmd.set_defaults(handler=_stats)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _score(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("is a score from 0 to 1, e.g. 0.8")
    return number


def _date(value: str) -> date | str:
    if value == "":
        return ""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: write YYYY-MM-DD, or '' to clear it") from exc


def _archive(args: argparse.Namespace, shared: bool = False) -> Archive:
    return Archive.open(resolve_archive(getattr(args, "archive", None)), shared=shared)


def _import(args: argparse.Namespace) -> int:
    with _archive(args) as archive, _ProgressBar("importing", "file") as bar:
        report = archive.import_paths(
            args.paths, passwords=args.password, progress=lambda p: bar.update(p.done, p.total, p.path)
        )
    if not args.json:
        print(
            f"{len(report.imported)} imported, {wording.count(len(report.duplicates), 'duplicate')}, "
            f"{len(report.skipped)} skipped, {len(report.failed)} failed"
        )
        for entry in report.imported:
            note = "  (no text layer: needs OCR)" if entry.get("needs_ocr") else ""
            note += f"  ({entry['cut']})" if entry.get("cut") else ""
            print(f"  imported   #{entry['id']}  {entry['path']}{note}")
        for entry in report.duplicates:
            print(f"  duplicate  of #{entry['id']}  {entry['path']}")
        for entry in report.skipped:
            print(f"  skipped    {entry['path']}: {entry['reason']}")
        for entry in report.failed:
            hint = " (import it again with --password PW)" if entry.get("needs_password") else ""
            print(f"  FAILED     {entry['path']}: {entry['error']}{hint}")
    scans = _needing_ocr(args, [entry["id"] for entry in report.imported])
    out = report.to_json()
    if scans and not args.no_ocr and not report.cancelled:
        _run_ocr(args, scans, into=out)
    elif scans and not args.json:
        print(f"{wording.count(len(scans), 'document')} need OCR: `dossier ocr` reads them")
    if args.json:  # one object, the OCR that followed under "ocr"
        _print_json(out)
    return EXIT_IMPORT_FAILURES if report.failed else 0


def _needing_ocr(args: argparse.Namespace, ids: list[int]) -> list[int]:
    if not ids:
        return []
    with _archive(args, shared=True) as archive:
        return archive.documents_needing_ocr(ids)


def _ocr(args: argparse.Namespace) -> int:
    if args.set_lang is not None:
        print(f"OCR language: {settings.set_ocr_language(args.set_lang) or 'eng (the default)'}")
    return _run_ocr(args, args.ids or None, force=args.force, language=args.lang)


def _run_ocr(
    args: argparse.Namespace,
    ids: list[int] | None,
    force: bool = False,
    language: str | None = None,
    into: dict | None = None,
) -> int:
    """OCR with a progress line ("OCR: page 12 of 40") on stderr; Ctrl-C stops between pages, keeping what is read.
    With ``into`` (an import's JSON), the JSON report goes under its "ocr" key instead of being printed."""
    from indexer.ocr import OcrUnavailable, engine

    try:
        engine(language or settings.ocr_language())
    except OcrUnavailable as exc:
        print(f"dossier: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    interrupted = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.set())

    def line(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rOCR: page {min(done + 1, total)} of {total}", end="", file=sys.stderr, flush=True)

    try:
        with _archive(args) as archive:
            if ids is not None and not force:
                ids = archive.documents_needing_ocr(ids)
            if not args.json:
                count = len(ids) if ids is not None else len(archive.documents_needing_ocr())
                print(f"OCR of {wording.count(count, 'document')} (Ctrl-C stops; `dossier ocr` goes on later)")
            report = archive.ocr(ids, force=force, language=language, progress=line, cancel=interrupted.is_set)
    finally:
        signal.signal(signal.SIGINT, previous)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    if args.json and into is not None:
        into["ocr"] = report.to_json()
    elif args.json:
        _print_json({"ocr": report.to_json()})
    else:
        state = "cancelled: " if report.cancelled else ""
        print(
            f"OCR {state}{report.read} of {wording.count(report.documents, 'document')} read with {report.engine}: "
            f"{report.pages_ocr} pages read, {report.pages_cached} from the cache"
        )
        for entry in report.failed:
            print(f"  FAILED #{entry['id']} page {entry['page']}: {entry['error']}")
    return EXIT_FAILURE if report.failed else 0


def _search(args: argparse.Namespace) -> int:
    if args.server:
        return cli_server.search(args)
    with _archive(args, shared=True) as archive:
        try:
            result = archive.search(args.query, page=args.page, page_size=args.limit, sort=args.sort)
        except BadQuery as exc:
            raise BadQuery(f"{exc} Query syntax: `dossier search --help`.") from exc
    if args.json:
        _print_json(result.to_json())
        return 0
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.unindexed:
        print(
            f"warning: {wording.count(result.unindexed, 'document')} not searchable yet (the index is being "
            "rebuilt); `dossier reindex --resume` finishes it now",
            file=sys.stderr,
        )
    first = (result.page - 1) * args.limit
    print(
        f"{wording.count(result.total, 'document')} {'matches' if result.total == 1 else 'match'} {args.query!r}"
        + (f" (showing {first + 1}-{first + len(result.hits)})" if result.hits else "")
    )
    for hit in result.hits:
        date = hit.published.isoformat() if hit.published else "undated"
        print(f"\n#{hit.id}  {hit.title}  [{hit.kind}, {date}]")
        print("    " + _terminal_snippet(hit.snippet))
    facets = {name: counts for name, counts in result.facets.items() if counts}
    if facets:
        print()
        for name, counts in facets.items():
            print(f"{name}: " + ", ".join(f"{value} ({count})" for value, count in list(counts.items())[:10]))
    return 0


def _show(args: argparse.Namespace) -> int:
    with _archive(args, shared=True) as archive:
        doc = archive.document(args.id)
        data = doc.to_json()
        data["original"] = str(archive.original_path(doc.id))
        data["tags"] = _tags_json(archive, archive.tags(doc.id))
        data.update({name: [item.to_json() for item in items] for name, items in archive.related(doc.id).items()})
        if doc.metadata.get("ocr"):  # scanned pages read by OCR: which engine, version and language
            data["text_from_ocr"] = {"engine": doc.metadata["ocr"], "pages": doc.metadata.get("ocr_pages", "")}
        if args.text:
            data["text"] = archive.text(doc.id)
            data["page_spans"] = archive.page_spans(doc.id)
    if args.json:
        _print_json(data)
        return 0
    for key, value in data.items():
        if key not in ("text", "page_spans", "metadata", "tags", *RELATED_LISTS) and value not in (None, ""):
            print(f"{key:12} {value}")
    for key, value in data["metadata"].items():
        print(f"{key:12} {value}")
    print(f"{'tags':12} {wording.count(len(data['tags']), 'tag') if data['tags'] else 'none'}")
    for tag in data["tags"]:
        stance = f": {tag['stance_label']}" if tag["stance"] else ""
        passage = f" on “{_short(tag['quote'], 60)}”" if tag["quote"] else " (whole document)"
        print(f"  {tag['jurisdiction_name']}{stance}{passage}")
    for name in RELATED_LISTS:
        if data[name]:  # titled apart from the metadata lines of the same name (the attachments' file names)
            print(_RELATED_TITLES[name])
            for item in data[name]:
                where = f"  ({item['member_path']})" if item["member_path"] else ""
                print(f"  #{item['id']}  {item['title']}  [{item['kind']}]{where}")
    if args.text:
        print()
        sys.stdout.write(data["text"] + "\n")
    return 0


_RELATED_TITLES = {
    "attached_to": "attached to",
    "contained_in": "inside",
    "attachments": "attachment documents",
    "members": "member documents",
    "thread": "messages of the thread",
}


def _tags_json(archive: Archive, tags: list) -> list[dict]:
    """Tags as `show` lists them: each stored tag plus the names a person reads."""
    labels = stance_labels(archive.stance_sets())
    out = []
    for tag in tags:
        place = archive.gazetteer.get(tag.jurisdiction)
        name = place.display if place else tag.jurisdiction
        label = labels.get(f"{tag.stance_set}/{tag.stance}", tag.stance) if tag.stance else None
        out.append({**tag.to_json(), "jurisdiction_name": name, "stance_label": label})
    return out


def _edit(args: argparse.Namespace) -> int:
    values: dict[str, object] = {}
    if args.title is not None:
        values["title"] = args.title
    if args.date is not None:
        values["published"] = args.date or None
    if args.source is not None:
        values["site"] = args.source
    if not values:
        print("dossier edit: give --title, --date or --source", file=sys.stderr)
        return EXIT_USAGE
    with _archive(args) as archive:
        doc = archive.update_metadata(args.id, **values)
    if args.json:
        _print_json(doc.to_json())
    else:
        when = doc.published.isoformat() if doc.published else "undated"
        print(f"#{doc.id}  {doc.title}  [{when}, {doc.site or 'no source'}]")
    return 0


def _cite(args: argparse.Namespace) -> int:
    with _archive(args, shared=True) as archive:
        text = citation(archive.document(args.id), args.page)
    _print_json({"id": args.id, "citation": text}) if args.json else print(text)
    return 0


def _suggest(args: argparse.Namespace) -> int:
    if args.accept_above is not None:
        return _accept_suggestions(args)
    if args.id is None or args.query is not None or args.dry_run:
        print("dossier suggest: give a document ID; --query and --dry-run go with --accept-above X", file=sys.stderr)
        return EXIT_USAGE
    with _archive(args, shared=True) as archive:
        found = archive.suggest(args.id)
        data = {
            "jurisdictions": [
                {
                    "id": s.jurisdiction.id,
                    "name": s.jurisdiction.display,
                    "level": s.jurisdiction.level,
                    "score": round(s.score, 3),
                    "evidence": [_evidence(e) for e in s.evidence],
                }
                for s in found.jurisdictions
            ],
            "stances": [
                {
                    "jurisdiction": s.jurisdiction,
                    "stance": s.stance,
                    "stance_set": s.stance_set,
                    "score": round(s.score, 3),
                    "evidence": [_evidence(e) for e in s.evidence],
                }
                for s in found.stances
            ],
        }
        known = {s["jurisdiction"]: archive.gazetteer.get(s["jurisdiction"]) for s in data["stances"]}
        known = {jid: place or found.proposed.get(jid) for jid, place in known.items()}
        names = {jid: (place.display if place else jid) for jid, place in known.items()}
    if args.json:
        _print_json(data)
        return 0
    print(f"jurisdictions suggested for #{args.id}:" if data["jurisdictions"] else "no jurisdictions suggested")
    for item in data["jurisdictions"]:
        print(f"  {item['score']:.2f}  {item['name']}  [{item['level']}]  {item['id']}")
        first = item["evidence"][0]
        print(f"        {'in the title: ' if first['field'] == 'title' else ''}{_quoted(first['quote'])}")
    if data["stances"]:
        print("stances suggested:")
    for item in data["stances"]:
        print(f"  {item['score']:.2f}  {names[item['jurisdiction']]}: {item['stance']}")
        why = item["evidence"][0]
        if why.get("actor"):
            print(f"        held by {_quoted(why['actor'])} ({why.get('how', '')}), cue {_quoted(why.get('cue', ''))}")
        print(f"        {_quoted(why['quote'])}")
    return 0


def _accept_suggestions(args: argparse.Namespace) -> int:
    """`suggest --accept-above X`: the preview (--dry-run), or the batch with a summary and how to undo it."""
    if (args.id is None) == (args.query is None):
        print("dossier suggest: give a document ID or --query Q (to accept for every result)", file=sys.stderr)
        return EXIT_USAGE
    with _archive(args, shared=args.dry_run) as archive:
        ids = [args.id] if args.query is None else _query_ids(archive, args.query)
        return _preview_or_apply(args, archive, archive.plan_suggestions(ids, args.accept_above))


def _evidence(evidence) -> dict:
    out = {"start": evidence.start, "end": evidence.end, "quote": evidence.quote, "field": evidence.field}
    for why in ("actor", "cue", "how"):  # a stance's evidence says who holds it and which words say so
        if getattr(evidence, why, ""):
            out[why] = getattr(evidence, why)
    return out


def _quoted(quote: str) -> str:
    text = _short(quote)
    return text if text[:1] in "“\"'‘" else f"“{text}”"


def _short(quote: str, limit: int = 110) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1] + "…"


def _tag(args: argparse.Namespace) -> int:
    if (args.id is None) == (args.query is None):
        print("dossier tag: give a document ID or --query Q (to tag every result)", file=sys.stderr)
        return EXIT_USAGE
    if args.query is not None:
        if args.remove or args.start is not None or args.end is not None:
            print("dossier tag: --query tags whole documents; --remove, --start and --end take an ID", file=sys.stderr)
            return EXIT_USAGE
        return _tag_query(args)
    if args.dry_run:
        print("dossier tag: --dry-run previews a --query tagging", file=sys.stderr)
        return EXIT_USAGE
    with _archive(args) as archive:
        if args.remove:
            removed = archive.untag(args.id, args.jurisdiction, args.stance, start=args.start, end=args.end)
            _print_json({"removed": removed}) if args.json else print(f"removed {wording.count(removed, 'tag')}")
            return 0
        tag = archive.tag(args.id, args.jurisdiction, args.stance, start=args.start, end=args.end)
        name = archive.gazetteer.get(tag.jurisdiction).display
    if args.json:
        _print_json(tag.to_json())
    else:
        passage = f" on “{_short(tag.quote, 60)}”" if tag.quote else ""
        print(f"#{tag.doc_id} tagged {name}{': ' + tag.stance if tag.stance else ''}{passage}")
    return 0


def _understood(archive: Archive, query: str, done: str) -> list[int]:
    """The ids a query matches, refused when part of it was left out: a mistyped clause would otherwise widen
    a write to documents the user never meant (``kind:pfd`` matching the whole archive)."""
    found = archive.search_ids(query)
    if found.warnings:
        raise DossierError(
            f"Part of the query {query!r} was not understood, so nothing was {done}: "
            + " ".join(found.warnings)
            + " Fix the query (`dossier search --help` lists the syntax) and try again."
        )
    return found.ids


def _tag_query(args: argparse.Namespace) -> int:
    """`tag --query`: the preview (--dry-run), or the batch with a summary and how to undo it."""
    with _archive(args, shared=args.dry_run) as archive:
        ids = _query_ids(archive, args.query)
        return _preview_or_apply(args, archive, archive.plan_tags(ids, args.jurisdiction, args.stance))


def _query_ids(archive: Archive, query: str) -> list[int]:
    """The documents a bulk tagging's query finds, refused when it finds none or is not understood in full."""
    ids = _understood(archive, query, "tagged")
    if not ids:
        raise DossierError(f"No document matches {query!r}: nothing was tagged. Try the search with "
                           "`dossier search` first.")  # fmt: skip
    return ids


def _preview_or_apply(args: argparse.Namespace, archive: Archive, plan) -> int:
    """Print a bulk tagging's plan (--dry-run), or apply it with a progress bar and say how to undo it."""
    if args.dry_run:
        _print_json(plan.to_json()) if args.json else _print_plan(plan)
        return 0
    with _ProgressBar("tagging", "doc") as bar:
        result = archive.apply_plan(plan, progress=lambda p: bar.update(p.done, p.total, p.title))
    if args.json:
        _print_json(result.to_json())
    else:
        print(result.summary())
        if result.tagged:
            print(f"batch {result.batch}: `dossier tag-undo {result.batch}` removes these tags again")
    return 0


def _print_plan(plan) -> None:
    for entry in plan.entries:
        print(f"  #{entry.doc_id:<6} {_short(entry.title, 70):72} {entry.reason or '+ ' + entry.label}")
    unchanged = len(plan.entries) - len(plan.to_tag)
    print(
        f"would tag {wording.count(len(plan.to_tag), 'document')} with {plan.label}"
        + (f"; {unchanged:,} unchanged" if unchanged else "")
        + " (dry run: nothing was written)"
    )


def _tag_batches(args: argparse.Namespace) -> int:
    with _archive(args, shared=True) as archive:
        batches = archive.tag_batches()
    if args.json:
        _print_json([b.to_json() for b in batches])
        return 0
    if not batches:
        print("no batch to undo (`dossier tag --query Q --jurisdiction J` makes one)")
    for batch in batches:
        print(f"  {batch.batch}  {batch.created_at}  {wording.count(batch.documents, 'document'):>14}  {batch.label}")
    return 0


def _tag_undo(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        try:
            undone = archive.undo_batch(args.batch)
        except UnknownBatch as exc:
            raise DossierError(f"{exc} `dossier tag-batches` lists the batches there are.") from None
    _print_json(undone.to_json()) if args.json else print(undone.summary())
    return 0


def _jurisdictions(args: argparse.Namespace) -> int:
    with _archive(args, shared=True) as archive:
        counts = archive.jurisdiction_counts()
        gazetteer = archive.gazetteer
        places = {jid: gazetteer.get(jid) for jid in counts if gazetteer.get(jid) is not None}
        counts = {jid: count for jid, count in counts.items() if jid in places}
    children: dict[str | None, list[str]] = {}
    for jid, place in places.items():
        parent = place.parent if place.parent in places else None
        children.setdefault(parent, []).append(jid)

    def tree(parent: str | None) -> list[dict]:
        kids = sorted(children.get(parent, []), key=lambda j: (-counts[j], places[j].display))
        return [
            {"id": j, "name": places[j].display, "level": places[j].level, "documents": counts[j], "children": tree(j)}
            for j in kids
        ]

    roots = tree(None)
    if args.json:
        _print_json(roots)
        return 0
    if not roots:
        print("no jurisdictions tagged yet (see `dossier suggest ID` and `dossier tag`)")

    def show(nodes: list[dict], depth: int) -> None:
        for node in nodes:
            print(f"{'  ' * depth}{node['name']}  ({node['documents']})")
            show(node["children"], depth + 1)

    show(roots, 0)
    return 0


def _jurisdiction_add(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        added = archive.add_jurisdiction(args.name, args.level, args.parent)
    if args.json:
        _print_json({"id": added.id, "name": added.display, "level": added.level, "parent": added.parent})
    else:
        print(f"added {added.display} ({added.level}): {added.id}")
    return 0


def _stances(args: argparse.Namespace) -> int:
    with _archive(args, shared=True) as archive:
        sets = archive.stance_sets()
        counts = archive.stance_counts()
    data = [
        {
            "id": s.id,
            "topic": s.topic,
            "stances": [
                {
                    "id": st.id,
                    "label": st.label,
                    "description": st.description,
                    "colour": st.colour,
                    "documents": counts.get((s.id, st.id), 0),
                    "rules": [{"kind": r.kind, "pattern": r.pattern} for r in st.rules],
                }
                for st in s.stances
            ],
        }
        for s in sets
    ]
    if args.json:
        _print_json(data)
        return 0
    for stance_set in data:
        print(f"{stance_set['topic']}  [{stance_set['id']}]")
        for stance in stance_set["stances"]:
            print(f"  {stance['id']:16} {stance['label']} ({stance['documents']}): {stance['description']}")
    return 0


def _stance_set_add(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        added = archive.add_stance_set(args.set_id, args.topic)
    _print_json({"id": added.id, "topic": added.topic}) if args.json else print(f"added {added.id}: {added.topic}")
    return 0


def _stance_edit(args: argparse.Namespace) -> int:
    set_id, _, stance_id = args.stance.partition("/")
    if not stance_id:
        print("dossier stance-edit: name the stance as SET/ID, e.g. generic/supports", file=sys.stderr)
        return EXIT_USAGE
    rules = None
    if args.rule or args.no_rules:
        rules = [parse_rule(text) for text in args.rule or []]
    with _archive(args) as archive:
        current = next(
            (s for ss in archive.stance_sets() for s in ss.stances if (s.set_id, s.id) == (set_id, stance_id)), None
        )
        if current is None and not args.label:
            raise DossierError(f"{args.stance} is a new stance: give it a --label.")
        stance = archive.save_stance(
            set_id,
            stance_id,
            args.label or current.label,
            args.description if args.description is not None else (current.description if current else ""),
            args.colour or (current.colour if current else "#9e9e9e"),
            rules,
        )
    if args.json:
        _print_json({**asdict(stance), "key": stance.key})
    else:
        print(f"{stance.key}: {stance.label} ({wording.count(len(stance.rules), 'rule')})")
    return 0


def _annotate(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        made = archive.annotate(
            args.id,
            start=args.start,
            end=args.end,
            quote=args.quote,
            occurrence=args.occurrence,
            note=args.note,
            colour=args.colour,
            tags=args.tag,
            jurisdiction=args.jurisdiction,
            stance=args.stance,
            private=args.private,
        )
        sha = archive.document(args.id).sha256
    if args.json:
        _print_json(made.to_w3c(sha))
    else:
        print(f"{made.uuid}  #{made.doc_id} {made.start}-{made.end}  “{_short(made.exact, 80)}”")
    return 0


def _annotations(args: argparse.Namespace) -> int:
    with _archive(args, shared=True) as archive:
        found = archive.annotations(args.id, trash=args.trash, review=args.review)
        hashes = {doc.id: doc.sha256 for doc in archive.documents_by_id({a.doc_id for a in found}).values()}
        fields = archive.metadata_conflicts(args.id) if args.review else []
    if args.json:
        _print_json([a.to_w3c(hashes[a.doc_id]) for a in found])
        return 0
    for c in fields:  # the review list holds document fields changed on both sides too
        print(f"field conflict {c.id}  #{c.doc_id} {c.theirs.name}  [needs review]")
        print(f"    ours: {_short(str(c.ours))}")
        print(f"    theirs: {_short(str(c.theirs.value))}")
        print(f"    review: {c.review} (`dossier field-resolve {c.id} --keep ours|theirs`)")
    if not found and not fields:
        print("no annotations")
    for a in found:
        extra = "".join(
            f"  [{label}]"
            for label in (
                a.colour,
                "private" if a.private else "",
                *a.tags,
                a.stance or "",
                "needs review" if a.review else "",
            )
            if label
        )
        print(f"{a.uuid}  #{a.doc_id} {a.start}-{a.end}{' p.' + str(a.page) if a.page else ''}{extra}")
        print(f"    “{_short(a.exact)}”")
        if a.note:
            print(f"    note: {_short(a.note)}")
        if a.review:
            print(f"    review: {a.review}")
    return 0


def _annotation_delete(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        gone = archive.delete_annotation(args.uuid)
    _print_json(gone.to_json()) if args.json else print(
        f"moved {gone.uuid} to the trash (annotation-restore undoes it)"
    )
    return 0


def _annotation_restore(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        back = archive.restore_annotation(args.uuid)
    _print_json(back.to_json()) if args.json else print(f"restored {back.uuid}")
    return 0


def _annotation_edit(args: argparse.Namespace) -> int:
    changes = {
        name: value
        for name, value in (
            ("note", args.note),
            ("colour", args.colour),
            ("tags", [] if args.no_tags else args.tag),
            ("private", args.private),
            ("start", args.start),
            ("end", args.end),
        )
        if value is not None
    }
    if args.jurisdiction is not None:
        changes["jurisdiction"] = args.jurisdiction or None
        if not args.jurisdiction:
            changes["stance"] = None
    if args.stance is not None:
        changes["stance"] = args.stance or None
    if not changes:
        raise DossierError("Nothing to change: give --note, --colour, --tag, --jurisdiction, --stance, --private, ...")
    with _archive(args) as archive:
        edited = archive.update_annotation(args.uuid, **changes)
    _print_json(edited.to_json()) if args.json else print(f"{edited.uuid} is now at revision {edited.revision}")
    return 0


def _annotation_resolve(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        settled = archive.resolve_conflict(args.uuid, args.keep)
    which = "our" if args.keep == "ours" else "the bundle's"
    _print_json(settled.to_json()) if args.json else print(
        f"{settled.uuid} keeps {which} version (revision {settled.revision}); the other version is deleted"
    )
    return 0


def _field_resolve(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        doc = archive.resolve_metadata_conflict(args.conflict, args.keep)
    _print_json(doc.to_json()) if args.json else print(f"#{doc.id} keeps {args.keep}: “{_short(doc.title, 80)}”")
    return 0


def _empty_trash(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        purged = archive.empty_trash()
    _print_json({"purged": purged}) if args.json else print(f"deleted {wording.count(purged, 'annotation')} for good")
    return 0


def _reextract(args: argparse.Namespace) -> int:
    with _archive(args) as archive, _ProgressBar("re-extracting", "doc") as bar:
        report = archive.reextract(
            args.ids or None, passwords=args.password, progress=lambda done, total: bar.update(done, total)
        )
    if args.json:
        _print_json(report.to_json())
    else:
        print(
            f"{wording.count(report.documents, 'document')}, {report.changed} with a changed text; "
            f"annotations: {report.kept} kept, "
            f"{report.moved} re-anchored, {len(report.review)} to review (`dossier annotations --review`)"
        )
        if report.tags_review:
            print(
                f"  {wording.count(len(report.tags_review), 'passage tag')} not found in the new text, "
                "kept as they were: check them in the documents' Tags"
            )
        for entry in report.failed:
            print(f"  FAILED #{entry['id']}: {entry['error']}")
    return EXIT_FAILURE if report.failed else 0


def _export(args: argparse.Namespace) -> int:
    from app.bundles.export import export_bundle

    signed_as = settings.sign_as() or ""
    if args.no_private_notes:
        print("dossier export: --no-private-notes is no longer needed: private notes are left out by default "
              "(--include-private-notes puts them in)", file=sys.stderr)  # fmt: skip
    with _archive(args, shared=True) as archive:
        if args.all:
            ids, scope = sorted(archive.search_ids("").ids), "all documents"
        elif args.ids:
            try:
                ids = [int(part) for part in args.ids.split(",") if part.strip()]
            except ValueError:
                print("dossier export: --ids takes numbers separated by commas, e.g. --ids 3,17,42", file=sys.stderr)
                return EXIT_USAGE
            scope = f"documents {args.ids}"
        else:
            ids, scope = _understood(archive, args.query, "exported"), args.query
            if not ids:
                raise DossierError(f"No document matches {args.query!r}: nothing was exported. Try the search "
                                   "with `dossier search`, or export --ids or --all.")  # fmt: skip
        with _ProgressBar("exporting", "doc") as bar:
            report = export_bundle(
                archive,
                ids,
                Path(args.out),
                query=scope,
                include_private_notes=args.include_private_notes,
                overwrite=args.force,
                signed_as=signed_as,
                progress=lambda done, total: bar.update(done, total),
            )
    if args.json:
        _print_json(report.to_json())
    else:
        print(
            f"wrote {report.path}: {wording.count(report.documents, 'document')}, "
            f"{wording.count(report.annotations, 'annotation')}, {wording.count(report.tags, 'tag')}; "
            + (
                "private notes included (in annotations.jsonld only)"
                if args.include_private_notes
                else f"{wording.count(report.private_notes_left_out, 'private note')} left out"
            )
        )
        print(
            f"signed as {signed_as}"
            if signed_as
            else "unsigned (no exporter named): `dossier config sign-as NAME` names you in your bundles"
        )
    return 0


def _config(args: argparse.Namespace) -> int:
    if args.value is not None:
        if args.key is None:
            print("dossier config: name the setting, e.g. dossier config sign-as 'Jane Doe'", file=sys.stderr)
            return EXIT_USAGE
        settings.set_sign_as(args.value)
    value = settings.sign_as()
    if args.json:
        _print_json({"sign-as": value})
    else:
        shown = value or ("none (bundles are unsigned)" if value == "" else "not set (bundles are unsigned)")
        print(f"sign-as: {shown}")
    return 0


def _import_bundle(args: argparse.Namespace) -> int:
    from app.bundles.merge import import_bundle

    with _archive(args) as archive, _ProgressBar("merging", "doc") as bar:
        report = import_bundle(
            archive,
            Path(args.bundle),
            progress=lambda done, total: bar.update(done, total),
            known_signers_only=args.known_signers_only,
            passwords=args.password,
        )
    if args.json:
        _print_json(report.to_json())
        return 0
    print(f"{args.bundle}: {_signer_line(report.signer)}")
    print(
        f"documents: {len(report.documents_added)} added, {len(report.documents_existing)} already here; "
        f"annotations: {report.annotations_added} added, {report.annotations_updated} updated, "
        f"{report.annotations_unchanged} unchanged, {wording.count(len(report.conflicts), 'conflict')}; "
        f"tags: {report.tags_added} added, {report.tags_existing} already here"
    )
    for title in report.texts_not_taken:
        print(f"  TEXT NOT TAKEN “{title}”: the bundle's text differs from what Dossier extracts from the original "
              "(another version of Dossier, or an altered bundle); the original's text was stored and the annotations "
              "placed on it (any not found are listed for review: `dossier annotations --review`)")  # fmt: skip
    for conflict in report.conflicts:
        print(
            f"  CONFLICT {conflict['uuid']}: “{conflict['quote']}”\n    both sides changed it; the bundle's version "
            f"is kept as {conflict['copy']}: choose with `dossier annotation-resolve {conflict['copy']} "
            "--keep ours|theirs`"
        )
    if not report.changed:
        print("nothing new: this bundle was already merged")
    return 0


def _verify_bundle(args: argparse.Namespace) -> int:
    from app.bundles.verify import verify_bundle

    with verify_bundle(Path(args.bundle)) as bundle:
        summary = {
            "ok": True,
            "documents": len(bundle.documents["documents"]),
            "annotations": len(bundle.annotations.get("items", [])),
            "info": bundle.info,
            "signer": bundle.signer.to_json(),
        }
    if args.json:
        _print_json(summary)
    else:
        print(
            f"{args.bundle}: complete and unaltered; {wording.count(summary['documents'], 'document')}, "
            f"{wording.count(summary['annotations'], 'annotation')}; {_signer_line(bundle.signer)}"
        )
        for key, value in bundle.info.items():
            print(f"  {key}: {value}")
    return 0


def _signer_line(signer) -> str:
    """Who signed a bundle, with what to do about an unknown key."""
    if signer.status != "unknown":
        return signer.describe()
    return (
        f"{signer.describe()}; if you have checked that key ID with the sender, "
        "`dossier trust-key FILE.zip --name NAME` trusts it"
    )


def _reindex(args: argparse.Namespace) -> int:
    with _archive(args) as archive, _ProgressBar("indexing", "doc") as bar:
        rebuild = archive.index_pending if args.resume else archive.reindex
        indexed = rebuild(progress=lambda done, total: bar.update(done, total))
    _print_json({"indexed": indexed}) if args.json else print(f"indexed {wording.count(indexed, 'document')}")
    return 0


def _check(args: argparse.Namespace) -> int:
    with _archive(args) as archive, _ProgressBar("verifying", "file") as bar:
        report = archive.check(
            progress=lambda done, total: bar.update(done, total), deep=args.deep, passwords=args.password
        )
    if args.json:
        _print_json(report.to_json())
    else:
        print(f"{wording.count(report.documents, 'document')} checked")
        lines = {
            "index rebuilt (schema changed or damaged)": report.index_rebuilt,
            f"added to the index: {report.missing_from_index}": report.missing_from_index,
            f"removed from the index: {report.stale_in_index}": report.stale_in_index,
            f"orphan originals removed: {len(report.orphan_blobs_removed)}": report.orphan_blobs_removed,
            f"MISSING originals for documents {report.missing_blobs}": report.missing_blobs,
            f"CORRUPT originals for documents {report.corrupt_blobs} (re-import them)": report.corrupt_blobs,
        }
        for line, show in lines.items():
            if show:
                print("  " + line)
        for entry in report.texts_differ:
            print(
                f"  TEXT DIFFERS from its original: document {entry['id']} “{entry['title']}”: stored "
                f"{entry['stored_chars']:,} characters, the original gives {entry['original_chars']:,}; first "
                f"difference at character {entry['first_difference']:,}: stored “{one_line(entry['stored'])}”, "
                f"original “{one_line(entry['original'])}” (`dossier reextract {entry['id']}` stores the original's)"
            )
        for entry in report.texts_unchecked:
            print(f"  not compared: document {entry['id']} “{entry['title']}”: {entry['error']}")
        print("archive is consistent" if report.ok else "problems remain: see above")
    return 0 if report.ok else EXIT_FAILURE


def _stats(args: argparse.Namespace) -> int:
    with _archive(args, shared=True) as archive:
        stats = archive.stats()
    if args.json:
        _print_json(stats)
    else:
        for key, value in stats.items():
            print(f"{key:18} {value}")
    return 0


def _terminal_snippet(snippet: str) -> str:
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("[", "]")
    text = re.sub(r"<mark>(.*?)</mark>", lambda m: bold + m.group(1) + plain, snippet)
    return " ".join(html.unescape(text).split())


class _ProgressBar:
    """A tqdm bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, action: str, unit: str) -> None:
        self.action, self.unit, self.bar = action, unit, None
        self.enabled = sys.stderr.isatty()

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.close()

    def update(self, done: int, total: int, current: str = "") -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            stderr = getattr(sys.stderr, "stream", sys.stderr)  # the bar's own \r, not made printable
            self.bar = tqdm(total=total, desc=self.action, unit=self.unit, file=stderr, leave=False)
        self.bar.total = total
        self.bar.n = done
        if current:
            self.bar.set_postfix_str(printable(current[-40:]), refresh=False)
        self.bar.refresh()


if __name__ == "__main__":
    sys.exit(main())
