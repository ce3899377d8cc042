"""The one spreadsheet writer (core/spreadsheets.py): XLSX that round-trips through openpyxl, several sheets,
bold rows, streamed with flat memory; CSV; formulae neutralised in every cell."""

import csv
import datetime as dt
import io
import tracemalloc

import openpyxl

from core.spreadsheets import Bold, Sheet, csv_response, stream_xlsx, xlsx_bytes

# --- the writer -----------------------------------------------------------------------------------------------


def test_writer_round_trips_through_openpyxl():
    rows = [
        ["Nguyễn Văn A", dt.date(1990, 2, 28), 3, 2.5, None, "a < b & c > d"],
        ["Ký tự \x01 cấm\x0b bỏ", dt.datetime(2021, 3, 25, 9, 30), 0, -1.25, "", "  giữ khoảng trắng  "],
    ]
    data = xlsx_bytes([Sheet("Thử: [1]", rows, headers=["Tên", "Ngày", "Số", "Thực", "Trống", "Chữ"])])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Thử   1"
    got = list(sheet.iter_rows(values_only=True))
    assert got[0] == ("Tên", "Ngày", "Số", "Thực", "Trống", "Chữ")
    assert got[1] == ("Nguyễn Văn A", dt.datetime(1990, 2, 28), 3, 2.5, None, "a < b & c > d")
    assert got[2] == ("Ký tự  cấm bỏ", dt.datetime(2021, 3, 25), 0, -1.25, None, "  giữ khoảng trắng  ")
    assert sheet["B2"].number_format == "dd/mm/yyyy" and sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_writer_streams_in_pieces_with_flat_memory():
    row = ["S00001", "Nguyễn Văn Thử", dt.date(1990, 1, 1), "Nam", "0001234", dt.date(2020, 1, 1)]
    tracemalloc.start()
    pieces, size = 0, 0
    for chunk in stream_xlsx(
        [Sheet("S", (row for _ in range(30_000)), headers=["a", "b", "c", "d", "e", "f"])]
    ):
        pieces += 1
        size += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert pieces > 30  # handed on as it is written, not at the end
    assert peak < 10 * 2**20, peak  # 30,000 rows in under 10 MB: the rows are never all held


def test_several_sheets_bold_rows_and_every_cell_neutralised():
    data = xlsx_bytes(
        [
            Sheet("Tổng hợp", [Bold(["Tiêu đề"]), ["=cmd|' /C calc'!A0", 3], ["-2+3", None]]),
            Sheet("Tổng hợp", [["@SUM(A1)"]], headers=["Cột"]),
        ]
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Tổng hợp", "Tổng hợp 2"]
    first = book["Tổng hợp"]
    assert first["A1"].font.b and not first["A2"].font.b and first.freeze_panes is None
    assert (
        first["A2"].value == "'=cmd|' /C calc'!A0" and first["B2"].value == 3 and first["A3"].value == "'-2+3"
    )
    assert book["Tổng hợp 2"]["A2"].value == "'@SUM(A1)"


def test_csv_has_a_byte_order_mark_dates_dd_mm_yyyy_and_neutralised_cells():
    response = csv_response(["Tên", "Ngày"], [["+84 912", dt.date(2021, 3, 5)]], "thu")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff") and response["Content-Disposition"] == 'attachment; filename="thu.csv"'
    assert list(csv.reader(io.StringIO(body[1:]))) == [["Tên", "Ngày"], ["'+84 912", "05/03/2021"]]
