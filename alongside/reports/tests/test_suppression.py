"""Small cells are hidden, and so is whatever would reveal them by subtraction."""

from alongside.reports.result import Cell, Row, Table
from alongside.reports.suppression import suppress


def _table(rows, *, row_total=False, columns=None):
    width = len(rows[0][1])
    return Table(
        key="t",
        title="t",
        columns=columns or [f"c{i}" for i in range(width)],
        rows=[
            Row(label, [Cell(v, people=v) for v in values], is_total=label == "Total")
            for label, values in rows
        ],
        row_total=row_total,
    )


def _hidden(table):
    return [[c.suppressed for c in row.cells] for row in table.rows]


def test_cells_about_one_to_ten_people_are_hidden_zero_and_eleven_are_not():
    table = suppress(_table([("a", [0]), ("b", [1]), ("c", [10]), ("d", [11])]))
    assert _hidden(table) == [[False], [True], [True], [False]]


def test_a_lone_hidden_part_of_a_total_row_takes_the_next_smallest_with_it():
    table = suppress(_table([("a", [5]), ("b", [40]), ("c", [30]), ("Total", [75])]))
    # 5 alone could be read off as 75 - 40 - 30; the smallest other part goes too.
    assert _hidden(table) == [[True], [False], [True], [False]]


def test_when_every_other_part_is_zero_the_total_is_hidden():
    table = suppress(_table([("a", [4]), ("b", [0]), ("Total", [4])]))
    assert _hidden(table) == [[True], [False], [True]]


def test_two_hidden_parts_need_no_more():
    table = suppress(_table([("a", [4]), ("b", [3]), ("c", [30]), ("Total", [37])]))
    assert _hidden(table) == [[True], [True], [False], [False]]


def test_row_totals_are_protected_too_and_the_rule_repeats_until_stable():
    table = suppress(
        _table(
            [
                ("a", [3, 20, 30, 53]),
                ("b", [25, 20, 12, 57]),
                ("Total", [28, 40, 42, 110]),
            ],
            row_total=True,
        )
    )
    hidden = _hidden(table)
    # Row a: 3 hidden, 20 with it. Column 0: 3 hidden alone → 25 too; column 1: 20
    # hidden alone → 20 in row b too; row b then has two hidden.
    assert hidden[0] == [True, True, False, False]
    assert hidden[1][:2] == [True, True]
    for row in table.rows:
        assert sum(c.suppressed for c in row.cells[:-1]) != 1
    for col in range(3):
        parts = [table.rows[r].cells[col].suppressed for r in range(2)]
        assert sum(parts) != 1


def test_cells_that_are_not_about_people_are_never_hidden():
    table = Table(key="t", title="t", columns=["capacity"], rows=[Row("x", [Cell(3)])])
    assert _hidden(suppress(table)) == [[False]]
