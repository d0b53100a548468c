"""The status-bar strip long work shows: what is happening, a bar, and a Cancel button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


class StatusProgress(QWidget):
    """Hidden until :meth:`begin`; Cancel calls ``cancel``, greys itself out and shows ``cancelling``."""

    def __init__(
        self,
        cancel: Callable[[], None],
        *,
        button: str = "Cancel",
        tip: str,
        cancelling: str,
        label_width: int = 200,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._cancel_work, self._cancelling = cancel, cancelling
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.label = QLabel()
        self.label.setMinimumWidth(label_width)
        self.cancel_button = QPushButton(button)
        self.cancel_button.setToolTip(tip)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self._cancel)
        self.hide()

    def begin(self, text: str) -> None:
        """Show the strip for new work, Cancel enabled."""
        self.label.setText(text)
        self.cancel_button.setEnabled(True)
        self.show()

    def _cancel(self) -> None:
        self._cancel_work()
        self.cancel_button.setEnabled(False)
        self.label.setText(self._cancelling)
