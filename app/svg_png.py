"""SVG to PNG for the command line, which has no Qt (the window draws with QSvgRenderer): CairoSVG."""

from __future__ import annotations

from app.errors import DossierError


def svg_to_png(svg: str, scale: float = 2.0) -> bytes:
    """The picture as PNG bytes, drawn at ``scale`` for a sharp image. The SVG is our own, self-contained one:
    CairoSVG is still told not to fetch anything it might name."""
    try:
        import cairosvg
    except (ImportError, OSError) as exc:  # OSError: the cairo library itself is missing
        raise DossierError(
            f"PNG output needs CairoSVG and the cairo library ({exc}).",
            cli_hint="Install libcairo2, or write .svg and convert it.",
        ) from exc
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale, unsafe=False)
