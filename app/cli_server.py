"""The command line's newsroom server commands: ``server init|project-add|member-add``, ``sync``, ``pull``,
and the server half of ``search --server``."""

from __future__ import annotations

import argparse
import sys

from app import wording
from app.archive import Archive
from app.errors import DossierError
from app.paths import resolve_archive
from app.printable import one_line, print_json

INSECURE_HELP = "allow an sslmode weaker than verify-full for a server on another machine (not recommended)"


def add_commands(commands, common: argparse.ArgumentParser) -> None:
    """Add ``server``, ``sync`` and ``pull``."""
    cmd = commands.add_parser("server", parents=[common], help="set up a newsroom server (PostgreSQL)")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub = actions.add_parser("init", parents=[common], help="create or upgrade the Dossier schema in a database")
    sub.add_argument("url", metavar="URL", help="postgresql://ADMIN@HOST/DATABASE (password in ~/.pgpass)")
    sub.add_argument("--insecure-tls", action="store_true", help=INSECURE_HELP)
    sub.set_defaults(handler=_init)
    sub = actions.add_parser("project-add", parents=[common], help="create a project (a shared collection)")
    sub.add_argument("url", metavar="URL")
    sub.add_argument("project", metavar="NAME")
    sub.add_argument("--insecure-tls", action="store_true", help=INSECURE_HELP)
    sub.set_defaults(handler=_project_add)
    sub = actions.add_parser("member-add", parents=[common], help="let a person's PostgreSQL role use a project")
    sub.add_argument("url", metavar="URL")
    sub.add_argument("project", metavar="NAME")
    sub.add_argument("role", metavar="ROLE", help="an existing login role (createuser --pwprompt NAME)")
    sub.add_argument("--insecure-tls", action="store_true", help=INSECURE_HELP)
    sub.set_defaults(handler=_member_add)
    sub = actions.add_parser(
        "login", parents=[common], help="keep your password for a server in the system keyring (asked, then checked)"
    )
    sub.add_argument("url", metavar="URL", help="postgresql://YOU@HOST/DATABASE, as you sync with it")
    sub.add_argument("--forget", action="store_true", help="remove the password kept for URL instead")
    sub.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_argument("--insecure-tls", action="store_true", help=INSECURE_HELP)
    sub.set_defaults(handler=_login)

    cmd = commands.add_parser("sync", parents=[common], help="sync the archive with a newsroom server's project")
    cmd.add_argument("--server", metavar="URL", help="postgresql://YOU@HOST/DATABASE (default: the last one)")
    cmd.add_argument("--project", metavar="NAME", help="the project to sync (default: the last one)")
    cmd.add_argument("--insecure-tls", action="store_true", help=INSECURE_HELP)
    cmd.set_defaults(handler=_sync)

    cmd = commands.add_parser("pull", parents=[common], help="pull documents from the server (server search hits)")
    cmd.add_argument("sha256", nargs="+", metavar="SHA256", help="documents as `search --server` lists them")
    cmd.add_argument("--server", metavar="URL", help="default: the server of the last sync")
    cmd.add_argument("--project", metavar="NAME")
    cmd.add_argument("--insecure-tls", action="store_true", help=INSECURE_HELP)
    cmd.set_defaults(handler=_pull)


def add_search_options(cmd: argparse.ArgumentParser) -> None:
    """``search --server``: search the newsroom server's project instead of this archive."""
    cmd.add_argument("--server", action="store_true", help="search the newsroom server's project (PostgreSQL)")
    cmd.add_argument("--server-url", metavar="URL", help="with --server: this server (default: the last synced)")
    cmd.add_argument("--project", metavar="NAME", help="with --server: this project (default: the last synced)")
    cmd.add_argument("--insecure-tls", action="store_true", help=INSECURE_HELP)


def _admin(args):
    from app.server.connect import connect_admin

    return connect_admin(args.url, insecure=args.insecure_tls)


def _init(args: argparse.Namespace) -> int:
    from app.store import server_schema

    with _admin(args) as conn:
        applied = server_schema.migrate(conn)
    if args.json:
        print_json({"applied": applied, "version": server_schema.LATEST})
    else:
        steps = ", ".join(map(str, applied)) if applied else "none (up to date)"
        print(f"Dossier schema version {server_schema.LATEST}; steps applied: {steps}")
    return 0


def _project_add(args: argparse.Namespace) -> int:
    from app.store.server_rows import ServerRows

    with _admin(args) as conn:
        project_id = ServerRows(conn).add_project(args.project)
    print_json({"project": args.project, "id": project_id}) if args.json else print(f"project {args.project}")
    return 0


def _member_add(args: argparse.Namespace) -> int:
    from app.store.server_rows import ServerRows

    with _admin(args) as conn:
        rows = ServerRows(conn)
        project_id = rows.project_id(args.project)
        if project_id is None:
            raise DossierError(f"There is no project {args.project!r}: `dossier server project-add` makes it.")
        if not rows.role_exists(args.role):
            raise DossierError(f"There is no role {args.role!r}: create it with `createuser --pwprompt {args.role}`.")
        rows.add_member(project_id, args.role)
    print_json({"project": args.project, "role": args.role}) if args.json else print(
        f"{args.role} is a member of {args.project}"
    )
    return 0


