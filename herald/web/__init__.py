"""Web room: the REST API under /api/v1 (and, later, the operator UI). Thin: parse, call a service or a
query, format. `create_app(container)` is the only way in."""

from herald.web.app import create_app

__all__ = ["create_app"]
