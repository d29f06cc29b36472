"""The table of keys seen in a file answers like a dict, through growth, collisions of slots and key 0."""

from __future__ import annotations

import random

from herald.contacts.seen import SeenKeys


def test_it_remembers_the_first_row_of_every_key_like_a_dict() -> None:
    rng = random.Random(5)
    table, truth = SeenKeys(capacity=4), {}
    for row in range(20_000):
        key = rng.choice([rng.getrandbits(64) - (1 << 63), rng.randint(-50, 50), 0, 1])  # repeats and clashes
        assert table.first(key, row) == truth.get(key or 1)
        truth.setdefault(key or 1, row)
    assert len(table) == len(truth) and 4 * len(truth) <= 3 * (table.mask + 1)


def test_slots_that_collide_probe_onwards() -> None:
    table = SeenKeys(capacity=8)
    assert [table.first(k, r) for k, r in ((8, 1), (16, 2), (8, 3), (16, 4), (24, 5))] == [None, None, 1, 2, None]
