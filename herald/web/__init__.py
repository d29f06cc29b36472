"""Web room: the REST API under /api/v1 (and, later, the operator UI). Thin: parse, call a service or a
query, format. `create_app(container)` is the only way in."""

from herald.web.app import create_app
from herald.web.background import free_port, serving_api

__all__ = ["create_app", "free_port", "serving_api"]
