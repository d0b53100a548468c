"""File > Export bundle (what to include) and the report after File > Import bundle."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app import wording


class ExportDialog(QDialog):
    """Choose the documents (this result, the open document, everything) and whether private notes go.

    ``set_private_notes`` gives the number of private notes per scope once they are counted (off the GUI
    thread); the dialog then says how many the chosen documents hold."""

    def __init__(self, results: int, query: str, has_open: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.private_counts: dict[str, int] | None = None
        self.setWindowTitle("Export bundle")
        described = f"“{query}”" if query.strip() else "all documents"
        self.scopes = {
            "results": QRadioButton(
                f"The current results: {results} document{'s' if results != 1 else ''} ({described})"
            ),
            "open": QRadioButton("The open document"),
            "all": QRadioButton("The whole archive"),
        }
        self.scopes["results"].setEnabled(results > 0)
        self.scopes["open"].setEnabled(has_open)
        self.scopes["results" if results else "all"].setChecked(True)
        group = QButtonGroup(self)
        self.private = QCheckBox("Include private notes")
        self.private.setToolTip("Notes marked private stay in this archive unless you tick this")
        self.private_count = QLabel("Counting private notes…")
        self.private_count.setWordWrap(True)
        explain = QLabel(
            "The bundle is a ZIP file another Dossier can verify and merge: the originals, their texts, tags and "
            "annotations, and report.html, which opens in any browser."
        )
        explain.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        for button in self.scopes.values():
            group.addButton(button)
            layout.addWidget(button)
        layout.addWidget(self.private)
        layout.addWidget(self.private_count)
        layout.addWidget(buttons)
        group.buttonToggled.connect(lambda *_: self._describe_private())

    def scope(self) -> str:
        """results, open or all."""
        return next(name for name, button in self.scopes.items() if button.isChecked())

    def set_private_notes(self, counts: dict[str, int]) -> None:
        """The number of private notes in each scope (results, open, all)."""
        self.private_counts = counts
        self._describe_private()

    def _describe_private(self) -> None:
        if self.private_counts is None:
            return
        count = self.private_counts[self.scope()]
        if not count:
            self.private_count.setText("These documents hold no private notes.")
        else:
            notes = "1 private note" if count == 1 else f"{count} private notes"
            self.private_count.setText(
                f"These documents hold {notes}: left out unless included. Included, they are in the bundle's "
                "annotations only, never in its report or spreadsheet."
            )


class SignatureDialog(QDialog):
    """The name bundles give as their exporter (and for the annotations and tags made here); empty signs none."""

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign bundles as")
        explain = QLabel(
            "The name your bundles give as their exporter and as the author of your annotations and tags. "
            "Named bundles are signed with a key Dossier makes for you, so that colleagues who trust your key know "
            "a bundle comes from you. Leave it empty to sign none. Dossier never uses the computer's user name. "
            "You can change it in File > Sign bundles as."
        )
        explain.setWordWrap(True)
        self.field = QLineEdit(current, placeholderText="e.g. Jane Doe, Omaha World-Herald")
        self.field.setMaxLength(200)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.field)
        layout.addWidget(buttons)
        self.resize(460, self.sizeHint().height())

    def name(self) -> str:
        """The name typed (may be empty)."""
        return self.field.text().strip()


def refusal_box(parent: QWidget, title: str, message: str, details: str = "") -> QMessageBox:
    """A warning that says in words what is wrong; what only an expert needs (checksums) under Details.
    Plain text: the message may quote a title the bundle chose."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    return box


def export_summary(report) -> str:
    """One line after an export: what went in, and how many private notes stayed out."""
    left_out = report.private_notes_left_out
    private = f"; {wording.count(left_out, 'private note')} left out" if left_out else ""
    return (
        f"Exported {wording.count(report.documents, 'document')} and "
        f"{wording.count(report.annotations, 'annotation')} to {report.path}{private}"
    )


def merge_summary(report) -> str:
    """A readable summary of a bundle import."""
    lines = [
        f"Documents: {len(report.documents_added)} added, {len(report.documents_existing)} already in the archive.",
        f"Annotations: {report.annotations_added} added, {report.annotations_updated} updated to a newer revision, "
        f"{report.annotations_unchanged} unchanged.",
        f"Tags: {report.tags_added} added, {report.tags_existing} already there.",
    ]
    if report.jurisdictions_added or report.stances_added:
        lines.append(
            f"New custom jurisdictions: {len(report.jurisdictions_added)}; new stances: {len(report.stances_added)}."
        )
    if report.regex_rules_skipped:
        lines.append(
            f"{report.regex_rules_skipped} regular-expression rule(s) of new stances were not taken over "
            "(someone else's expressions could slow suggestions down); add them in Tag > Edit stances if trusted."
        )
    if report.conflicts:
        lines.append(
            f"{len(report.conflicts)} annotation(s) were changed on both sides: both versions are kept and listed "
            "under View > All annotations > Needs review."
        )
    if not report.changed:
        lines.append("Nothing new: this bundle had already been merged.")
    return "\n".join(lines)
