"""The export files without AWS: cells neutralised against formula injection, CSV as RFC 4180
writes it (read back with the csv module), XLSX opened with openpyxl and continued on a second
sheet past Excel's row limit, and the export request's problems listed at once."""

import csv
import io

import openpyxl
import pytest

from ordersync.exports import writers
from ordersync.exports.cells import cell, csv_cell, neutralise
from ordersync.exports.jobs import ExportFormat, ExportKind
from ordersync.exports.requests import parse_export
from ordersync.history.query import InvalidQuery


class Sink:
    """A sink that cannot seek, as a multipart upload cannot."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def data(self) -> bytes:
        return b"".join(self.chunks)


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@A1", "\tx", "\rx", '=HYPERLINK("x")'])
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert neutralise(text) == f"'{text}"
    assert cell(text) == f"'{text}"


@pytest.mark.parametrize("text", ["WEB-1", "a=b", " =1", "'quoted", ""])
def test_other_text_is_left_alone(text):
    assert neutralise(text) == text


def test_numbers_and_booleans_are_values_not_text():
    assert [cell(v) for v in (-3, 2.5, True, None)] == [-3, 2.5, True, None]
    assert [csv_cell(v) for v in (-3, True, False, None)] == ["-3", "true", "false", ""]
    assert cell(["=a"]) == "['=a']"  # a nested value is its text, which does not start with =


def test_csv_is_rfc_4180_crlf_quoted_and_doubled_quotes():
    sink = Sink()
    sheet = writers.CsvWriter(sink, ["id", "message"])
    sheet.row(["A", 'He said "no", then\r\nleft'])
    sheet.row(["=cmd", None])
    sheet.close()
    data = sink.data()
    assert data == (b'id,message\r\nA,"He said ""no"", then\r\nleft"\r\n\'=cmd,\r\n')
    assert list(csv.reader(io.StringIO(data.decode(), newline=""))) == [
        ["id", "message"],
        ["A", 'He said "no", then\r\nleft'],
        ["'=cmd", ""],
    ]


def test_xlsx_continues_on_another_sheet_past_the_row_limit(monkeypatch):
    monkeypatch.setattr(writers, "SHEET_ROWS", 3)  # the header and two rows a sheet
    sink = Sink()
    sheet = writers.writer(ExportFormat.XLSX, sink, ["n", "text"], "history")
    for n in range(5):
        sheet.row([n, "=x" if n == 4 else f"row {n}"])
    sheet.close()
    book = openpyxl.load_workbook(io.BytesIO(sink.data()))
    assert book.sheetnames == ["history", "history (2)", "history (3)"]
    rows = [list(s.iter_rows(values_only=True)) for s in book.worksheets]
    assert rows[0] == [("n", "text"), (0, "row 0"), (1, "row 1")]
    assert rows[2] == [("n", "text"), (4, "'=x")]


def test_an_empty_xlsx_export_still_has_its_header():
    sink = Sink()
    writers.writer(ExportFormat.XLSX, sink, ["alertId"], "alerts").close()
    sheet = openpyxl.load_workbook(io.BytesIO(sink.data())).active
    assert list(sheet.iter_rows(values_only=True)) == [("alertId",)]


def test_an_export_request_defaults_to_csv_and_keeps_the_filters_to_run_again():
    request = parse_export(ExportKind.ALERTS, {"level": "error", "columns": "code"})
    assert request.format is ExportFormat.CSV
    assert request.params == {"level": "error", "columns": "code"}
    assert request.columns() == ("alertId", "code")
    history = parse_export(ExportKind.HISTORY, {"format": "xlsx"})
    assert history.format is ExportFormat.XLSX
    assert history.columns()[:3] == ("createdAt", "orderId", "identifier")


def test_every_problem_of_an_export_request_is_listed():
    with pytest.raises(InvalidQuery) as refused:
        parse_export(
            ExportKind.HISTORY,
            {"format": "pdf", "limit": "10", "cursor": "x", "httpCode": "abc", "status": "open"},
        )
    assert {p["loc"][1] for p in refused.value.problems} == {
        "format",
        "limit",
        "cursor",
        "httpCode",
        "status",
    }
