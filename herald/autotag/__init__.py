"""Automatic tags: owns `tag_rules` and their saved versions. Rules tag contacts from what they do
(counts of events with property conditions in a window) and from what they write (keywords in inbound
replies, Chinese and English), as events arrive and over history on request."""
