"""The Qt desktop app. The only package that imports PySide6."""

import ctypes
import sys


def _keep_singletons_alive() -> None:
    """Work around a PySide6 6.12.0 bug under CPython 3.11: calls that return nothing and signal emits
    each drop one reference to None/True, and the interpreter aborts when one reaches zero (about a
    minute of normal use; tests/ui/test_bindings.py). CPython 3.12+ makes these objects immortal; do the
    same here by giving them a reference count no session can use up."""
    if sys.version_info < (3, 12) and sys.implementation.name == "cpython":
        for singleton in (None, True, False):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 48


_keep_singletons_alive()
