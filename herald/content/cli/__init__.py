"""`herald templates …`: write, review, lint, export and price templates. The commands are grouped by the
job (`writing`, `review`, `exchange`, `lists`) and all join the one group in `common`."""

# Each module registers its commands; imported in the order `herald templates --help` lists them.
# isort: off
from herald.content.cli import writing, review, exchange, lists  # noqa: F401

# isort: on
from herald.content.cli.common import app

__all__ = ["app"]
