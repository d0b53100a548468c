"""The Archive's newsroom sync (issue 17): ``sync``, ``server_search`` and ``pull_from_server``, for the command
line and File > Sync alike. Nothing here connects anywhere until one of them is called with a server (or one a
previous sync recorded): offline stays the default."""

from __future__ import annotations

from collections.abc import Callable

from app.errors import DossierError
from app.lock import write_api
from app.store.db import transaction
from app.store.sync_state import SyncState, SyncStateStore


class Syncing:
    """Mixin for :class:`app.archive.Archive`."""

    def sync_state(self, server: str, project: str) -> SyncState:
        """How far the sync with one server's project has got."""
        return SyncStateStore(self._reader().conn).get(server, project)

    def sync_states(self) -> list[SyncState]:
        """Every server and project this archive synced with, the latest first."""
        return SyncStateStore(self._reader().conn).all()

    def sync_target(self, server: str | None = None, project: str | None = None) -> tuple[str, str]:
        """The server and project to use: those given, else those of the latest sync."""
        if server and project:
            return server, project
        for state in self.sync_states():
            if (server in (None, state.server)) and (project in (None, state.project)):
                return state.server, state.project
        raise DossierError(
            "No newsroom server is set up for this archive: sync once with --server URL --project NAME "
            "(the password goes in your pgpass file, never in the URL)."
        )

    @write_api("recording a sync")
    def _save_sync_state(self, state: SyncState) -> None:
        with transaction(self.conn):
            SyncStateStore(self.conn).save(state)

    def sync(
        self,
        server: str | None = None,
        project: str | None = None,
        *,
        insecure: bool = False,
        password: str | None = None,
        remember: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ):
        """Push this archive's changes to a server's project and pull the others' (see :mod:`app.server.sync`).
        The password comes from the pgpass file or the OS keyring, else ``password`` (typed, in memory only;
        ``remember`` keeps it in the keyring once the server took it)."""
        self._require_writable()
        server, project = self.sync_target(server, project)
        from app.server import connect, sync  # the driver loads only when a server is used

        conn = connect.connect(server, insecure=insecure, password=password, remember=remember)
        try:
            with connect.server_errors("syncing"):
                return sync.sync(self, conn, connect.display_url(server), project, progress, cancel)
        finally:
            conn.close()

    def server_search(
        self, query: str, server: str | None = None, project: str | None = None, *, limit: int = 20,
        insecure: bool = False, password: str | None = None,
    ) -> list[dict]:  # fmt: skip
        """Full-text hits on the server's project (PostgreSQL's ranking and snippets), without pulling them."""
        if not query.strip():
            raise DossierError("Give words to search the server for.")
        searcher = self.server_searcher(server, project, insecure=insecure, password=password)
        try:
            return searcher.search(query, limit)
        finally:
            searcher.close()

    def server_searcher(
        self, server: str | None = None, project: str | None = None, *, insecure: bool = False,
        password: str | None = None, remember: bool = False,
    ):  # fmt: skip
        """A :class:`app.server.search.ServerSearcher` for search as you type (it connects at its first search;
        ``remember`` keeps ``password`` in the OS keyring once the server took it)."""
        server, project = self.sync_target(server, project)
        from app.server.search import ServerSearcher

        return ServerSearcher(self, server, project, insecure=insecure, password=password, remember=remember)

    def pull_from_server(
        self, shas: list[str], server: str | None = None, project: str | None = None, *, insecure: bool = False,
        password: str | None = None,
    ):  # fmt: skip
        """Pull some documents of the server's project (e.g. server search hits) with their tags and annotations."""
        self._require_writable()
        server, project = self.sync_target(server, project)
        from app.server import connect, sync  # the driver loads only when a server is used

        conn = connect.connect(server, insecure=insecure, password=password)
        try:
            with connect.server_errors("pulling documents"):
                return sync.pull_documents(self, conn, connect.display_url(server), project, shas)
        finally:
            conn.close()
