"""Scores room. Owns `contact_scores`: each contact's RFM scores (1–5 quintiles of recency, frequency and
money from purchase events) and lifecycle stage; and `send_profile_hours`, `send_priors`: when in the week
each contact reads, clicks and replies, and the crowds' patterns. Computed on demand and by the worker once
a day, set-based in SQL. Reads contacts and events."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.scores.clusters import cluster
    from herald.scores.models import ContactScore
    from herald.scores.sendtime import ranked
    from herald.scores.sendtimes import SendTimes, profile_of, recompute_profiles, send_times
    from herald.scores.service import STAGES, compute, last_computed

__all__ = [
    "cluster",
    "compute",
    "ContactScore",
    "last_computed",
    "profile_of",
    "ranked",
    "recompute_profiles",
    "send_times",
    "SendTimes",
    "STAGES",
]
__getattr__ = open_door(__name__, __file__)
