"""Who made an annotation or a tag: this archive's user, or a colleague whose bundle brought it.

What is made here is recorded without a name (older versions recorded the login name); what a bundle
brings keeps its sender's name, or "anonymous" (see :mod:`app.bundles.merge`).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable

from app.models import Annotation


def own_names() -> frozenset[str]:
    """The creator names of this archive's own work: none, or the login name older versions recorded."""
    try:
        return frozenset({"", getpass.getuser()})
    except (OSError, KeyError):  # no login name to be found
        return frozenset({""})


def searchable_notes(annotations: Iterable[Annotation]) -> str:
    """The notes a search of this archive may find and quote: every note written here and the shared notes
    of others. A private note that came in a bundle is shown with its annotation but never indexed here:
    it stays as private as its writer made it."""
    own = own_names()
    return "\n\n".join(a.note for a in annotations if a.note and (not a.private or a.creator in own))
