"""Undoable annotation edits: each command runs its core call on a one-thread runner, in order."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app.archive import Archive
from ui.ops import Op, OpRunner


class AnnotationEditor(QObject):
    """Creates, edits and trashes annotations through an undo stack (Ctrl+Z / Ctrl+Shift+Z)."""

    changed = Signal(int)  # a document's annotations changed
    failed = Signal(str)

    def __init__(self, archive: Archive, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.archive = archive
        self.stack = QUndoStack(self)
        self.runner = OpRunner(1, self)  # one thread: commands apply in the order they were made

    def create(self, doc_id: int, start: int, end: int, **fields: object) -> None:
        """Annotate a passage (undo moves it to the trash, redo brings it back)."""
        self.stack.push(_Create(self, doc_id, start, end, fields))

    def edit(self, annotation, **after: object) -> None:
        """Change fields of an annotation (note, colour, tags, jurisdiction, stance)."""
        before = {key: getattr(annotation, key) for key in after}
        if "stance" in before and annotation.stance:
            before["stance"] = annotation.stance_key
        self.stack.push(_Edit(self, annotation.uuid, annotation.doc_id, before, after))

    def delete(self, annotation) -> None:
        """Move an annotation to the trash (undo restores it)."""
        self.stack.push(_Delete(self, annotation.uuid, annotation.doc_id))

    def busy(self) -> bool:
        """Whether a change is still being written."""
        return self.runner.busy()

    def run(self, doc_id: int, work) -> Op:
        """Run ``work`` after every earlier change; announce the document when it is done."""
        op = Op(work)
        op.succeeded.connect(lambda _result: self.changed.emit(doc_id))
        op.failed.connect(self.failed)
        return self.runner.start(op)


class _Create(QUndoCommand):
    def __init__(self, editor: AnnotationEditor, doc_id: int, start: int, end: int, fields: dict) -> None:
        super().__init__("Add annotation")
        self.editor, self.doc_id, self.start, self.end, self.fields = editor, doc_id, start, end, fields
        self.uuid: str | None = None

    def redo(self) -> None:
        archive = self.editor.archive
        if self.uuid is None:
            self.editor.run(self.doc_id, self._annotate)
        else:
            uuid = self.uuid
            self.editor.run(self.doc_id, lambda: archive.restore_annotation(uuid))

    def _annotate(self):
        made = self.editor.archive.annotate(self.doc_id, start=self.start, end=self.end, **self.fields)
        self.uuid = made.uuid  # set on the runner's one thread, before any later undo runs there
        return made

    def undo(self) -> None:
        archive = self.editor.archive
        self.editor.run(self.doc_id, lambda: self.uuid and archive.delete_annotation(self.uuid))


class _Edit(QUndoCommand):
    def __init__(self, editor: AnnotationEditor, uuid: str, doc_id: int, before: dict, after: dict) -> None:
        super().__init__("Edit annotation")
        self.editor, self.uuid, self.doc_id, self.before, self.after = editor, uuid, doc_id, before, after

    def redo(self) -> None:
        archive, values = self.editor.archive, dict(self.after)
        self.editor.run(self.doc_id, lambda: archive.update_annotation(self.uuid, **values))

    def undo(self) -> None:
        archive, values = self.editor.archive, dict(self.before)
        self.editor.run(self.doc_id, lambda: archive.update_annotation(self.uuid, **values))


class _Delete(QUndoCommand):
    def __init__(self, editor: AnnotationEditor, uuid: str, doc_id: int) -> None:
        super().__init__("Delete annotation")
        self.editor, self.uuid, self.doc_id = editor, uuid, doc_id

    def redo(self) -> None:
        archive = self.editor.archive
        self.editor.run(self.doc_id, lambda: archive.delete_annotation(self.uuid))

    def undo(self) -> None:
        archive = self.editor.archive
        self.editor.run(self.doc_id, lambda: archive.restore_annotation(self.uuid))
