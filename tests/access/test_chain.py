"""The audit log's hash chain: each entry fits the one before it, and any change shows."""

from __future__ import annotations

import pytest

from herald.access import chain


def entries(n: int) -> list[dict]:
    made, previous = [], chain.GENESIS
    for i in range(1, n + 1):
        fields = {
            "at": f"2026-03-10T14:00:0{i}",
            "actor": "ada",
            "actor_kind": "user",
            "origin": "10.0.0.1",
            "action": "api contacts.erase",
            "subject": f"contact_id={i}",
            "outcome": "done",
            "detail": {"n": i},
        }
        digest = chain.entry_hash(previous, fields)
        made.append({**fields, "id": i, "prev_hash": previous, "hash": digest})
        previous = digest
    return made


def test_an_untouched_log_verifies_to_its_head() -> None:
    log = entries(4)
    found = chain.verify(log)
    assert (found.entries, found.head, found.broken_at) == (4, log[-1]["hash"], None)


def test_an_empty_log_is_whole() -> None:
    assert chain.verify([]) == chain.Verified(0, chain.GENESIS, None, None)


@pytest.mark.parametrize(
    ("tamper", "broken_at", "reason"),
    [
        (lambda log: log[1].update(actor="mallory"), 2, "changed"),
        (lambda log: log[2]["detail"].update(n=99), 3, "changed"),
        (lambda log: log.pop(1), 3, "removed"),
        (lambda log: log.insert(1, log.pop(2)), 3, "removed"),  # reordered
    ],
)
def test_a_changed_removed_or_reordered_entry_breaks_the_chain(tamper, broken_at: int, reason: str) -> None:
    log = entries(4)
    tamper(log)
    found = chain.verify(log)
    assert found.broken_at == broken_at and reason in (found.reason or "")


def test_the_hash_does_not_depend_on_key_order() -> None:
    a = {"actor": "ada", "detail": {"x": 1, "y": 2}, "at": "t"}
    b = {"at": "t", "detail": {"y": 2, "x": 1}, "actor": "ada"}
    assert chain.entry_hash(chain.GENESIS, a) == chain.entry_hash(chain.GENESIS, b)
