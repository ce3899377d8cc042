"""Test helpers for official documents: open a DOCX in LibreOffice and read its text back, read a PDF's fonts.
Shared by the apps' document tests (LibreOffice and poppler are installed by .ci/run)."""

import os
import shutil
import subprocess

import pytest


def _need(tool: str) -> None:
    if shutil.which(tool) is None:
        message = f"{tool} not found: apt-get install -y libreoffice-writer-nogui poppler-utils"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def libreoffice_text(data: bytes, tmp_path) -> str:
    """The DOCX opened and converted to PDF by LibreOffice (its own profile, so runs never collide), then read
    back as text with poppler's pdftotext."""
    _need("soffice")
    _need("pdftotext")
    source = tmp_path / "document.docx"
    source.write_bytes(data)
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "out"), str(source)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "out" / "document.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    return " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split()
    )


def pdf_fonts(data: bytes, tmp_path) -> str:
    _need("pdffonts")
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def assert_times_compatible(data: bytes, tmp_path) -> None:
    """Every font of the PDF is the embedded Liberation Serif (metrics of Times New Roman), never DejaVu."""
    rows = pdf_fonts(data, tmp_path).splitlines()[2:]
    assert rows, "no font in the PDF"
    for row in rows:
        assert row.split()[0].split("+")[-1].startswith("Liberation-Serif"), row
        assert " yes " in row, f"not embedded: {row}"


def pdf_pages(pdf: bytes, tmp_path) -> int:
    """How many pages the PDF has (poppler's pdfinfo)."""
    _need("pdfinfo")
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
