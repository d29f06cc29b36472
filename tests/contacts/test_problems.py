"""An import's problems come back by row however many there are, spilled to disk past a limit."""

from __future__ import annotations

import random

import pytest

from herald.contacts.importing.problems import Problems


def problem(row: int, n: int = 0) -> dict[str, object]:
    return {"row": row, "field": "phone", "value": f"v{n}", "reason": f"reason {n}"}


def test_it_hands_problems_back_by_row_with_one_rows_problems_in_the_order_found() -> None:
    rows = list(range(1, 51)) * 2
    random.Random(4).shuffle(rows)
    found = [problem(row, n) for n, row in enumerate(rows)]
    for limit in (7, 1000):  # spilled in sorted runs, and held in memory
        problems = Problems(found, limit=limit)
        assert list(problems) == sorted(found, key=lambda p: p["row"])
        assert len(problems) == 100 and problems


def test_spilled_runs_can_be_read_side_by_side_and_again() -> None:
    problems = Problems(limit=3)
    problems.extend(problem(row) for row in (9, 1, 5, 3, 8, 2, 7))
    assert problems._runs  # the limit was passed: the first runs are on disk
    first, second = iter(problems), iter(problems)
    assert [next(first)["row"], next(second)["row"], next(first)["row"]] == [1, 1, 2]
    assert [p["row"] for p in problems] == [1, 2, 3, 5, 7, 8, 9]
    assert [p["row"] for p in problems] == [1, 2, 3, 5, 7, 8, 9]


def test_it_answers_by_position_and_slice_and_compares_with_a_list() -> None:
    problems = Problems([problem(4), problem(2), problem(3)], limit=2)
    assert problems[0]["row"] == 2 and problems[2]["row"] == 4
    assert [p["row"] for p in problems[:2]] == [2, 3]
    assert problems == [problem(2), problem(3), problem(4)]
    assert problems != [problem(2)]
    with pytest.raises(IndexError, match="problem 3 of 3"):
        problems[3]


def test_closing_removes_what_was_spilled() -> None:
    problems = Problems([problem(n) for n in range(10)], limit=4)
    runs = list(problems._runs)
    problems.close()
    assert all(run.closed for run in runs)
    assert len(problems) == 0 and not problems and list(problems) == []
