"""`herald events …`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from herald.console import JsonFlag, app_context, emit, out, progress
from herald.contacts import count_lines, write_problems
from herald.events import ingest

app = typer.Typer(help="Record what contacts did: purchases, page views, abandoned carts…", no_args_is_help=True)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="JSON Lines (.jsonl) or CSV/TSV/XLSX with a type column.")],
    unknown: Annotated[
        str, typer.Option(help="Events of unknown phones or emails: reject, or create the contact.")
    ] = "reject",
    default_region: Annotated[str | None, typer.Option(help="Country for numbers without a country code.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding of a CSV; detected when not given.")] = None,
    report: Annotated[Path | None, typer.Option(help="Write every refused row to this CSV.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Record the events of a file; an event id seen before is not recorded twice."""
    container = app_context(ctx).container
    with progress(f"Recording {file.name}", count_lines(file)) as advance, container.uow() as uow:
        result = ingest.import_events(
            uow,
            file,
            container.clock.now(),
            unknown=unknown,
            default_region=default_region or container.settings.default_region,
            encoding=encoding,
            erasure_key=container.settings.erasure_keys,
            progress=advance,
            after=container.after_events,
        )
    if report:
        write_problems(
            report, [{"row": p["row"], "field": "", "value": "", "reason": p["reason"]} for p in result.problems]
        )
    emit(ctx, json_out, result.as_dict(), lambda: _print_result(result, report))


SHOWN = 10  # refusals listed on screen; --report writes them all


def _print_result(result: ingest.EventsReport, report: Path | None) -> None:
    out.print(
        f"{result.rows} events read from {result.source}: {result.stored} recorded, {result.duplicate} already "
        f"recorded, {result.invalid} refused" + (f" (see {report})" if report and result.invalid else "") + ".",
        markup=False,
    )
    refused = [p for p in result.problems if "recorded already" not in p["reason"]]
    for p in refused[:SHOWN]:
        out.print(f"  row {p['row']}: {p['reason']}", markup=False)
    if len(refused) > SHOWN and not report:
        out.print(f"  … and {len(refused) - SHOWN} more: pass --report FILE to write them all", markup=False)
