"""The report of an import: every row in exactly one bucket, the problems by row, how the file was read."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

from herald.contacts.importing.problems import Problems


@dataclass
class ImportReport:
    """What happened to every row; buckets add up to `rows`."""

    source: str
    rows: int = 0
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("imported", "updated", "unchanged", "duplicate", "conflict", "invalid"), 0
        )
    )
    problems: Problems = field(default_factory=Problems)  # by row; spilled to disk when many
    mapping: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    read_as: dict[str, Any] = field(default_factory=dict)  # kind, encoding (and whether guessed), delimiter
    preview: list[dict[str, Any]] = field(default_factory=list)  # the first rows as they will be stored
    # row -> (bucket, contact id), for callers that answer per item (the API); a file import keeps none.
    outcomes: dict[int, tuple[str, int | None]] | None = None
    # tag name -> the contacts its rows came to (an array: a million rows' ids in 8 MB), for the tags room;
    # and what it did with them, when it has (`tagged`).
    tags: dict[str, array] = field(default_factory=dict)
    tagged: dict[str, dict[str, Any]] = field(default_factory=dict)

    def tag(self, contact_id: int, names: tuple[str, ...]) -> None:
        for name in names:
            self.tags.setdefault(name, array("q")).append(contact_id)

    def outcome(self, row: int, bucket: str, contact_id: int | None = None) -> None:
        if self.outcomes is not None:
            self.outcomes[row] = (bucket, contact_id)

    def problem(self, row: int, fld: str, value: object, reason: str) -> None:
        self.problems.append({"row": row, "field": fld, "value": value, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "rows": self.rows,
            **self.counts,
            "read_as": self.read_as,
            "mapping": self.mapping,
            "preview": self.preview,
            "problems": list(self.problems),
            "tags": {name: self.tagged.get(name) or {"contacts": len(set(ids))} for name, ids in self.tags.items()},
        }
