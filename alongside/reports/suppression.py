"""Small-cell suppression: no aggregate shows a figure about fewer than 11 people.

Primary suppression hides every cell about 1 to 10 people (zero is shown: it describes
no one). A hidden cell must not be recoverable by subtraction, so wherever a total is
shown (a total row under its rows, a total column beside its cells), a row or column
with exactly one hidden part gets a second one hidden: the smallest other non-zero
part, or the total itself when every other part is zero. This repeats until nothing
changes (hiding in a column can expose a row again).
"""

from __future__ import annotations

from alongside.reports.result import Cell, Table

THRESHOLD = 11


def is_small(cell: Cell) -> bool:
    return cell.people is not None and 0 < cell.people < THRESHOLD


def _hide_second(parts: list[Cell], total: Cell | None) -> bool:
    """If exactly one of ``parts`` is hidden (and the total shown), hide another."""
    hidden = [c for c in parts if c.suppressed]
    if len(hidden) != 1 or total is None or total.suppressed:
        return False
    candidates = [c for c in parts if not c.suppressed and c.value not in (0, None)]
    if candidates:
        min(candidates, key=lambda c: (c.people or 0, c.value)).suppressed = True
    else:
        total.suppressed = True
    return True


def suppress(table: Table) -> Table:
    """Suppress in place (and return) the table's small cells and their complements."""
    for row in table.rows:
        for cell in row.cells:
            if is_small(cell):
                cell.suppressed = True
    parts_rows = [row for row in table.rows if not row.is_total]
    total_row = next((row for row in table.rows if row.is_total), None)
    width = len(table.columns)
    changed = True
    while changed:
        changed = False
        if table.row_total:
            for row in table.rows:
                changed |= _hide_second(row.cells[:-1], row.cells[-1])
        if total_row is not None:
            for col in range(width):
                column = [row.cells[col] for row in parts_rows]
                changed |= _hide_second(column, total_row.cells[col])
    return table
