"""The two file formats, each written row by row into a binary sink (an in-memory buffer for a
direct answer, a multipart upload for a job), so an export's size never has to fit in memory.

CSV follows RFC 4180 through the csv module: CRLF line ends, fields quoted when they hold a
comma, a quote or a line break, quotes doubled. XLSX comes from openpyxl's write-only mode,
which keeps rows in a temporary file and zips them into the sink at the end."""

import csv
import io
from collections.abc import Sequence
from typing import Any, Protocol

from ordersync.exports.cells import cell, csv_cell
from ordersync.exports.jobs import ExportFormat

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.XLSX: XLSX_TYPE}
SHEET_ROWS = 1_048_576  # Excel's rows per sheet, the header included


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...
    def flush(self) -> None: ...


class SheetWriter(Protocol):
    def row(self, values: Sequence[Any]) -> None: ...
    def close(self) -> None: ...


class CsvWriter:
    """Rows go through the csv module into a small text buffer, then into the sink as UTF-8."""

    def __init__(self, sink: Sink, columns: Sequence[str]) -> None:
        self._sink = sink
        self._text = io.StringIO()
        self._csv = csv.writer(self._text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self.row(columns)

    def row(self, values: Sequence[Any]) -> None:
        self._csv.writerow([csv_cell(value) for value in values])
        if self._text.tell() >= 64 * 1024:
            self._drain()

    def close(self) -> None:
        self._drain()

    def _drain(self) -> None:
        self._sink.write(self._text.getvalue().encode())
        self._text.seek(0)
        self._text.truncate()


class XlsxWriter:
    """One sheet named after the list, continued on another past Excel's row limit."""

    def __init__(self, sink: Sink, columns: Sequence[str], title: str) -> None:
        # Imported here: only an XLSX export pays for openpyxl.
        from openpyxl import Workbook

        self._sink = sink
        self._columns = [cell(name) for name in columns]
        self._title = title
        self._book = Workbook(write_only=True)
        self._sheets = 0
        self._rows = SHEET_ROWS
        self._sheet: Any = None

    def row(self, values: Sequence[Any]) -> None:
        if self._rows >= SHEET_ROWS:
            self._sheets += 1
            suffix = f" ({self._sheets})" if self._sheets > 1 else ""
            self._sheet = self._book.create_sheet(f"{self._title}{suffix}")
            self._sheet.append(self._columns)
            self._rows = 1
        self._sheet.append([cell(value) for value in values])
        self._rows += 1

    def close(self) -> None:
        if self._sheet is None:  # no rows: the header alone
            self._sheet = self._book.create_sheet(self._title)
            self._sheet.append(self._columns)
        # zipfile writes to a sink that cannot seek (a multipart upload) with data descriptors.
        self._book.save(self._sink)


def writer(format_: ExportFormat, sink: Sink, columns: Sequence[str], title: str) -> SheetWriter:
    if format_ is ExportFormat.XLSX:
        return XlsxWriter(sink, columns, title)
    return CsvWriter(sink, columns)
