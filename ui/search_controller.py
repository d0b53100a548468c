"""Search as you type: debounce keystrokes, run one search at a time, let the newest query win."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

from app.archive import Archive
from ui.ops import Op, OpRunner

DEBOUNCE_MS = 180


@dataclass(frozen=True)
class SearchSpec:
    """Everything that decides a result list."""

    query: str = ""
    sort: str = "relevance"
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    excludes: dict[str, tuple[str, ...]] = field(default_factory=dict)


class SearchController(QObject):
    """Runs :meth:`Archive.search_ids` in the background for the latest :class:`SearchSpec`."""

    results_ready = Signal(object, object)  # (SearchSpec, HitList)
    query_failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, archive: Archive, runner: OpRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.runner = runner
        self.spec = SearchSpec()
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._launch)
        self._running: Op | None = None
        self._stale = False  # the spec changed while a search was running

    def request(self, spec: SearchSpec, *, immediate: bool = False) -> None:
        """Search for ``spec`` after a short pause (typing) or at once (a click, a refresh)."""
        self.spec = spec
        if immediate:
            self._timer.stop()
            self._launch()
        else:
            self._timer.start()

    def refresh(self) -> None:
        """Run the current search again (new documents landed, metadata changed)."""
        self.request(self.spec, immediate=True)

    def busy(self) -> bool:
        """Whether a search is waiting or running."""
        return self._timer.isActive() or self._running is not None

    def _launch(self) -> None:
        if self._running is not None:
            self._stale = True  # run again with the newest spec when this one returns
            return
        spec = self.spec
        op = Op(
            lambda: self.archive.search_ids(spec.query, sort=spec.sort, filters=spec.filters, excludes=spec.excludes)
        )
        op.succeeded.connect(lambda hits: self._done(spec, hits, None))
        op.failed.connect(lambda message: self._done(spec, None, message))
        op.crashed.connect(lambda exc: self._done(spec, None, f"The search failed unexpectedly: {exc}"))
        self._running = op
        self.busy_changed.emit(True)
        self.runner.start(op)

    def _done(self, spec: SearchSpec, hits, message: str | None) -> None:
        self._running = None
        current = spec == self.spec
        if current:  # a refresh of the same search is still worth showing before it runs again
            if message is not None:
                self.query_failed.emit(message)
            else:
                self.results_ready.emit(spec, hits)
        if self._stale or not current:
            self._stale = False
            self._launch()
            return
        self.busy_changed.emit(False)
