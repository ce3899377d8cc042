"""The PDF writer: the document as HTML (core/official_document.html) drawn by WeasyPrint, with Liberation
Serif (metric-compatible with Times New Roman, SIL OFL, vendored in core/documents/fonts) embedded."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from . import layout
from .head import fit_head, summary_lines
from .model import Heading, Image, ImageRow, OfficialDocument, Paragraph, Table


def _src(image: Image) -> str:
    return "data:image/png;base64," + base64.b64encode(image.png).decode("ascii")


def _blocks(doc: OfficialDocument) -> list[dict]:
    out = []
    for block in doc.body:
        if isinstance(block, Heading):
            out.append({"kind": "heading", "b": block})
        elif isinstance(block, Paragraph):
            out.append({"kind": "paragraph", "b": block})
        elif isinstance(block, Table):
            rows = [
                {
                    "bold": i in block.bold_rows,
                    "cells": [
                        {"text": text, "align": col.align}
                        for col, text in zip(block.columns, row, strict=True)
                    ],
                }
                for i, row in enumerate(block.rows)
            ]
            out.append({"kind": "table", "b": block, "rows": rows})
        elif isinstance(block, Image):
            out.append({"kind": "image", "b": block, "src": _src(block)})
        elif isinstance(block, ImageRow):
            images = [{"b": image, "src": _src(image)} for image in block.images]
            out.append({"kind": "images", "b": block, "images": images})
        else:  # pragma: no cover - a new kind of block needs its writer
            raise TypeError(f"unknown block {block!r}")
    return out


def fonts() -> dict[str, str]:
    files = layout.FONT_FILES
    return {
        "regular": (layout.FONTS / files[(False, False)]).as_uri(),
        "bold": (layout.FONTS / files[(True, False)]).as_uri(),
        "italic": (layout.FONTS / files[(False, True)]).as_uri(),
        "bold_italic": (layout.FONTS / files[(True, True)]).as_uri(),
    }


def document_html(doc: OfficialDocument) -> str:
    """The HTML WeasyPrint draws (every text escaped by the template engine)."""
    geometry = {
        "top": layout.MARGIN_TOP_MM,
        "bottom": layout.MARGIN_BOTTOM_MM,
        "left": layout.MARGIN_LEFT_MM,
        "right": layout.MARGIN_RIGHT_MM,
        "text": layout.TEXT_WIDTH_MM,
        "head_left": layout.HEADER_LEFT_MM,
        "head_right": layout.HEADER_RIGHT_MM,
        "sign_left": layout.SIGNATURE_LEFT_MM,
        "body_pt": layout.BODY_PT,
    }
    head = fit_head(doc.letterhead)
    context = {
        "doc": doc,
        # Numbers in CSS are written here (the template engine would print 13.5 as "13,5" in Vietnamese).
        "layout": {name: f"{value:g}" for name, value in geometry.items()},
        "sizes": {"superior_pt": f"{head.superior_pt:g}", "issuer_pt": f"{head.issuer_pt:g}"},
        "head": head,
        "summary_lines": summary_lines(doc.summary),
        "blocks": _blocks(doc),
        "fonts": fonts(),
    }
    return render_to_string("core/official_document.html", context)


def document_pdf(doc: OfficialDocument) -> bytes:
    """The PDF bytes. Only the vendored fonts and data: images are read (no network, no other file)."""
    from weasyprint import HTML

    return HTML(string=document_html(doc), base_url=str(layout.FONTS)).write_pdf()
