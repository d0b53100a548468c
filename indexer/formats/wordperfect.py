"""WordPerfect documents (.wpd) via wpd2text from libwpd-tools."""

from collections.abc import Sequence

from indexer.errors import ExtractionError
from indexer.formats import converter
from indexer.formats.cleanup import first_line_title, normalize_text
from indexer.types import Extracted


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract a WordPerfect file with wpd2text; ExtractionError when it is not one or holds no text."""
    code, out, err = converter.run("wpd2text", "libwpd-tools", [], data, ".wpd", "WordPerfect document")
    if code != 0:
        reason = err.splitlines()[-1] if err else f"wpd2text exit code {code}"
        raise ExtractionError(f"not a readable WordPerfect document ({reason})")
    text = normalize_text(out)
    if not text:
        raise ExtractionError("the WordPerfect document contains no text")
    return Extracted(text=text, title=first_line_title(text))
