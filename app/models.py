"""Domain types the core hands to the CLI and the GUI."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from app.anchoring import Anchor


@dataclass
class Document:
    """One imported original and what was extracted from it."""

    id: int
    sha256: str
    kind: str
    title: str
    source_path: str
    file_name: str
    size: int
    imported_at: str
    author: str = ""
    published: date | None = None
    site: str = ""
    pages: int | None = None
    needs_ocr: bool = False
    metadata: dict[str, str] = field(default_factory=dict)
    #: per edited field of :data:`DOCUMENT_FIELDS`, ``{"revision": n, "history": [versions]}`` (unedited: absent)
    revisions: dict[str, dict] = field(default_factory=dict)
    extractor: str | None = None  # the extractor version that made its stored text (None: unknown, or OCR)

    def to_json(self) -> dict:
        """Plain JSON-ready dict."""
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data

    def field_version(self, name: str) -> FieldVersion:
        """One editable field's value at its revision, as a merge compares it."""
        value = getattr(self, name)
        at = self.revisions.get(name, {})
        return FieldVersion(
            name, value.isoformat() if isinstance(value, date) else value, at.get("revision", 1), at.get("history", [])
        )


#: The document fields a person edits (the window's metadata editor, ``dossier edit``): each merges on its own.
DOCUMENT_FIELDS = ("title", "published", "site")


class Versioned:
    """Something merged by its versions (a short hash of its content) at numbered revisions: ``revision``,
    ``history`` (the versions of the revisions before, oldest first) and ``version``."""

    revision: int
    history: list[str]

    @property
    def first_revision(self) -> int:
        """The revision whose version opens its history (the oldest this copy knows)."""
        return self.revision - len(self.history)

    def version_at(self, revision: int) -> str | None:
        """Its version at an earlier (or this) revision; None for one before its history starts (an annotation
        edited before Dossier kept histories, or whose history a bundle left out)."""
        if revision == self.revision:
            return self.version
        at = revision - self.first_revision
        return self.history[at] if 0 <= at < len(self.history) else None


@dataclass(frozen=True)
class FieldVersion(Versioned):
    """One editable field of a document (title, published as an ISO date or None, site) at a revision."""

    name: str
    value: str | None
    revision: int = 1
    history: list[str] = field(default_factory=list)

    @property
    def version(self) -> str:
        return hashlib.sha256(json.dumps([self.name, self.value]).encode()).hexdigest()[:16]

    def revised(self, value: str | None) -> FieldVersion:
        """The next revision with ``value``."""
        return FieldVersion(self.name, value, self.revision + 1, [*self.history, self.version])

    def record(self) -> dict:
        """How the document's ``revisions`` keep it."""
        return {"revision": self.revision, "history": list(self.history)}


@dataclass(frozen=True)
class MetadataConflict:
    """Another copy's value of one field of a document, changed there and here since they last agreed: kept
    on the review list beside ours until a person chooses one."""

    id: int
    doc_id: int
    theirs: FieldVersion
    ours: str | None
    review: str


@dataclass
class ImportReport:
    """Where every input file ended up: exactly one of the four lists."""

    imported: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    cancelled: bool = False

    def to_json(self) -> dict:
        """The CLI's ``import --json`` shape."""
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "failed": self.failed,
        }

    @property
    def total(self) -> int:
        """Files accounted for."""
        return len(self.imported) + len(self.duplicates) + len(self.skipped) + len(self.failed)


@dataclass
class SearchHit:
    """A ranked result with what a results list shows."""

    id: int
    title: str
    kind: str
    score: float
    snippet: str
    published: date | None = None
    site: str = ""
    file_name: str = ""
    tags: tuple[str, ...] = ()  # in words: "Omaha, NE: Refuses to join raids" (see Archive.tag_labels)

    def to_json(self) -> dict:
        """The CLI's hit shape."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "date": self.published.isoformat() if self.published else None,
            "source": self.site or self.file_name,
            "tags": list(self.tags),
        }


@dataclass
class SearchResult:
    """One page of results for a query."""

    query: str
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    page: int = 1
    warnings: list[str] = field(default_factory=list)  # parts of the query left out, in plain words
    unindexed: int = 0  # documents waiting to be indexed, which no search finds yet

    def to_json(self) -> dict:
        """The CLI's ``search --json`` shape."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "hits": [h.to_json() for h in self.hits],
            "facets": self.facets,
            "warnings": self.warnings,
            "unindexed": self.unindexed,
        }


