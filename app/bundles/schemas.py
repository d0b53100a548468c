"""JSON Schemas (draft 2020-12) for a bundle's ``documents.json`` and ``annotations.jsonld`` (format 1)."""

from __future__ import annotations

from app.models import COLOURS
from indexer.extract import KINDS

FORMAT = "dossier-bundle"
#: 2: documents carry the revisions of their edited fields, their removed tags and the extractor of their text
#: (optional keys, so that format 1 bundles, which have none of them, still import)
VERSION = 2
READABLE_VERSIONS = (1, 2)
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: The suffix an original is stored with in ``data/documents/``, by kind, so that it opens as its type from the
#: report or a file manager. Bundles made before carry bare ``<sha256>`` names; those are read too.
ORIGINAL_SUFFIXES = {
    **{"text": ".txt", "markdown": ".md", "html": ".html", "pdf": ".pdf", "docx": ".docx"},
    "rtf": ".rtf",
    "odt": ".odt",
    "ods": ".ods",
    "odp": ".odp",
    "epub": ".epub",
    "doc": ".doc",
    "wordperfect": ".wpd",
    "csv": ".csv",
    "xlsx": ".xlsx",
    "eml": ".eml",
    "mbox": ".mbox",
    "msg": ".msg",
    "zip": ".zip",
}


def original_name(sha256: str, kind: str) -> str:
    """The file name of an original in ``data/documents/``."""
    return sha256 + ORIGINAL_SUFFIXES.get(kind, "")


_SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
_OFFSET = {"type": "integer", "minimum": 0}
_OPT_OFFSET = {"type": ["integer", "null"], "minimum": 0}
_OPT_STR = {"type": ["string", "null"]}
_ID = {"type": "string", "minLength": 1, "maxLength": 500}
#: The closed sets: what this Dossier can read and show. A value outside them is refused, never stored.
DOCUMENT_KINDS = tuple(sorted(set(KINDS.values())))
#: Longest file name a bundle may give (most file systems allow 255 bytes).
MAX_FILE_NAME = 255

_TAG = {
    "type": "object",
    "required": [
        "jurisdiction",
        "jurisdiction_name",
        "stance_set",
        "stance",
        "start",
        "end",
        "quote",
        "created_by",
        "created_at",
        "from_suggestion",
    ],
    "additionalProperties": False,
    "properties": {
        "jurisdiction": _ID,
        "jurisdiction_name": {"type": "string"},
        "stance_set": _OPT_STR,
        "stance": _OPT_STR,
        "start": _OPT_OFFSET,
        "end": _OPT_OFFSET,
        "quote": {"type": "string"},
        "created_by": {"type": "string"},
        "created_at": {"type": "string"},
        "from_suggestion": {"type": "boolean"},
    },
}

_REVISION = {
    "type": "object",
    "required": ["revision", "history"],
    "additionalProperties": False,
    "properties": {
        "revision": {"type": "integer", "minimum": 1},
        "history": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{16}$"}},
    },
}

_REMOVED_TAG = {
    "type": "object",
    "required": ["jurisdiction", "stance_set", "stance", "start", "end", "quote", "removed_at"],
    "additionalProperties": False,
    "properties": {
        "jurisdiction": _ID,
        "stance_set": _OPT_STR,
        "stance": _OPT_STR,
        "start": _OPT_OFFSET,
        "end": _OPT_OFFSET,
        "quote": {"type": "string"},
        "removed_at": {"type": "string", "minLength": 1, "maxLength": 100},
    },
}

_DOCUMENT = {
    "type": "object",
    "required": [
        "sha256",
        "kind",
        "title",
        "author",
        "published",
        "site",
        "file_name",
        "size",
        "pages",
        "page_spans",
        "needs_ocr",
        "metadata",
        "tags",
    ],
    "additionalProperties": False,
    "properties": {
        "sha256": _SHA256,
        "kind": {"enum": list(DOCUMENT_KINDS)},
        "title": {"type": "string"},
        "author": {"type": "string"},
        "published": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "site": {"type": "string"},
        "file_name": {"type": "string", "minLength": 1, "maxLength": MAX_FILE_NAME},
        "size": _OFFSET,
        "pages": {"type": ["integer", "null"], "minimum": 0},
        "page_spans": {
            "type": "array",
            "items": {"type": "array", "prefixItems": [_OFFSET, _OFFSET], "minItems": 2, "maxItems": 2},
        },
        "needs_ocr": {"type": "boolean"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "tags": {"type": "array", "items": _TAG},
        "revisions": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"title": _REVISION, "published": _REVISION, "site": _REVISION},
        },
        "removed_tags": {"type": "array", "items": _REMOVED_TAG},
        "extractor": {"type": ["string", "null"], "maxLength": 100},
    },
}

