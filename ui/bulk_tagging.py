"""Applying a reviewed bulk tagging as one undo step, in the background, with a progress bar and Cancel."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from app import wording
from app.archive import Archive
from app.batch_tagging import BatchProgress, BatchResult, TagPlan, UnknownBatch, new_batch_id
from ui.ops import Op, OpRunner
from ui.status_progress import StatusProgress


class BulkTagger(QObject):
    """Pushes a bulk tagging onto the window's undo stack; its apply, undo and redo run on one worker thread,
    in order. ``finished`` carries the :class:`BatchResult` of an apply, ``undone`` a summary line."""

    started = Signal(int)  # documents to tag
    progressed = Signal(object)  # BatchProgress
    finished = Signal(object)  # BatchResult
    undone = Signal(str)
    failed = Signal(str)
    stopped = Signal()  # an apply ended (done, failed or crashed)

    def __init__(self, archive: Archive, stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive, self.stack = archive, stack
        self.runner = OpRunner(1, self)
        self.op: Op | None = None  # the apply under way

    def tag(self, plan: TagPlan) -> None:
        """Apply ``plan`` as one undo step ("Tag 18 documents", "Accept suggestions on 18 documents")."""
        self.stack.push(_TagBatch(self, plan, new_batch_id()))

    def running(self) -> bool:
        """Whether an apply is under way."""
        return self.op is not None

    def cancel(self) -> None:
        """Stop the apply after the document in hand; what is done stays (and undo removes it)."""
        if self.op is not None:
            self.op.cancel()

    def apply(self, plan: TagPlan, batch: str, done: Callable[[BatchResult], None] | None = None) -> None:
        """Write ``plan`` under ``batch`` (again, for a redo) in the background; ``done`` hears the result
        before ``finished`` is emitted."""
        op = Op(
            lambda progress, cancel: self.archive.apply_plan(plan, progress, cancel, batch=batch), with_progress=True
        )
        op.progressed.connect(self.progressed)
        if done is not None:
            op.succeeded.connect(done)
        op.succeeded.connect(lambda result: self._ended(op, self.finished, result))
        op.failed.connect(lambda message: self._ended(op, self.failed, message))
        op.crashed.connect(lambda _exc: self._ended(op))  # the crash handler tells the user
        self.op = op
        self.started.emit(len(plan.to_tag))
        self.runner.start(op)

    def undo(self, batch: str) -> None:
        """Remove the batch's tags, once an apply under way has stopped."""
        self.cancel()
        op = Op(lambda: self._undo(batch))
        op.succeeded.connect(lambda summary: self.undone.emit(summary))
        op.failed.connect(self.failed)
        self.runner.start(op)

    def _undo(self, batch: str) -> str:
        try:
            return "Undone: " + self.archive.undo_batch(batch).summary()
        except UnknownBatch:
            return "Nothing to undo: that tagging has no tags left (cancelled before any, or removed since)"

    def _ended(self, op: Op, signal: Signal | None = None, value: object = None) -> None:
        if self.op is op:
            self.op = None
        self.stopped.emit()
        if signal is not None:
            signal.emit(value)


class _TagBatch(QUndoCommand):
    def __init__(self, tagger: BulkTagger, plan: TagPlan, batch: str) -> None:
        super().__init__(_step_text(plan, len(plan.to_tag)))
        self.tagger, self.plan, self.batch = tagger, plan, batch

    def redo(self) -> None:
        self.tagger.apply(self.plan, self.batch, self._applied)

    def _applied(self, result: BatchResult) -> None:
        """A cancelled apply did less than planned: the step now says, and redoes, what it did."""
        if not result.cancelled:
            return
        self.plan = self.plan.only(result.tagged)
        self.setText(_step_text(self.plan, len(result.tagged)))
        stack = self.tagger.stack  # a command's new text reaches the Undo and Redo actions only through these
        stack.undoTextChanged.emit(stack.undoText())
        stack.redoTextChanged.emit(stack.redoText())

    def undo(self) -> None:
        self.tagger.undo(self.batch)


def _step_text(plan: TagPlan, documents: int) -> str:
    """The undo step's text: "Tag 18 documents", "Accept suggestions on 18 documents"."""
    return f"{'Accept suggestions on' if plan.from_suggestion else 'Tag'} {wording.count(documents, 'document')}"


class BulkTagProgress(StatusProgress):
    """Documents tagged of total, the current one, and a Cancel button (in the status bar)."""

    def __init__(self, tagger: BulkTagger, parent: QWidget | None = None) -> None:
        super().__init__(
            tagger.cancel,
            tip="Stop tagging; the documents tagged so far keep their tag (Undo removes it)",
            cancelling="Cancelling: finishing the document in hand…",
            parent=parent,
        )
        self.tagger = tagger
        tagger.started.connect(self._started)
        tagger.progressed.connect(self._progressed)
        tagger.stopped.connect(lambda: None if tagger.running() else self.hide())

    def _started(self, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(0)
        self.bar.setFormat(f"0 / {total:,}")
        self.begin("Tagging…")

    def _progressed(self, p: BatchProgress) -> None:
        self.bar.setValue(p.done)
        self.bar.setFormat(f"{p.done:,} / {p.total:,}")
        self.label.setText(f"Tagging {p.title}")
        self.label.setToolTip(p.title)
