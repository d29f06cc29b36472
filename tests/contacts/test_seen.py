"""The keys seen in a file answer like a dict of first rows, batch after batch, whatever the batch holds."""

from __future__ import annotations

import random

from herald.contacts.seen import LOOKUP, SeenKeys


def test_it_answers_the_first_row_of_any_key_like_a_dict() -> None:
    rng = random.Random(5)
    table, truth, row = SeenKeys(), {}, 0
    pool = [rng.getrandbits(64) - (1 << 63) for _ in range(3000)] + [0, 1, -1]
    for size in (1, 7, 500, 4000, 2, 6000):  # batches small and past one lookup's worth of keys
        batch = []
        for _ in range(size):
            row += 1
            batch.append((row, rng.sample(pool, rng.randint(0, 3))))
        expected = []
        for r, hashes in batch:
            earlier = [truth[h] for h in hashes if h in truth]
            expected.append(earlier[0] if earlier else None)
            for h in hashes:
                truth.setdefault(h, r)
        assert table.firsts(batch) == expected
    assert len(table) == len(truth) and len(truth) > LOOKUP // 2
    table.close()


def test_a_row_names_the_earlier_row_of_its_first_key_seen_and_records_its_other_keys() -> None:
    table = SeenKeys()
    assert table.firsts([(2, [10]), (3, [20])]) == [None, None]
    # Row 4 shares key 20 with row 3 and brings key 30; row 5 then matches row 4 through key 30.
    assert table.firsts([(4, [30, 20, 10]), (5, [30])]) == [3, 4]
    assert len(table) == 3


def test_closing_removes_the_store_and_a_new_one_starts_empty() -> None:
    table = SeenKeys()
    table.firsts([(1, [5])])
    table.close()
    assert table._db is None
    assert SeenKeys().firsts([(1, [5])]) == [None]
