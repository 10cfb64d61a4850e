"""Text crossing between the widget and Slack: shoppers' text is inert in Slack; team replies become Markdown."""

from __future__ import annotations

import pytest

from bot.mrkdwn import WORD_JOINER, escape, link, markdown_to_mrkdwn, to_markdown

NAMES = {"U0ALICE0001": "Alice", "U0BOB000001": "Bob Baker"}


@pytest.mark.parametrize(
    ("typed", "in_slack"),
    [
        ("<!channel> please", "&lt;!channel&gt; please"),
        ("<@U123> look", "&lt;@U123&gt; look"),
        ("<!here|here>", "&lt;!here|here&gt;"),
        ("<!subteam^S123>", "&lt;!subteam^S123&gt;"),
        ("<https://evil.example|your bank>", "&lt;https://evil.example|your bank&gt;"),
        ("fish & chips", "fish &amp; chips"),
        ("already &amp; escaped", "already &amp;amp; escaped"),
        ("<b>hi</b> <script>alert(1)</script>", "&lt;b&gt;hi&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;"),
        ("hey @channel and @Here and @everyone", f"hey @{WORD_JOINER}channel and @{WORD_JOINER}Here and @{WORD_JOINER}everyone"),
        ("mail me at jane@example.com", "mail me at jane@example.com"),
        ("", ""),
    ],
)
def test_shopper_text_is_escaped_so_it_reads_literally_in_slack(typed, in_slack):
    """Control sequences and broadcast words from shoppers ping nobody and show as typed."""
    assert escape(typed) == in_slack


@pytest.mark.parametrize(
    ("slack", "markdown"),
    [
        ("See <https://shop.example/orders/7|your order>", "See [your order](https://shop.example/orders/7)"),
        ("Docs: <https://docs.example/a?x=1&amp;y=2>", "Docs: <https://docs.example/a?x=1&y=2>"),
        ("Write to <mailto:help@shop.example|help@shop.example>", "Write to [help@shop.example](mailto:help@shop.example)"),
        ("This is *important* and ~wrong~", "This is **important** and ~~wrong~~"),
        ("_gently_ now", "_gently_ now"),
        ("<@U0BOB000001> will check", "@Bob Baker will check"),
        ("<@U0ALICE0001|alice> here", "@alice here"),
        ("<@U0NOBODY01> knows", "@someone knows"),
        ("Ask in <#C0GENERAL1|general>", "Ask in #general"),
        ("<!here> heads up", "@here heads up"),
        ("<!subteam^S0BILLING|@billing> can help", "@billing can help"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("• first\n• second", "- first\n- second"),
        ("Run `*not bold*` or\n```\n<b>x</b> &amp; *y*\n```", "Run `*not bold*` or\n```\n<b>x</b> & *y*\n```"),
        ("2*3*4 stays", "2*3*4 stays"),
    ],
)
def test_team_reply_in_slack_mrkdwn_becomes_markdown_for_the_widget(slack, markdown):
    """Links, bold, strike, mentions, entities and bullets turn into their Markdown; code stays as typed."""
    assert to_markdown(slack, resolve_user=lambda uid: NAMES.get(uid, "")) == markdown


@pytest.mark.parametrize(
    ("answer", "in_slack"),
    [
        ("See [Installing fonts](https://docs.example/install).", "See <https://docs.example/install|Installing fonts>."),
        ("Click **Install**.", "Click *Install*."),
        ("## Licences\nOne seat each.", "*Licences*\nOne seat each."),
        ("[a|b](https://x.example/?q=1&r=2)", "<https://x.example/?q=1&amp;r=2|a/b>"),
        ("You wrote <!channel>", "You wrote &lt;!channel&gt;"),
        ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),
    ],
)
def test_ai_markdown_keeps_links_and_bold_but_stays_inert(answer, in_slack):
    """The AI's answer keeps its doc links and bold in the thread; anything echoed from the shopper stays escaped."""
    assert markdown_to_mrkdwn(answer) == in_slack


def test_links_are_only_made_for_web_urls():
    """A source whose URL is not http(s) shows as a plain, escaped title."""
    assert link("https://docs.example/a?b=1&c=2", "Refunds | policy") == "<https://docs.example/a?b=1&amp;c=2|Refunds / policy>"
    assert link("javascript:alert(1)", "<b>Click</b>") == "&lt;b&gt;Click&lt;/b&gt;"
    assert link("", "Local doc") == "Local doc"
