"""Scores room. Owns `contact_scores`: each contact's RFM scores (1–5 quintiles of recency, frequency and
money from purchase events) and lifecycle stage, computed on demand and by the worker once a day, set-based
in SQL. Reads contacts and events."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.scores.clusters import cluster
    from herald.scores.models import ContactScore
    from herald.scores.service import STAGES, compute, last_computed

__all__ = ["cluster", "compute", "ContactScore", "last_computed", "STAGES"]
__getattr__ = open_door(__name__, __file__)
