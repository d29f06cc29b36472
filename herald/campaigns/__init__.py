"""Campaigns room. Owns `campaigns`. Reads contacts, tags, segments, content and the outbox ledger to
gather facts in bulk (`facts`) and turns a campaign into outbox rows, one decision and trail per
recipient (`planner`); writes messages only through the outbox service."""
