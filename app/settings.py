"""The user's own options, kept by the core so that the command line and the window share them: a small JSON
file in the user config folder (``~/.config/Dossier/settings.json`` on Linux). The window's state (geometry,
last folder) stays in QSettings."""

from __future__ import annotations

import json
import os
from pathlib import Path

from platformdirs import user_config_path

from app.errors import DossierError

SIGN_AS = "sign_as"
OCR_LANGUAGE = "ocr_language"
_MAX_NAME = 200


def settings_path() -> Path:
    """Where the settings are kept."""
    return user_config_path("Dossier", appauthor=False) / "settings.json"


def sign_as() -> str | None:
    """The name bundles are signed with: ``""`` when the user chose to sign none, None when never asked."""
    value = _load().get(SIGN_AS)
    return value if isinstance(value, str) else None


def set_sign_as(name: str) -> str:
    """Remember the name bundles are signed with (``""``: unsigned); returns it as kept (trimmed)."""
    name = name.strip()
    if len(name) > _MAX_NAME or any(not ch.isprintable() for ch in name):
        raise DossierError(f"Sign bundles with a name on one line, at most {_MAX_NAME} characters.")
    _save({**_load(), SIGN_AS: name})
    return name


def ocr_language() -> str | None:
    """The language OCR reads (Tesseract's code, e.g. ``deu``), or None for the default (English)."""
    value = _load().get(OCR_LANGUAGE)
    return value if isinstance(value, str) and value.strip() else None


def set_ocr_language(code: str) -> str:
    """Remember the language OCR reads ("" for the default); returns it as kept."""
    code = code.strip()
    if len(code) > 100 or not all(ch.isalnum() or ch in "+_" for ch in code):
        raise DossierError("An OCR language is Tesseract's code, such as eng, deu or spa+eng.")
    _save({**_load(), OCR_LANGUAGE: code})
    return code


def _load() -> dict:
    """The settings; a missing or unreadable file counts as no settings (it is written again on the next change)."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(data: dict) -> None:
    path = settings_path()
    partial = path.with_suffix(".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        raise DossierError(f"Could not save the settings in {path}: {exc.strerror or exc}.") from exc
