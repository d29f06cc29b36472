"""Commands that belong in another room's group but live above it in the flow, each declaring where it
joins in its module's JOINS: a person's export and erasure (`people`, under contacts), a template's preview
and Meta's review (`preview`, `meta`, under templates), the policy playground (`playground`, under rules)."""
