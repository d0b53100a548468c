"""Between verifying a bundle and merging it: who signed it, what it holds, and whether to trust an unknown key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app import wording
from app.bundles.signing import Signer


class ImportBundleDialog(QDialog):
    """Shows a verified bundle's signer and contents; accepted means merge. For a bundle signed by an unknown
    key, a box trusts that key from now on under the name typed (:meth:`trust_as`)."""

    def __init__(self, signer: Signer, documents: int, annotations: int, info: dict[str, str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import bundle")
        self.signer = signer
        self.sender = _label(_who(signer))
        self.sender.setObjectName("signer")
        contents = QFormLayout()
        contents.addRow("Holds:", _label(f"{wording.count(documents, 'document')}, "
                                         f"{wording.count(annotations, 'annotation')}"))  # fmt: skip
        contents.addRow("Exported:", _label(info.get("Dossier-Exported-At", "").replace("T", " ")[:16] or "unknown"))
        contents.addRow("Selection:", _label(info.get("Dossier-Query", "") or "not given"))
        self.trust = QCheckBox("Trust this key from now on, as:")
        self.trust_name = QLineEdit(signer.name, placeholderText="the sender's name")
        self.trust_name.setMaxLength(200)
        self.trust_name.setEnabled(False)
        self.trust.toggled.connect(self.trust_name.setEnabled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.sender)
        layout.addLayout(contents)
        if signer.status == "unknown":
            layout.addWidget(self.trust)
            layout.addWidget(self.trust_name)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def trust_as(self) -> str:
        """The name to trust the signer's key as; empty: trust nothing new."""
        return self.trust_name.text().strip() if self.trust.isChecked() and self.signer.status == "unknown" else ""


def _who(signer: Signer) -> str:
    if signer.status == "known":
        shown = "you" if signer.name == "you" else f"{signer.name}, whose key you trust"
        return f"Signed by {shown}. Nothing in it was changed since it was signed."
    if signer.status == "unknown":
        claim = f", which calls itself “{signer.name}”" if signer.name else ""
        key = "\u00a0".join(signer.key_id[i : i + 4] for i in range(0, len(signer.key_id), 4))  # kept on one line
        return (
            f"Signed by a key you do not know yet{claim}.\nKey ID: {key}\n\n"
            "Anyone can call themselves anything: ask the sender, in person or by phone, whether this is their key "
            "ID before you trust it."
        )
    return "Unsigned: nothing says who made this bundle. Import it only if you know where it comes from."


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names and queries come from the bundle
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
