"""How Dossier cites a document (the GUI's Copy citation and `dossier cite`)."""

from __future__ import annotations

from app.models import Document


def citation(doc: Document, page: int | None) -> str:
    """A one-line citation: title, source, date, page."""
    parts = [f"“{doc.title}”"]
    if doc.site or doc.author:
        parts.append(doc.site or doc.author)
    day = doc.published
    parts.append(f"{day:%B} {day.day}, {day.year}" if day else "undated")
    if page:
        parts.append(f"p. {page}")
    return ", ".join(parts) + f". [{doc.file_name}, sha256 {doc.sha256[:12]}]"
