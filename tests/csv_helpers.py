"""Reading the CSV files PRB exports, as a spreadsheet program would."""

from __future__ import annotations

import csv
import io

from prb.services.spreadsheet import BYTE_ORDER_MARK


def csv_text(exported) -> str:  # type: ignore[no-untyped-def]
    """An exported CSV file's text (a response or its bytes) without the byte-order mark
    that tells Excel it is UTF-8 — which every export must begin with."""
    data = exported if isinstance(exported, bytes) else exported.get_data()
    text = data.decode("utf-8")
    assert text.startswith(BYTE_ORDER_MARK), "Excel would read this file in the wrong code page"
    return text.removeprefix(BYTE_ORDER_MARK)


def csv_of(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The rows of an exported CSV answer, by column name."""
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    return list(csv.DictReader(io.StringIO(csv_text(response))))
