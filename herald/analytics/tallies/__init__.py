"""A campaign's figures kept per group as its messages change, so that its results read a few thousand
groups instead of grouping every message it sent.

- `ledger` — what the figures read of each message, shared with the figures read straight from the ledger;
- `parts` — one message's part in the figures: as the ledger has it now, and as the tally last took it;
- `tally` — a campaign's groups in memory, moved by messages' old and new parts;
- `changes` — the messages that may have changed since the tally was last folded;
- `folding` — the worker's pass that folds them in; `reading` — results read from the tally.
"""
