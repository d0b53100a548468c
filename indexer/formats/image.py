"""Images (PNG, JPEG, TIFF including multi-page): size and metadata at import, text later by OCR.

Pillow reads the header and counts the frames; each frame is a page with an empty span until
:mod:`indexer.ocr` reads it (the archive's OCR run, after the import).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import ExifTags, Image, ImageSequence, UnidentifiedImageError

from indexer.errors import ExtractionError
from indexer.formats.dates import parse_date
from indexer.types import Extracted

Image.MAX_IMAGE_PIXELS = 200_000_000  # larger is refused as a decompression bomb
_MAX_FRAMES = 2_000


def extract(data: bytes, passwords: Sequence[str] = ()) -> Extracted:
    """An image's metadata and one empty page per frame, flagged for OCR."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format or "image"
            width, height = image.size
            frames = sum(1 for _ in zip(ImageSequence.Iterator(image), range(_MAX_FRAMES), strict=False))
            exif = image.getexif()
    except Image.DecompressionBombError as exc:
        raise ExtractionError(f"the image is too large to read safely: {exc}") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ExtractionError(f"not a readable image: {exc}") from exc
    metadata = {"format": image_format, "size": f"{width}x{height}", "pages": str(frames)}
    metadata["scanned_pages"] = f"1-{frames}" if frames > 1 else "1"
    tags = {ExifTags.TAGS.get(key, str(key)): value for key, value in exif.items()}
    title = str(tags.get("ImageDescription") or "").strip()
    author = str(tags.get("Artist") or "").strip()
    published = parse_date(str(tags.get("DateTime") or "").replace(":", "-", 2))
    return Extracted(
        text="",
        title=title,
        author=author,
        published=published,
        page_spans=[(0, 0)] * frames,
        needs_ocr=True,
        metadata=metadata,
    )
