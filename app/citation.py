"""How Dossier cites a document (the GUI's Copy citation and `dossier cite`)."""

from __future__ import annotations

from app import wording
from app.errors import DossierError
from app.models import Document


def citation(doc: Document, page: int | None) -> str:
    """A one-line citation: title, source, date, page; a page the document does not have is refused."""
    if page is not None and not doc.pages:
        raise DossierError(f"Document {doc.id} is a {doc.kind} file without pages: cite it without a page.")
    if page is not None and page > doc.pages:
        raise DossierError(f"Document {doc.id} has {wording.count(doc.pages, 'page')}; there is no page {page}.")
    parts = [f"“{doc.title}”"]
    if doc.site or doc.author:
        parts.append(doc.site or doc.author)
    day = doc.published
    parts.append(f"{day:%B} {day.day}, {day.year}" if day else "undated")
    if page:
        parts.append(f"p. {page}")
    return ", ".join(parts) + f". [{doc.file_name}, sha256 {doc.sha256[:12]}]"
