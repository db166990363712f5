"""What a report computes: tables of cells, each cell knowing how many people are behind
it, so suppression (suppression.py) can hide small cells wherever the numbers go next
(page, CSV, XLSX, PDF, API)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Cell:
    """One figure. ``people`` is how many distinct people it describes (None: not a figure
    about people, e.g. a capacity); ``suppressed`` is set by suppression, never by hand."""

    value: Any
    people: int | None = None
    suppressed: bool = False

    @property
    def shown(self) -> Any:
        return None if self.suppressed else self.value


@dataclass
class Row:
    label: str
    cells: list[Cell]
    # A total row is the sum of the rows above it (for complementary suppression).
    is_total: bool = False


@dataclass
class Chart:
    """How to draw a table: bars of one column per row, or each row's columns stacked."""

    kind: str  # "bars" | "stacked"
    column: int = 0  # for "bars": which column is drawn
    unit: str = ""


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]  # headers of the cells (the row label's header is ``label_header``)
    rows: list[Row]
    label_header: str = ""
    # The last column is the sum of the others in its row.
    row_total: bool = False
    note: str = ""
    chart: Chart | None = None

    @property
    def suppressed_count(self) -> int:
        return sum(cell.suppressed for row in self.rows for cell in row.cells)


@dataclass
class Report:
    name: str
    title: str
    start: datetime.date
    end: datetime.date
    tables: list[Table]
    notes: list[str] = field(default_factory=list)

    @property
    def suppressed_count(self) -> int:
        return sum(table.suppressed_count for table in self.tables)
