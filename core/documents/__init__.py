"""Official Party documents (Hướng dẫn 36-HD/VPTW 2018) as PDF and DOCX: the structures (model), the header's
fitting (layout, head), the PDF writer (WeasyPrint, Liberation Serif embedded), the DOCX writer (docxtpl and a
Word template), charts as pictures, and the sample every uploaded template must render. Imports no app."""

from .charts import Series, bar_chart
from .docx import DEFAULT_TEMPLATE, TemplateInvalid, docx_text, render_docx
from .model import (
    Column,
    Heading,
    Image,
    ImageRow,
    Letterhead,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
    date_line,
    number_line,
    vn_decimal,
    vn_int,
    vn_percent,
    vn_rate,
)
from .pdf import document_html, document_pdf
from .sample import sample_document, validate_template

__all__ = [
    "DEFAULT_TEMPLATE",
    "Column",
    "Heading",
    "Image",
    "ImageRow",
    "Letterhead",
    "OfficialDocument",
    "Paragraph",
    "Series",
    "Signature",
    "Table",
    "TemplateInvalid",
    "bar_chart",
    "date_line",
    "docx_text",
    "document_html",
    "document_pdf",
    "number_line",
    "render_docx",
    "sample_document",
    "validate_template",
    "vn_decimal",
    "vn_int",
    "vn_percent",
    "vn_rate",
]
