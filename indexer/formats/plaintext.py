"""Plain text files (.txt): detect the encoding, normalise, take the first line as title."""

from collections.abc import Sequence

from indexer.decode import decode_text
from indexer.errors import ExtractionError
from indexer.formats.cleanup import first_line_title, normalize_text
from indexer.types import Extracted


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract a plain-text file."""
    text = normalize_text(decode_text(data))
    if not text:
        raise ExtractionError("the file contains no text")
    return Extracted(text=text, title=first_line_title(text))
