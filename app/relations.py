"""Documents found inside others (an email's attachments, a mailbox's messages, a zip's members) and the
messages of an email thread: what ``show --json`` and the viewer list beside a document."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from app.lock import write_api
from app.store.db import transaction
from app.store.links import Link, LinkStore


@dataclass(frozen=True)
class Related:
    """Another document shown beside one: its id, title and kind, and the member path that links them."""

    id: int
    title: str
    kind: str
    member_path: str = ""

    def to_json(self) -> dict:
        """Plain JSON-ready dict."""
        return asdict(self)


MAX_THREAD = 500  # messages listed in one thread

#: The lists :meth:`Relating.related` gives, in the order the viewer shows them.
RELATED_LISTS = ("attached_to", "contained_in", "attachments", "members", "thread")


class Relating:
    """Mixed into :class:`app.archive.Archive`."""

    @write_api("recording attachments")
    def _store_links(self, links: list[tuple[int, int, str, str]]) -> None:
        with transaction(self.conn):
            LinkStore(self.conn).add(Link(*link) for link in links)

    def related(self, doc_id: int) -> dict[str, list[Related]]:
        """The containers a document was found in (``attached_to`` an email, ``contained_in`` a mailbox or zip),
        what it holds (``attachments``, ``members``), and the other messages of its email thread."""
        doc = self.document(doc_id)
        reader = self._reader()
        store = LinkStore(reader.conn)
        parents, children = store.parents(doc_id), store.children(doc_id)
        thread = self._thread(reader, store, doc)
        docs = reader.get_many([link.parent_id for link in parents] + [link.child_id for link in children] + thread)

        def entry(other: int, path: str = "") -> Related | None:
            found = docs.get(other)
            return Related(found.id, found.title, found.kind, path) if found else None

        out: dict[str, list[Related]] = {
            "attached_to": [entry(x.parent_id, x.member_path) for x in parents if x.relation == "attachment"],
            "contained_in": [entry(x.parent_id, x.member_path) for x in parents if x.relation != "attachment"],
            "attachments": [entry(x.child_id, x.member_path) for x in children if x.relation == "attachment"],
            "members": [entry(x.child_id, x.member_path) for x in children if x.relation != "attachment"],
            "thread": [entry(other) for other in thread],
        }
        return {name: [item for item in items if item is not None] for name, items in out.items()}

    @staticmethod
    def _thread(reader, store: LinkStore, doc) -> list[int]:
        """The other messages connected to ``doc`` by Message-ID, In-Reply-To and References, followed from
        message to message (a chain of replies that each name only the message before), oldest first."""
        found, frontier = {doc.id: doc}, [doc]
        while frontier and len(found) <= MAX_THREAD:
            keys = {m.metadata.get(name, "") for m in frontier for name in ("thread", "message_id", "in_reply_to")}
            new = [i for i in store.thread(doc.id, keys) if i not in found]
            frontier = list(reader.get_many(new).values())
            found.update((m.id, m) for m in frontier)
        others = [m for i, m in found.items() if i != doc.id][:MAX_THREAD]
        return [m.id for m in sorted(others, key=lambda m: (m.published is None, m.published or 0, m.id))]
