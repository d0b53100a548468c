"""Leaf library: text extraction from untrusted files and the Whoosh search index.

Knows nothing of SQLite or Qt; the core (``app``) drives it through small value types.
"""

from indexer.mapped_files import read_segments_in_place

read_segments_in_place()  # before any searcher opens: see indexer/mapped_files.py