_JURISDICTION = {
    "type": "object",
    "required": ["id", "name", "level", "parent", "state"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "name": {"type": "string", "minLength": 1},
        "level": {"type": "string", "minLength": 1},
        "parent": _OPT_STR,
        "state": _OPT_STR,
    },
}

_STANCE = {
    "type": "object",
    "required": ["id", "label", "description", "colour", "rules"],
    "additionalProperties": False,
    "properties": {
        "id": _ID,
        "label": {"type": "string"},
        "description": {"type": "string"},
        "colour": {"type": "string", "pattern": "^#(?:[0-9a-fA-F]{3}){1,2}$"},
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "pattern"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": ["any", "all", "phrase", "regex"]},
                    "pattern": {"type": "string"},
                },
            },
        },
    },
}

_STANCE_SET = {
    "type": "object",
    "required": ["id", "topic", "stances"],
    "additionalProperties": False,
    "properties": {"id": _ID, "topic": {"type": "string"}, "stances": {"type": "array", "items": _STANCE}},
}

DOCUMENTS_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Dossier bundle documents.json",
    "type": "object",
    "required": ["format", "version", "documents", "jurisdictions", "stance_sets"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "version": {"enum": list(READABLE_VERSIONS)},
        "documents": {"type": "array", "items": _DOCUMENT},
        "jurisdictions": {"type": "array", "items": _JURISDICTION},
        "stance_sets": {"type": "array", "items": _STANCE_SET},
    },
}

#: Dossier's own annotation fields (``Annotation.to_json()`` minus ``doc_id``), carried for a lossless merge.
_FIELDS = {
    "type": "object",
    "required": [
        "uuid",
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "page",
        "note",
        "colour",
        "tags",
        "jurisdiction",
        "stance_set",
        "stance",
        "private",
        "creator",
        "created",
        "modified",
        "revision",
        "deleted",
        "review",
    ],
    "additionalProperties": False,
    "properties": {
        "uuid": {"type": "string", "pattern": "^[0-9a-fA-F-]{8,64}$"},
        "start": _OFFSET,
        "end": _OFFSET,
        "exact": {"type": "string"},
        "prefix": {"type": "string"},
        "suffix": {"type": "string"},
        "page": {"type": ["integer", "null"], "minimum": 1},
        "note": {"type": "string"},
        "colour": {"enum": list(COLOURS)},
        "tags": {"type": "array", "items": {"type": "string"}},
        "jurisdiction": _OPT_STR,
        "stance_set": _OPT_STR,
        "stance": _OPT_STR,
        "private": {"type": "boolean"},
        "creator": {"type": "string"},
        "created": {"type": "string"},
        "modified": {"type": "string"},
        "revision": {"type": "integer", "minimum": 1},
        "deleted": _OPT_STR,
        "review": _OPT_STR,
        "history": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{16}$"}},
        "conflict_of": _OPT_STR,
    },
}

_BODY = {
    "type": "object",
    "required": ["type", "purpose"],
    "properties": {
        "type": {"enum": ["TextualBody", "SpecificResource"]},
        "purpose": {"enum": ["commenting", "tagging", "classifying"]},
        "value": {"type": "string"},
        "source": {"type": "string"},
    },
}

_ANNOTATION = {
    "type": "object",
    "required": ["@context", "id", "type", "created", "modified", "creator", "body", "target", "dossier:fields"],
    "properties": {
        "@context": {"const": W3C_CONTEXT},
        "id": {"type": "string", "pattern": "^urn:uuid:"},
        "type": {"const": "Annotation"},
        "created": {"type": "string"},
        "modified": {"type": "string"},
        "creator": {"type": "string"},
        "body": {"type": "array", "items": _BODY},
        "target": {
            "type": "object",
            "required": ["source", "selector"],
            "properties": {
                "source": {"type": "string", "pattern": "^urn:sha256:[0-9a-f]{64}$"},
                "selector": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"enum": ["TextQuoteSelector", "TextPositionSelector"]}},
                    },
                },
            },
        },
        "dossier:fields": _FIELDS,
    },
}

ANNOTATIONS_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Dossier bundle annotations.jsonld",
    "type": "object",
    "required": ["@context", "type", "total", "items"],
    "properties": {
        "@context": {"const": W3C_CONTEXT},
        "type": {"const": "AnnotationCollection"},
        "total": {"type": "integer", "minimum": 0},
        "items": {"type": "array", "items": _ANNOTATION},
    },
}
