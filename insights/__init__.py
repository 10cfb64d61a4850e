"""Analysis of a period's conversations for the managers' digest.

Owns: metrics over conversation logs (volumes, handoff rate, why conversations escalated, topics).
May import: conversations (and knowledge, for doc-gap analysis later). Nothing here posts to Slack.
"""

from insights.metrics import PeriodSummary, summarize

__all__ = ["PeriodSummary", "summarize"]
