"""Analysis of a period's conversations for the managers' digest.

Owns: metrics over conversation logs (volumes, handoff rate, why conversations escalated, topics).
May import: conversations (and knowledge, for doc-gap analysis later). Nothing here posts to Slack.
"""

from insights.grouping import Group, group_texts, match_previous
from insights.metrics import PeriodSummary, summarize

__all__ = ["Group", "PeriodSummary", "group_texts", "match_previous", "summarize"]
