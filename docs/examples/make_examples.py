"""Makes the example pages of the official documents from a scratch demo database:

    rm -f /tmp/demo.sqlite3
    export DJANGO_DEBUG=True DATABASE_URL=sqlite:////tmp/demo.sqlite3
    python manage.py migrate && python manage.py load_demo
    python docs/examples/make_examples.py            # from the repository's root

It numbers the demo's 2021 annual summary, organisation 05's report for Q1/2021 and the 2021 dashboard brief
through the register (as a clerk would: issue date, signer, recipients), writes each document as PDF and DOCX to
test-artifacts/examples/, converts each DOCX with LibreOffice, and renders page 1 of each PDF to
docs/examples/*.png (pdftoppm, 80 dpi) — plus page 1 of the DOCX as LibreOffice lays it out (*-docx.png).
"""

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khoi_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from organizations.models import Organization, OutgoingDocument  # noqa: E402
from organizations.services import outgoing_document_issue  # noqa: E402
from reports import documents  # noqa: E402
from reports.models import PeriodicReport, ReportingPeriod  # noqa: E402
from targets.documents import DASHBOARD_KIND, brief_subject, dashboard_document  # noqa: E402

OUT = ROOT / "test-artifacts" / "examples"
PNG = ROOT / "docs" / "examples"


def issue(**kwargs):
    existing = OutgoingDocument.objects.filter(
        subject_kind=kwargs["subject_kind"], subject_ref=kwargs["subject_ref"]
    ).first()
    return existing or outgoing_document_issue(**kwargs)


def page_one(pdf: Path, png: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        f"{tmp}/page"], check=True)  # fmt: skip
        Path(f"{tmp}/page.png").replace(png)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    staff = get_user_model().objects.get(username="vanphong")
    secretary = get_user_model().objects.get(username="bithu05")
    year_2021 = ReportingPeriod.objects.get(kind="year", year=2021, number=1)
    q1 = ReportingPeriod.objects.get(kind="quarter", year=2021, number=1)
    org05 = Organization.objects.get(code="05")
    report = PeriodicReport.objects.get(organization=org05, period=q1)
    bloc = {"organization": None, "doc_type": "BC", "signer_title": "BÍ THƯ", "by": staff}
    issue(
        **bloc,
        subject_kind=documents.SUMMARY_KIND,
        subject_ref=str(year_2021.pk),
        subject=documents.summary_subject(year_2021),
        issued_on=dt.date(2022, 1, 25),
        signer_name="Nguyễn Văn Hùng",
        recipients="Thường trực Tỉnh ủy (để báo cáo)\nBan Tổ chức Tỉnh ủy (để báo cáo)\n"
        "Các tổ chức cơ sở đảng trực thuộc\nLưu Văn phòng Đảng ủy Khối",
    )
    issue(
        **bloc,
        subject_kind=DASHBOARD_KIND,
        subject_ref="2021",
        subject=brief_subject(2021),
        issued_on=dt.date(2022, 1, 26),
        signer_name="Nguyễn Văn Hùng",
        recipients="Thường trực Đảng ủy Khối\nCác đồng chí Ủy viên Ban Thường vụ Đảng ủy Khối\n"
        "Lưu Văn phòng Đảng ủy Khối",
    )
    issue(
        organization=org05,
        doc_type="BC",
        subject_kind=documents.REPORT_KIND,
        subject_ref=str(report.pk),
        subject=documents.report_subject(report),
        issued_on=dt.date(2021, 4, 8),
        signer_name="Trần Thị Lan",
        signer_title="BÍ THƯ",
        recipients="Đảng ủy Khối (để báo cáo)\nLưu Chi bộ",
        by=secretary,
    )
    today = dt.date.today()
    docs = {
        "summary-2021": documents.summary_document(year_2021, today=today),
        "report-05-q1-2021": documents.report_document(report, today=today),
        "dashboard-2021": dashboard_document(2021, today=today),
    }
    for name, doc in docs.items():
        for fmt in ("pdf", "docx"):
            data, _, _ = documents.write(doc, fmt)
            (OUT / f"{name}.{fmt}").write_bytes(data)
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(OUT / "docx"),
             str(OUT / f"{name}.docx")],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        page_one(OUT / f"{name}.pdf", PNG / f"{name}.png")
        page_one(OUT / "docx" / f"{name}.pdf", PNG / f"{name}-docx.png")
        pages = subprocess.run(["pdfinfo", str(OUT / f"{name}.pdf")], capture_output=True, text=True).stdout
        print(name, next(line for line in pages.splitlines() if line.startswith("Pages")))


if __name__ == "__main__":
    main()
