"""File > Export bundle (what to include) and the report after File > Import bundle."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)


class ExportDialog(QDialog):
    """Choose the documents (this result, the open document, everything) and whether private notes go."""

    def __init__(self, results: int, query: str, has_open: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.private = QCheckBox("Leave out notes marked private")
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
        layout.addWidget(buttons)

    def scope(self) -> str:
        """results, open or all."""
        return next(name for name, button in self.scopes.items() if button.isChecked())


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
