"""Web room: the REST API under /api/v1 (and, later, the operator UI). Thin: parse, call a service or a
query, format. `create_app(container)` is one workspace's app; `create_server(container)` serves every workspace."""

from herald.web.app import create_app
from herald.web.background import free_port, serving_api
from herald.web.server import create_server

__all__ = ["create_app", "create_server", "free_port", "serving_api"]
