"""The `herald contacts` group and what its commands share."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from herald.console import out
from herald.contacts.export import safe_cell

app = typer.Typer(help="Import, inspect and manage contacts, consent and suppression.", no_args_is_help=True)


def count_lines(path: Path) -> int | None:
    try:
        with path.open("rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)
    except OSError:
        return None


UntilOption = Annotated[str | None, typer.Option("--until", help="Lift it then (YYYY-MM-DD, UTC); default: never.")]


def write_problems(path: Path, problems: Iterable[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["row", "field", "value", "reason"])
        writer.writeheader()
        for p in problems:
            writer.writerow({k: safe_cell(v) for k, v in p.items()})


def print_consents(data: dict) -> None:
    for c in data["consents"]:
        proven = "with proof" if c["proven"] else "no proof recorded"
        out.print(
            f"{c['channel']}/{c['purpose']}: {c['status']} since {c['since']:%Y-%m-%d %H:%M} ({c['source']}, {proven})"
        )
    out.print("History:")
    for e in data["consent_history"]:
        out.print(
            f"  {e['at']:%Y-%m-%d %H:%M} {e['channel']}/{e['purpose']} {e['status']} via {e['source']}"
            f" — {proof_text(e)}"
        )


def proof_text(event: dict) -> str:
    proof = ", ".join(str(x) for x in (event["evidence"], event["ip"] and f"IP {event['ip']}") if x)
    origin = f"; from {event['provenance']}" if event.get("provenance") else ""
    return (f"proof: {proof}" if proof else "no proof") + origin
