"""Segments room. Owns `saved_segments` and `segment_members`. The filter language (`dsl`, pure), its
compiler to parameterized SQL (`compile`), audience queries, and saved segments (dynamic, or static
snapshots) that expressions name as `segment:NAME`. Reads contacts, tags and events."""
