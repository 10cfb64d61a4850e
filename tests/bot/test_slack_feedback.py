"""The shopper's thumbs and closing rating reach the team's Slack thread."""

from __future__ import annotations

from bot.mirror import mirror_conversation


def thread_texts(slack, conv) -> list[str]:
    return [p["text"] for p in slack.posts(thread_ts=conv.slack_ts)]


def test_thumbs_and_the_closing_rating_are_posted_in_the_thread(store, web, settings, slack, thread):
    """A thumb down on an AI answer and a 4-star rating with a comment read as lines in the thread; the comment is escaped."""
    answer, _ = store.append(thread.id, role="ai", text="Your key is under Account › Library.")
    store.append(thread.id, role="customer", type="feedback", text="", visibility="internal", target=answer, meta={"rating": "down"})
    store.append(thread.id, role="customer", type="feedback", text="Fast <!channel> & kind", visibility="internal", meta={"rating": 4})
    mirror_conversation(store, web, thread.id, settings)
    assert thread_texts(slack, thread)[-2:] == [
        ":thumbsdown: *Jane Doe* found the AI's answer unhelpful",
        ":star: *Jane Doe* rated the conversation ★★★★☆ (4/5): Fast &lt;!channel&gt; &amp; kind",
    ]
