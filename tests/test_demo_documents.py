"""Issue 16's "Done when", on the demo's own data: the 2021 annual summary of the Bloc, organisation 05's report
for Q1/2021 and the 2021 dashboard brief, numbered through the register as a clerk would (as
docs/examples/make_examples.py does), come out as DOCX that LibreOffice opens without error and whose text holds
the header lines, the title, the number and the signer, and as PDF set in the embedded Liberation Serif; the
brief — eight targets and their charts — fits on at most two A4 pages. The DOCX's own XML carries the sizes of
Hướng dẫn 36-HD/VPTW 2018: "ĐẢNG CỘNG SẢN VIỆT NAM" 15 pt bold, the issuing body 14 pt bold, the title 15–16 pt
bold, the trích yếu 14–15 pt bold and upright.

Slow by nature (the demo is loaded once for the module, each DOCX goes through LibreOffice with a three-minute
allowance) but never skipped: soffice and poppler are part of the project's set-up (.ci/run), and a missing
tool fails here."""

import datetime as dt
import shutil
from io import BytesIO

import docx
import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from core.tests.office import assert_times_compatible, libreoffice_text, pdf_pages
from organizations.documents import issuer_symbol
from organizations.models import Organization
from organizations.services import outgoing_document_issue
from reports import documents
from reports.models import PeriodicReport, ReportingPeriod
from targets.documents import DASHBOARD_KIND, brief_subject, dashboard_document
from targets.indicators import REGISTRY
from targets.models import Target

pytestmark = pytest.mark.django_db

TODAY = dt.date(2022, 2, 1)
BLOC_SIGNER = "Nguyễn Văn Hùng"
ORG05_SIGNER = "Trần Thị Lan"


@pytest.fixture(scope="module")
def demo_documents(demo_loaded, django_db_blocker):
    """The demo, with the three documents numbered: {name: (OfficialDocument, number line, signer)}."""
    for tool in ("soffice", "pdftotext", "pdffonts", "pdfinfo"):
        assert shutil.which(tool), (
            f"{tool} missing: .ci/run installs libreoffice-writer-nogui and poppler-utils"
        )
    with django_db_blocker.unblock(), transaction.atomic():  # a savepoint over the session's demo
        users = get_user_model().objects
        staff, secretary05 = users.get(username="vanphong"), users.get(username="bithu05")
        year_2021 = ReportingPeriod.objects.get(kind="year", year=2021, number=1)
        org05 = Organization.objects.get(code="05")
        report = PeriodicReport.objects.get(organization=org05, period__kind="quarter", period__year=2021,
                                            period__number=1)  # fmt: skip
        bloc = {"organization": None, "doc_type": "BC", "signer_title": "BÍ THƯ", "by": staff}
        summary = outgoing_document_issue(
            **bloc, subject_kind=documents.SUMMARY_KIND, subject_ref=str(year_2021.pk),
            subject=documents.summary_subject(year_2021), issued_on=dt.date(2022, 1, 25), signer_name=BLOC_SIGNER,
            recipients="Thường trực Tỉnh ủy (để báo cáo)\nLưu Văn phòng Đảng ủy Khối",
        )  # fmt: skip
        brief = outgoing_document_issue(
            **bloc, subject_kind=DASHBOARD_KIND, subject_ref="2021", subject=brief_subject(2021),
            issued_on=dt.date(2022, 1, 26), signer_name=BLOC_SIGNER, recipients="Lưu Văn phòng Đảng ủy Khối",
        )  # fmt: skip
        own = outgoing_document_issue(
            organization=org05, doc_type="BC", subject_kind=documents.REPORT_KIND, subject_ref=str(report.pk),
            subject=documents.report_subject(report), issued_on=dt.date(2021, 4, 8), signer_name=ORG05_SIGNER,
            signer_title="BÍ THƯ", recipients="Đảng ủy Khối (để báo cáo)\nLưu", by=secretary05,
        )  # fmt: skip
        assert (summary.number, brief.number, own.number) == (1, 2, 1)  # one register per issuer and year
        made = {
            "summary-2021": (documents.summary_document(year_2021, today=TODAY), "Số 01-BC/ĐUK", BLOC_SIGNER),
            "report-05-q1-2021": (
                documents.report_document(report, today=TODAY),
                f"Số 01-BC/{issuer_symbol(org05)}",
                ORG05_SIGNER,
            ),
            "dashboard-2021": (dashboard_document(2021, today=TODAY), "Số 02-BC/ĐUK", BLOC_SIGNER),
        }
        written = {
            name: (doc, number, signer, documents.write(doc, "docx")[0], documents.write(doc, "pdf")[0])
            for name, (doc, number, signer) in made.items()
        }
        yield written
        transaction.set_rollback(True)


