"""Search as you type on a newsroom server's project: one connection kept open for the searches of a window's
Newsroom scope, and a search that a newer query makes useless is cancelled on the server (``cancel``) instead of
being waited for."""

from __future__ import annotations

import contextlib
import threading

from app.errors import DossierError


class SearchCancelled(DossierError):
    """The search was cancelled for a newer one; nobody shows its (missing) answer."""


class ServerSearcher:
    """Searches one server's project; :meth:`search` runs on one worker thread at a time, :meth:`cancel` and
    :meth:`close` from any thread. The connection opens at the first search and again after it was lost."""

    def __init__(self, archive, server: str, project: str, *, insecure: bool = False, password: str | None = None,
                 remember: bool = False) -> None:  # fmt: skip
        self.archive, self.server, self.project = archive, server, project
        self._insecure, self._password, self._remember = insecure, password, remember
        self._lock = threading.Lock()
        self._conn = None
        self._project_id: int | None = None
        self._busy = False
        self._closed = False

    def search(self, query: str, limit: int = 50) -> list[dict]:
        """Ranked hits with ``ts_headline`` snippets (marks ``<<`` ``>>``) and ``local_id`` (None: not here)."""
        import psycopg

        from app.server import connect
        from app.store.server_rows import ServerRows

        if not query.strip():
            return []
        conn, project_id = self._connection()
        with self._lock:
            self._busy = True
        try:
            with connect.server_errors("searching"):
                try:
                    hits = ServerRows(conn).search(project_id, query, limit)
                except psycopg.errors.QueryCanceled:
                    raise SearchCancelled("cancelled for a newer search") from None
        except SearchCancelled:
            raise
        except DossierError:
            self._drop()  # lost or broken: the next search connects again
            raise
        finally:
            with self._lock:
                self._busy = False
                orphan = conn is not self._conn
            if orphan:  # closed or dropped meanwhile
                conn.close()
        reader = self.archive._reader()
        for hit in hits:
            hit["local_id"] = reader.id_for_sha(hit["sha256"])
        return hits

    def cancel(self) -> None:
        """Ask the server to stop the search in flight (on a thread of its own: the request is a round trip)."""
        with self._lock:
            conn = self._conn if self._busy else None
        if conn is not None:
            threading.Thread(target=_cancel, args=(conn,), name="dossier-search-cancel", daemon=True).start()

    def close(self) -> None:
        """Close the connection; searches after this refuse."""
        with self._lock:
            self._closed = True
        self._drop()

    def _connection(self):
        from app.server import connect
        from app.store.server_rows import ServerRows

        with self._lock:
            if self._closed:
                raise SearchCancelled("the newsroom search was closed")
            if self._conn is not None and not self._conn.closed:
                return self._conn, self._project_id
        conn = connect.connect(self.server, insecure=self._insecure, password=self._password, remember=self._remember)
        self._remember = False  # kept once: the server took it
        with connect.server_errors("searching"):
            project_id = ServerRows(conn).project_id(self.project)
        if project_id is None:
            conn.close()
            raise DossierError(f"The server has no project {self.project!r} that you are a member of.")
        with self._lock:
            if self._closed:
                conn.close()
                raise SearchCancelled("the newsroom search was closed")
            self._conn, self._project_id = conn, project_id
        return conn, project_id

    def _drop(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            busy = self._busy
        if conn is None:
            return
        if busy:  # the worker thread still uses it: cancel its search, the worker closes it when it returns
            threading.Thread(target=_cancel, args=(conn,), name="dossier-search-cancel", daemon=True).start()
        else:
            conn.close()


def _cancel(conn) -> None:
    with contextlib.suppress(Exception):  # the connection is gone already: nothing to cancel
        conn.cancel_safe(timeout=5)