@dataclass
class HitList:
    """Every match of a query, in order, for a results list that loads rows lazily."""

    query: str
    ids: list[int]
    scores: dict[int, float]
    facets: dict[str, dict[str, int]]
    warnings: list[str] = field(default_factory=list)  # parts of the query left out, in plain words

    @property
    def total(self) -> int:
        """Number of matching documents."""
        return len(self.ids)


@dataclass
class CheckReport:
    """Differences found (and repaired) between store, blobs and index."""

    documents: int = 0
    missing_blobs: list[int] = field(default_factory=list)
    corrupt_blobs: list[int] = field(default_factory=list)
    orphan_blobs_removed: list[str] = field(default_factory=list)
    missing_from_index: list[int] = field(default_factory=list)
    stale_in_index: list[int] = field(default_factory=list)
    index_rebuilt: bool = False
    deep: bool = False  # the texts were compared with their originals (``check --deep``)
    texts_differ: list[dict] = field(default_factory=list)  # {"id","title","first_difference",...}
    texts_unchecked: list[dict] = field(default_factory=list)  # {"id","title","error"}: not extracted again

    @property
    def ok(self) -> bool:
        """True when nothing is left that needs the user's attention."""
        return not (self.missing_blobs or self.corrupt_blobs or self.texts_differ)

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return {**asdict(self), "ok": self.ok}


@dataclass
class Tag:
    """A (jurisdiction, stance) tag on a document, or on a passage of its stored text."""

    id: int
    doc_id: int
    jurisdiction: str  # a jurisdiction id
    stance_set: str | None
    stance: str | None
    start: int | None  # passage offsets in the stored text; None for the whole document
    end: int | None
    quote: str
    created_by: str
    created_at: str
    from_suggestion: bool

    def to_json(self) -> dict:
        """JSON-ready dict."""
        return asdict(self)


@dataclass
class StanceRule:
    """Text that suggests a stance: any/all of some words, an exact phrase, or a regular expression."""

    kind: str  # any | all | phrase | regex
    pattern: str


@dataclass
class Stance:
    """One position in a stance vocabulary."""

    set_id: str
    id: str
    label: str
    description: str
    colour: str
    rules: list[StanceRule] = field(default_factory=list)
    #: Who may hold it, for suggestions: "federal", "local" (any government but the federal one) or "" (anyone).
    holders: str = ""

    @property
    def key(self) -> str:
        """Unique name across vocabularies: ``set/id``."""
        return f"{self.set_id}/{self.id}"


@dataclass
class StanceSet:
    """A stance vocabulary for one topic, ordered (e.g. from protective to enforcing)."""

    id: str
    topic: str
    stances: list[Stance] = field(default_factory=list)


class InVocabularyOrder:
    """For a drawing that holds ``stances`` (the vocabularies' stances, in order): stances looked up and counted
    the way its legend, split tiles and stacked bars read them."""

    stances: list[Stance]

    def ordered(self, counts: Counter[str]) -> list[str]:
        """The stance keys of ``counts`` in vocabulary order (one no vocabulary holds any more goes last)."""
        order = {s.key: i for i, s in enumerate(self.stances)}
        return sorted((k for k, n in counts.items() if n), key=lambda k: (order.get(k, len(order)), k))

    def stance(self, key: str) -> Stance | None:
        """The stance with this key, or None for one no vocabulary holds any more."""
        return next((s for s in self.stances if s.key == key), None)


def stance_labels(stance_sets: list[StanceSet]) -> dict[str, str]:
    """Each stance's label by its :attr:`Stance.key` (``set/id``); a label that several vocabularies use is
    followed by its vocabulary's topic, so that two stances never read alike."""
    stances = [(stance, stance_set.topic) for stance_set in stance_sets for stance in stance_set.stances]
    uses = Counter(stance.label.casefold() for stance, _ in stances)
    return {
        stance.key: stance.label if uses[stance.label.casefold()] == 1 else f"{stance.label} ({topic})"
        for stance, topic in stances
    }


