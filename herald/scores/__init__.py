"""Scores room. Owns `contact_scores`: each contact's RFM scores (1–5 quintiles of recency, frequency and
money from purchase events) and lifecycle stage, computed on demand and by the worker once a day, set-based
in SQL. Reads contacts and events."""
