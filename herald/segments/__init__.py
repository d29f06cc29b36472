"""Segments room. The filter language (`dsl`, pure), its compiler to parameterized SQL (`compile`) and
audience queries. Reads contacts and tags; owns no table yet (saved segments arrive with scoring)."""