COLOURS = ("yellow", "green", "blue", "pink", "orange")
#: What a person writes and picks on an annotation (besides the passage): what a version covers.
ANNOTATION_CONTENT = ("note", "colour", "tags", "jurisdiction", "stance_set", "stance", "private")


@dataclass
class Annotation(Versioned):
    """A passage of a document's stored text with a note, a colour, free tags and an optional
    (jurisdiction, stance) tag; anchored by quote with context and by offsets (W3C selectors)."""

    uuid: str
    doc_id: int
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    page: int | None = None
    note: str = ""
    colour: str = "yellow"
    tags: list[str] = field(default_factory=list)
    jurisdiction: str | None = None
    stance_set: str | None = None
    stance: str | None = None
    private: bool = False
    creator: str = ""
    created: str = ""
    modified: str = ""
    revision: int = 1
    deleted: str | None = None  # in the trash since
    review: str | None = None  # why a person should check where it is anchored
    history: list[str] = field(default_factory=list)  # the versions of the revisions before this one, oldest first
    conflict_of: str | None = None  # a bundle's version of this annotation, kept here for a person to choose

    @property
    def stance_key(self) -> str | None:
        """The stance as it is known across vocabularies (``set/id``, see :attr:`Stance.key`), or None."""
        return f"{self.stance_set}/{self.stance}" if self.stance else None

    @property
    def version(self) -> str:
        """A short hash of what a person writes and picks: equal versions are the same annotation. The quote
        counts with its spacing and case folded (each archive's text may differ in those); a private note does
        not count (it is each archive's own, and a hash of it would give it away); every deleted copy of an
        annotation has the same version, as a bundle carries only the passage of a deleted one."""
        content = {name: getattr(self, name) for name in ANNOTATION_CONTENT}
        content |= {"tags": sorted(self.tags), "note": "" if self.private else self.note}
        quote = " ".join(unicodedata.normalize("NFKC", self.exact).split()).casefold()
        versioned = ["deleted"] if self.deleted else [quote, *content.values()]
        return hashlib.sha256(json.dumps(versioned).encode()).hexdigest()[:16]

    def revised(self, modified: str, **changes: object) -> Annotation:
        """The next revision: ``changes`` applied, the revision up by one, this version added to the history."""
        history = [*self.history, self.version]
        return replace(self, **changes, revision=self.revision + 1, modified=modified, history=history)

    @property
    def anchor(self) -> Anchor:
        """Its stored selectors, for re-anchoring on a changed text."""
        return Anchor(self.exact, self.prefix, self.suffix, self.start, self.end)

    def placed_at(self, anchor: Anchor) -> Annotation:
        """The same annotation with the selectors of ``anchor``."""
        return replace(
            self, start=anchor.start, end=anchor.end, exact=anchor.exact, prefix=anchor.prefix, suffix=anchor.suffix
        )

    def to_json(self) -> dict:
        """JSON-ready dict (Dossier's own shape)."""
        return asdict(self)

    def to_w3c(self, document_sha256: str) -> dict:
        """The W3C Web Annotation (JSON-LD) form: both selectors, note and tags as bodies."""
        bodies = [{"type": "TextualBody", "value": self.note, "purpose": "commenting"}] if self.note else []
        bodies += [{"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in self.tags]
        if self.jurisdiction:
            bodies.append({"type": "SpecificResource", "source": self.jurisdiction, "purpose": "classifying"})
        data = {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": f"urn:uuid:{self.uuid}",
            "type": "Annotation",
            "created": self.created,
            "modified": self.modified,
            "creator": self.creator,
            "body": bodies,
            "target": {
                "source": f"urn:sha256:{document_sha256}",
                "selector": [
                    {"type": "TextQuoteSelector", "exact": self.exact, "prefix": self.prefix, "suffix": self.suffix},
                    {"type": "TextPositionSelector", "start": self.start, "end": self.end},
                ],
            },
            "dossier:document": self.doc_id,
            "dossier:revision": self.revision,
            "dossier:colour": self.colour,
        }
        for key, value in (
            ("dossier:page", self.page),
            ("dossier:stance", f"{self.stance_set}/{self.stance}" if self.stance else None),
            ("dossier:private", self.private or None),
            ("dossier:review", self.review),
            ("dossier:deleted", self.deleted),
        ):
            if value is not None:
                data[key] = value
        return data
