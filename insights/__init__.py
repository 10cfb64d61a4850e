"""Analysis of a period's conversations for the managers' digest (docs/insights.md).

Owns: reading a period's logs (``logs``), per-conversation facts (``facts``), metrics, topic
grouping (``grouping``) and topic identity (``topic_ids``), doc gaps, draft docs, fix impact, the
chart, and the digest as plain data (``digest.Digest``). May import: conversations, knowledge types,
numpy/matplotlib, and anthropic only to name topics and write drafts when a key is set. Nothing here
posts to Slack: bot/ renders a Digest, jobs/ posts it.
"""

from insights.grouping import Group, group_texts, match_previous

__all__ = ["Group", "group_texts", "match_previous"]
