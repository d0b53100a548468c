"""A stand-in extractor that misbehaves on request, run inside sandbox workers by the tests."""

import os

from indexer.types import Extracted


def extract(kind: str, data: bytes, passwords=()) -> Extracted:
    """Behave according to ``data``: hang, crash, exhaust memory, raise, or echo the text."""
    if data == b"hang":
        while True:
            pass
    if data == b"crash":
        os._exit(7)
    if data == b"oom":
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    if data == b"boom":
        raise KeyError("/Root")
    return Extracted(text=data.decode())
