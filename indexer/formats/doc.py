"""Legacy Word documents (.doc) via antiword (Word 97-2003) or catdoc (Word 6/95, which antiword
refuses); a WordPerfect or RTF file saved as .doc goes to that format's extractor."""

from collections.abc import Sequence

from indexer.errors import ExtractionError
from indexer.formats import converter, rtf, wordperfect
from indexer.formats.cleanup import first_line_title, normalize_text
from indexer.types import Extracted

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """Extract a .doc file with antiword (``-w 0``: paragraphs unwrapped)."""
    if data[:4] == b"\xffWPC":
        return wordperfect.extract(data, passwords)
    if data.lstrip()[:5] == b"{\\rtf":
        return rtf.extract(data, passwords)
    if data[:8] != _OLE:
        try:  # WordPerfect 4.x files carry no magic number; wpd2text tells
            return wordperfect.extract(data, passwords)
        except ExtractionError:
            pass
        raise ExtractionError("not a Word 97-2003 document (no OLE2 container): open it in Word and save as .docx")
    args = ["-m", "UTF-8.txt", "-w", "0"]
    code, out, err = converter.run("antiword", "antiword", args, data, ".doc", "Word document")
    if code != 0 or not out.strip():
        if "ncrypted" in err:
            raise ExtractionError("this Word document is encrypted: remove the password or save it as .docx in Word")
        if "too small" in err:  # Word 6/95 and older, which catdoc reads
            return _catdoc(data)
        raise ExtractionError(f"not a readable Word document ({err.splitlines()[-1] if err else f'exit code {code}'})")
    text = normalize_text(out)
    if not text:
        raise ExtractionError("the Word document contains no text")
    if text.startswith("Permission for this document is currently restricted"):
        raise ExtractionError("this Word document is rights-protected (IRM): Dossier cannot read it")
    return Extracted(text=text, title=first_line_title(text))


def _catdoc(data: bytes) -> Extracted:
    code, out, err = converter.run("catdoc", "catdoc", ["-d", "utf-8", "-w"], data, ".doc", "Word 6/95 document")
    text = normalize_text(out)
    if code != 0 or not text:
        raise ExtractionError(f"not a readable Word 6/95 document ({err.splitlines()[-1] if err else 'no text'})")
    return Extracted(text=text, title=first_line_title(text))
