"""Reading the UI's posted forms: URL-encoded fields (the first of each), refused past a size no form of
the UI reaches."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from herald.errors import Invalid

MAX_FORM = 512 << 10  # a template's text is the largest thing a form carries


async def form_fields(request: Request) -> dict[str, str]:
    """The form's fields, by name."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise Invalid(f"the form is larger than {MAX_FORM >> 10} KB", where="form")
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


async def form_lists(request: Request) -> dict[str, list[str]]:
    """The form's fields with every value each was given (checkboxes, repeated rows)."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise Invalid(f"the form is larger than {MAX_FORM >> 10} KB", where="form")
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
