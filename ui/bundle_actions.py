"""File > Export bundle and File > Import bundle, as a part of the main window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.bundles.export import export_bundle
from app.bundles.merge import import_bundle
from ui.bundle_dialogs import ExportDialog, merge_summary
from ui.ops import Op


class BundleActions:
    """Mixed into :class:`ui.main_window.MainWindow`; uses its archive, runners, viewer and status bar."""

    def export_bundle(self) -> None:
        """File > Export bundle."""
        results = self.hits.total if self.hits else 0
        dialog = ExportDialog(results, self.search_field.text(), self.viewer.doc is not None, self)
        if dialog.exec() != ExportDialog.DialogCode.Accepted:
            return
        scope = dialog.scope()
        if scope == "results":
            ids, query = list(self.hits.ids), self.search_field.text() or "all documents"
        elif scope == "open":
            ids, query = [self.viewer.doc.id], f"document {self.viewer.doc.id}"
        else:
            ids, query = None, "all documents"
        out, _ = QFileDialog.getSaveFileName(
            self, "Save bundle", self._last_dir() + "/dossier-bundle.zip", "Bundles (*.zip)"
        )
        if not out:
            return
        keep_private = not dialog.private.isChecked()

        def work(progress, cancel):
            chosen = ids if ids is not None else self.archive.search_ids("").ids
            return export_bundle(
                self.archive,
                chosen,
                Path(out),
                query=query,
                include_private_notes=keep_private,
                progress=lambda done, total: progress((done, total)),
            )

        op = Op(work, with_progress=True)
        op.succeeded.connect(
            lambda report: self.statusBar().showMessage(
                f"Exported {report.documents} documents and {report.annotations} annotations to {report.path}", 10000
            )
        )
        op.failed.connect(lambda message: self._error("Export failed", message))
        self.statusBar().showMessage("Exporting bundle…")
        self.task_runner.start(op)

    def choose_bundle(self) -> None:
        """File > Import bundle."""
        path, _ = QFileDialog.getOpenFileName(self, "Import bundle", self._last_dir(), "Bundles (*.zip)")
        if path:
            self.import_bundle(path)

    def import_bundle(self, path: str) -> None:
        """Verify and merge a bundle in the background, then say what it changed."""
        if not self.archive.writable:
            self._error("Cannot import", "This archive is open in another Dossier; import there, or close it first.")
            return
        op = Op(lambda: import_bundle(self.archive, Path(path)))
        op.succeeded.connect(self._bundle_merged)
        op.failed.connect(lambda message: self._error("The bundle was not imported", message))
        self.statusBar().showMessage("Verifying and merging the bundle…")
        self.task_runner.start(op)

    def _bundle_merged(self, report) -> None:
        self.statusBar().clearMessage()
        self.bundle_report = report
        self.update_stats()
        self.controller.refresh()
        if self.viewer.doc is not None:
            self.viewer.tag_panel.reload()
            self.viewer.annotations_panel.reload()
        QMessageBox.information(self, "Bundle imported", merge_summary(report))
