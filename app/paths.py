"""Where archives live: platformdirs default, overridable by --archive or DOSSIER_ARCHIVE."""

import os
from pathlib import Path

from platformdirs import user_data_path

ENV_ARCHIVE = "DOSSIER_ARCHIVE"


def default_archive() -> Path:
    """The archive used when none is named: $DOSSIER_ARCHIVE, else the user data dir."""
    override = os.environ.get(ENV_ARCHIVE)
    if override:
        return Path(override).expanduser()
    return user_data_path("Dossier", appauthor=False) / "archive"


def resolve_archive(path: str | os.PathLike | None) -> Path:
    """An explicit archive folder if given, else the default one."""
    return Path(path).expanduser().resolve() if path else default_archive().resolve()
