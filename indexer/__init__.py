"""Leaf library: text extraction from untrusted files and the Whoosh search index.

Knows nothing of SQLite or Qt; the core (``app``) drives it through small value types.
"""
