"""Starting spawned processes without running the parent's main module again in them.

``spawn`` prepares each child by importing the parent's ``__main__`` once more (by module name for
``python -m app.cli``, by path for an entry script): every extraction worker, the index writer and the window's
import child loaded the whole app (the window's: Qt) before running its one function, about 15 MB and a second
or two each. The children's targets live in importable modules, so they need nothing from ``__main__``;
:func:`start` hides what ``spawn`` looks for while the child is prepared.
"""

from __future__ import annotations

import sys
import threading

_starting = threading.Lock()  # two threads starting children must not restore each other's hidden values


def start(process) -> None:
    """``process.start()`` for a ``spawn`` process whose target is not defined in ``__main__``."""
    main = sys.modules["__main__"]
    with _starting:
        spec, path = getattr(main, "__spec__", None), main.__dict__.pop("__file__", None)
        main.__spec__ = None
        try:
            process.start()
        finally:
            main.__spec__ = spec
            if path is not None:
                main.__file__ = path
