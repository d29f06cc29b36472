"""`herald campaigns …`: making and reading campaigns (`making`); starting, scheduling, pausing, preflight
and choosing a winner (`lifecycle`), on the same command group."""

from herald.campaigns.cli.making import app

__all__ = ["app"]
