"""`herald templates meta-submit` and `meta-sync`: a WhatsApp template version sent to Meta for review
through a `whatsapp_cloud` account, and Meta's decisions read back onto the versions — no status
written by hand."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer

from herald.console import JsonFlag, app_context, emit, out, table
from herald.errors import Invalid, NotFound


def _templates_of(ctx: typer.Context, account: str) -> Any:
    """The template manager of a whatsapp_cloud account that names its business account."""
    from herald.providers import MetaTemplates

    container = app_context(ctx).container
    found = container.accounts.get(account)
    if found is None:
        raise NotFound(f"no provider account named {account!r} (accounts: {', '.join(container.accounts) or 'none'})")
    if found.kind != "whatsapp_cloud":
        raise Invalid(f"a {found.kind} account manages no WhatsApp templates", where=f"[providers.{account}]")
    o = found.options
    if not o.get("waba_id"):
        raise Invalid(
            "set waba_id, the WhatsApp Business Account id, to manage templates", where=f"[providers.{account}]"
        )
    return MetaTemplates(o["waba_id"], o["access_token"], o["base_url"], o["api_version"], float(o["timeout"]))


def _examples(given: list[str]) -> dict[str, str]:
    found = {}
    for item in given:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Invalid(f"expected KEY=VALUE such as body.1=Sita, got {item!r}", where="--example")
        found[key.strip()] = value
    return found


def submit_command(
    ctx: typer.Context,
    name: str,
    account: Annotated[str, typer.Option(help="The whatsapp_cloud account whose business account reviews it.")],
    locale: Annotated[str, typer.Option(help="The version's locale.")] = "en",
    variant: Annotated[str, typer.Option(help="A/B variant (B goes to Meta as NAME_b).")] = "A",
    example: Annotated[
        list[str] | None, typer.Option(help="An example value Meta reviews: body.1=Sita, header.1=…, button.0=…")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Submit an approved WhatsApp template version to Meta for review; its status is kept on the version."""
    from herald import content
    from herald.providers import meta_template_creation

    container = app_context(ctx).container
    manager = _templates_of(ctx, account)
    examples = _examples(example or [])
    with container.uow(dry_run=True) as uow:
        template = content.get_template(uow, name)
        if template.channel != "whatsapp":
            raise Invalid(f"{name} is a {template.channel} template", where="NAME")
        version = content.approved_versions(uow, template.id).get((content.normalize_locale(locale), variant.upper()))
        if version is None:
            raise NotFound(f"{name} has no approved {locale} version of variant {variant.upper()}: approve one first")
        meta_name = name if variant.upper() == "A" else f"{name}_{variant.lower()}"
        needed = content.whatsapp_expressions(version.content)
        code = content.whatsapp_code(version.locale)
        body = meta_template_creation(meta_name, code, version.content, examples, needed)
    answer = asyncio.run(manager.submit(body))
    update = {"name": meta_name, "language": body["language"], "status": answer.get("status"), "id": answer.get("id")}
    with container.uow() as uow:
        content.apply_meta_status(uow, [update], container.clock.now())
    result = {**update, "category": answer.get("category")}
    emit(
        ctx,
        json_out,
        result,
        lambda: out.print(f"{meta_name} ({body['language']}) submitted to Meta: {update['status']}."),
    )


def sync_command(
    ctx: typer.Context,
    account: Annotated[str, typer.Option(help="The whatsapp_cloud account whose templates to read.")],
    json_out: JsonFlag = False,
) -> None:
    """Read every template's status from Meta and keep it on the matching versions."""
    from herald import content

    container = app_context(ctx).container
    found = asyncio.run(_templates_of(ctx, account).statuses())
    with container.uow() as uow:
        changed = content.apply_meta_status(uow, [f for f in found if f["name"] and f["status"]], container.clock.now())
    result = {"templates": found, "versions_changed": changed}
    emit(ctx, json_out, result, lambda: _print(found, changed))


def _print(found: list[dict[str, Any]], changed: int) -> None:
    rows = [[f["name"], f["language"], f["status"], f["reason"] or ""] for f in found]
    table(None, ["template", "language", "Meta status", "reason"], rows)
    out.print(f"{changed} version(s) updated.")


JOINS = {"templates": {"meta-submit": submit_command, "meta-sync": sync_command}}
