"""The first row that came to each contact answers like a dict, across pages of ids near and far."""

from __future__ import annotations

import random

from herald.contacts.importing.batches import PAGE, FirstRows


def test_it_answers_the_first_row_of_each_contact_like_a_dict() -> None:
    rng = random.Random(5)
    firsts, truth = FirstRows(), {}
    ids = [rng.randrange(1, 50 * PAGE) for _ in range(3000)] + [0, PAGE - 1, PAGE, 10**9]
    for row in range(20_000):
        contact = rng.choice(ids)
        assert firsts.first(contact, row) == truth.get(contact)
        truth.setdefault(contact, row)
    assert len(firsts) == len(truth)


def test_row_zero_is_remembered_and_pages_are_made_only_where_ids_fall() -> None:
    firsts = FirstRows()
    assert [firsts.first(7, 0), firsts.first(7, 3), firsts.first(PAGE * 1000 + 7, 4)] == [None, 0, None]
    assert sorted(firsts.pages) == [0, 1000]