def _login(args: argparse.Namespace) -> int:
    """Ask for the password (never on the command line), check it with the server, keep it in the keyring."""
    import getpass

    from app.server import connect, credentials

    params = connect.connection_params(args.url, insecure=args.insecure_tls)
    name = credentials.account(params)
    if args.forget:
        removed = credentials.forget(params)
        print_json({"account": name, "removed": removed}) if args.json else print(
            f"forgot the password of {name}" if removed else f"the system keyring kept no password for {name}"
        )
        return 0
    prompt = f"Password for {name}: "
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else getpass.getpass(prompt)
    if not password:
        raise DossierError("No password given: nothing kept.")
    connect.connect_admin(args.url, insecure=args.insecure_tls, password=password, remember=True).close()
    print_json({"account": name, "service": credentials.SERVICE}) if args.json else print(
        f"the server took the password of {name}; it is kept in the system keyring ({credentials.SERVICE!r})"
    )
    return 0


def _archive(args: argparse.Namespace) -> Archive:
    return Archive.open(resolve_archive(getattr(args, "archive", None)))


def _sync(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        report = archive.sync(args.server, args.project, insecure=args.insecure_tls, progress=_progress(args))
    if args.json:
        print_json(report.to_json())
        return 0
    print(
        f"pushed {wording.count(report.pushed_documents, 'document')}, {wording.count(report.pushed_tags, 'tag')}, "
        f"{wording.count(report.pushed_annotations, 'annotation')}; pulled "
        f"{wording.count(report.pulled_documents, 'document')}, {wording.count(report.pulled_tags, 'tag')}, "
        f"{wording.count(report.pulled_annotations, 'annotation')}"
    )
    if report.pushed_fields or report.pulled_fields or report.pushed_tag_removals or report.pulled_tag_removals:
        print(
            f"edits: pushed {wording.count(report.pushed_fields, 'title, date or source', 'titles, dates or sources')}"
            f" and {wording.count(report.pushed_tag_removals, 'tag removal')}; pulled "
            f"{wording.count(report.pulled_fields, 'title, date or source', 'titles, dates or sources')} and "
            f"{wording.count(report.pulled_tag_removals, 'tag removal')}"
        )
    conflicts = len(report.conflicts) + report.conflicts_on_server
    if conflicts:
        print(
            f"{wording.count(conflicts, 'annotation')} changed here and on another laptop: both versions are on "
            "the review list (`dossier annotations --review`)"
        )
    fields = len(report.field_conflicts) + report.field_conflicts_on_server
    if fields:
        print(
            f"{wording.count(fields, 'document title, date or source', 'document titles, dates or sources')} "
            "changed here and on another laptop: the other value is on the review list (`dossier annotations "
            "--review`, `dossier field-resolve`)"
        )
    if not report.changed:
        print("already in sync")
    return 0


def _pull(args: argparse.Namespace) -> int:
    with _archive(args) as archive:
        report = archive.pull_from_server(args.sha256, args.server, args.project, insecure=args.insecure_tls)
    if args.json:
        print_json(report.to_json())
    else:
        print(
            f"pulled {wording.count(report.pulled_documents, 'document')}, {wording.count(report.pulled_tags, 'tag')}"
            f", {wording.count(report.pulled_annotations, 'annotation')}"
        )
    return 0


def search(args: argparse.Namespace) -> int:
    """``search --server``."""
    with Archive.open(resolve_archive(getattr(args, "archive", None)), shared=True) as archive:
        hits = archive.server_search(
            args.query, args.server_url, args.project, limit=args.limit, insecure=args.insecure_tls
        )
    if args.json:
        print_json({"query": args.query, "hits": [{**h, "published": _iso(h["published"])} for h in hits]})
        return 0
    print(f"{wording.count(len(hits), 'document')} on the server {'matches' if len(hits) == 1 else 'match'} "
          f"{args.query!r}")  # fmt: skip
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("[", "]")
    for hit in hits:
        where = f"here as #{hit['local_id']}" if hit["local_id"] else f"not here: `dossier pull {hit['sha256']}`"
        date = _iso(hit["published"]) or "undated"
        print(f"\n{hit['sha256'][:16]}  {one_line(hit['title'])}  [{hit['kind']}, {date}]  ({where})")
        print("    " + one_line(hit["snippet"]).replace("<<", bold).replace(">>", plain))
    return 0


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _progress(args: argparse.Namespace):
    if args.json or not sys.stderr.isatty():
        return None

    def show(phase: str, done: int, total: int) -> None:
        print(f"\r{phase}: {done}/{total} documents", end="" if done < total else "\n", file=sys.stderr)

    return show
