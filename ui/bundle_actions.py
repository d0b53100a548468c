"""File > Export bundle and File > Import bundle, as a part of the main window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app import keyring, settings
from app.bundles.export import export_bundle
from app.bundles.merge import merge_verified, open_bundle
from app.bundles.signing import signer_key
from app.errors import DossierError
from ui.bundle_dialogs import ExportDialog, SignatureDialog, export_summary, merge_summary, refusal_box
from ui.bundle_import_dialog import ImportBundleDialog
from ui.ops import Op, show_while_running


class BundleActions:
    """Mixed into :class:`ui.main_window.MainWindow`; uses its archive, runners, viewer and status bar."""

    def export_bundle(self) -> None:
        """File > Export bundle."""
        results = self.hits.total if self.hits else 0
        dialog = ExportDialog(results, self.search_field.text(), self.viewer.doc is not None, self)
        result_ids = list(self.hits.ids) if self.hits else []
        open_id = self.viewer.doc.id if self.viewer.doc is not None else None

        def count_private():
            counts = self.archive.private_note_counts()
            return {
                "results": sum(counts.get(i, 0) for i in result_ids),
                "open": counts.get(open_id, 0),
                "all": sum(counts.values()),
            }

        counting = Op(count_private)
        counting.succeeded.connect(dialog.set_private_notes)
        self.task_runner.start(counting)
        if not self._ask(dialog):
            return
        scope, include_private = dialog.scope(), dialog.private.isChecked()  # read before the dialog is deleted
        signed_as = settings.sign_as()
        if signed_as is None:  # the first export: ask once, remember (empty is a choice too)
            signed_as = self.choose_signature()
            if signed_as is None:
                return
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

        def work(progress, cancel):
            chosen = ids if ids is not None else self.archive.search_ids("").ids
            return export_bundle(
                self.archive,
                chosen,
                Path(out),
                query=query,
                include_private_notes=include_private,
                overwrite=True,  # the file dialog asked
                signed_as=signed_as,
                progress=lambda done, total: progress((done, total)),
            )

        op = Op(work, with_progress=True)
        op.succeeded.connect(lambda report: self.statusBar().showMessage(export_summary(report), 10000))
        op.failed.connect(lambda message: self._error("Export failed", message))
        show_while_running(op, self.statusBar(), "Exporting bundle…")
        self.task_runner.start(op)

    def choose_signature(self) -> str | None:
        """File > Sign bundles as: the name bundles give as their exporter, remembered; None when cancelled."""
        dialog = SignatureDialog(settings.sign_as() or "", self)
        if not self._ask(dialog):
            return None
        try:
            return settings.set_sign_as(dialog.name())
        except DossierError as exc:
            self._error("Sign bundles as", str(exc))
            return None

    def choose_bundle(self) -> None:
        """File > Import bundle."""
        path, _ = QFileDialog.getOpenFileName(self, "Import bundle", self._last_dir(), "Bundles (*.zip)")
        if path:
            self.import_bundle(path)

    def import_bundle(self, path: str) -> None:
        """Verify and merge a bundle in the background, then say what it changed."""
        if not self.archive.writable:
            self._error(
                "Cannot import",
                f"This archive opened read-only ({self.archive.read_only_reason}), so no bundle can be merged "
                "into it. Close Dossier and open the archive again; if its folder cannot be written, copy the "
                "archive to a writable place first.",
            )
            return
        op = Op(lambda: open_bundle(self.archive, Path(path)))
        op.succeeded.connect(self._confirm_bundle)
        op.failed.connect(lambda message: self._bundle_refused(message, getattr(op.error, "details", "")))
        show_while_running(op, self.statusBar(), "Verifying the bundle…")
        self.task_runner.start(op)

    def _confirm_bundle(self, bundle) -> None:
        """Show who signed the verified bundle and what it holds; merge it if the user says so."""
        dialog = ImportBundleDialog(
            bundle.signer, len(bundle.documents["documents"]), bundle.annotations["total"], bundle.info, self
        )
        if not self._ask(dialog):
            bundle.close()
            self.statusBar().showMessage("The bundle was not imported", 5000)
            return
        trust_as = dialog.trust_as()

        def work(progress, cancel):
            with bundle:
                if trust_as:
                    keyring.trust(signer_key(bundle.folder), trust_as)
                return merge_verified(self.archive, bundle, lambda done, total: progress((done, total)))

        op = Op(work, with_progress=True)
        op.succeeded.connect(self._bundle_merged)
        op.failed.connect(lambda message: self._bundle_refused(message, getattr(op.error, "details", "")))
        show_while_running(op, self.statusBar(), "Merging the bundle…")
        self.task_runner.start(op)

    def _bundle_refused(self, message: str, details: str) -> None:
        refusal_box(self, "The bundle was not imported", message, details).exec()

    def _bundle_merged(self, report) -> None:
        self.bundle_report = report
        self.watcher.poll()  # the panes follow what the merge changed
        QMessageBox.information(self, "Bundle imported", f"{report.signer.describe().capitalize()}.\n\n"
                                + merge_summary(report))  # fmt: skip