NAMES = ["summary-2021", "report-05-q1-2021", "dashboard-2021"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", NAMES)
def test_the_demo_document_opens_in_libreoffice_and_its_pdf_is_set_in_liberation_serif(
    demo_documents, name, tmp_path
):
    doc, number, signer, docx_bytes, pdf = demo_documents[name]
    text = libreoffice_text(docx_bytes, tmp_path)
    head = doc.letterhead
    for line in (
        head.superior.upper(),
        _one_line(head.issuer.upper()),
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        number,
        _one_line(doc.title),
        _one_line(doc.summary),
        doc.signature.on_behalf,
        doc.signature.title,
        signer,
    ):
        assert line in text, (line, text[:1500])
    assert pdf.startswith(b"%PDF")
    assert_times_compatible(pdf, tmp_path)
    if name == "dashboard-2021":
        assert pdf_pages(pdf, tmp_path) <= 2, "the leadership brief is one A4 page, two at most"
        targets = Target.objects.filter(year=2021)
        assert targets.count() == 8
        for target in targets:  # each of the eight targets is on the brief, under its indicator's name
            assert _one_line(REGISTRY[target.indicator].label) in text, target.indicator
        assert "8/8 chỉ tiêu đạt" in text


# --- font sizes from the DOCX's XML -----------------------------------------------------------------------------


def _paragraphs(container):
    yield from container.paragraphs
    for table in container.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from _paragraphs(cell)


def _inherited(paragraph, attribute: str):
    style = paragraph.style
    while style is not None:
        value = getattr(style.font, attribute)
        if value is not None:
            return value
        style = style.base_style
    return None


def _looks(docx_bytes: bytes, text: str) -> set[tuple[bool, bool, float]]:
    """(bold, italic, size in pt) of every run of the paragraph(s) reading `text` (whitespace collapsed)."""
    document = docx.Document(BytesIO(docx_bytes))
    wanted = _one_line(text)
    looks = set()
    for paragraph in _paragraphs(document):
        if _one_line(paragraph.text) != wanted:
            continue
        for run in paragraph.runs:
            if not run.text.strip():
                continue
            bold = run.bold if run.bold is not None else bool(_inherited(paragraph, "bold"))
            italic = run.italic if run.italic is not None else bool(_inherited(paragraph, "italic"))
            size = run.font.size or _inherited(paragraph, "size")
            looks.add((bool(bold), bool(italic), size.pt if size is not None else None))
    assert looks, f"no paragraph reads {wanted!r}"
    return looks


@pytest.mark.parametrize("name", NAMES)
def test_the_demo_documents_docx_sets_the_sizes_of_hd_36(demo_documents, name):
    doc, _number, _signer, docx_bytes, _pdf = demo_documents[name]
    assert _looks(docx_bytes, "ĐẢNG CỘNG SẢN VIỆT NAM") == {(True, False, 15.0)}
    title = _looks(docx_bytes, doc.title)
    assert all(bold and not italic and 15 <= size <= 16 for bold, italic, size in title), title
    summary = _looks(docx_bytes, doc.summary)
    assert all(bold and not italic and 14 <= size <= 15 for bold, italic, size in summary), summary
    issuer = doc.letterhead.issuer.upper()
    lines = [line for line in issuer.split("\n") if line.strip()] or [issuer]
    for line in lines:
        assert all(bold and size <= 14 for bold, _i, size in _looks(docx_bytes, line)), line
