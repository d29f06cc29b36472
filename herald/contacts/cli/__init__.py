"""`herald contacts …`. The commands are grouped by the job (`files`: import, export and verify;
`people`: list, show and stats; `consent`: consent, suppression and the allow-list) and all join the one
group in `common`."""

# Each module registers its commands; imported in the order `herald contacts --help` lists them.
# isort: off
from herald.contacts.cli import files, people, consent  # noqa: F401

# isort: on
from herald.contacts.cli.common import app, count_lines, write_problems

__all__ = ["app", "count_lines", "write_problems"]
