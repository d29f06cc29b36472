"""A campaign's results as a spreadsheet: one row per breakdown and value (all, each channel, variant,
region, carrier, sender and local hour) with the funnel's counts and rates. Every cell is text with
formulas neutralized; an XLSX sheet holds strings only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from herald.analytics.reports.funnel import DIMENSIONS
from herald.analytics.tallies.ledger import STAGES
from herald.errors import Invalid
from herald.types import safe_cell

RATES = ("sent_rate", "delivered_rate", "read_rate", "clicked_rate", "converted_rate")
HEADER = ["breakdown", "value", *STAGES, *RATES]


def result_rows(results: dict[str, Any]) -> list[list[str]]:
    """The results' rows, header first."""
    rows = [HEADER, _row("all", "all", results["funnel"])]
    for dimension in (*DIMENSIONS, "local_hour"):
        for value, figures in results[f"by_{dimension}"].items():
            rows.append(_row(dimension, value, figures))
    return rows


def _row(breakdown: str, value: str, figures: dict[str, Any]) -> list[str]:
    cells = [breakdown, value, *(figures[s] for s in STAGES), *(figures[r] for r in RATES)]
    return [safe_cell("" if c is None else str(c)) for c in cells]


def write_results(results: dict[str, Any], path: Path) -> int:
    """Write the rows to `path` (.csv or .xlsx); returns how many, the header not counted."""
    rows = result_rows(results)
    if path.suffix.lower() == ".csv":
        import csv

        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(rows)
    elif path.suffix.lower() == ".xlsx":
        _xlsx(rows, path)
    else:
        raise Invalid(f"name a .csv or .xlsx file, got {path.name!r}", where="--export")
    return len(rows) - 1


def _xlsx(rows: list[list[str]], path: Path) -> None:
    import xlsxwriter

    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(str(path), options)
    sheet = book.add_worksheet("Results")
    try:
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                sheet.write_string(r, c, text)
    finally:
        book.close()
