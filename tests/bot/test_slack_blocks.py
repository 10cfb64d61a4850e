"""The parent card, thread lines and App Home view, tested as data."""

from __future__ import annotations

import pytest

from bot import blocks
from conversations import Conversation, Entry, State

ESCALATION = {
    "reason": "The shopper asks for a refund.",
    "category": "refund_request",
    "summary": "Bought the font bundle yesterday, wants the money back.",
    "rule": "refunds",
    "priority": "urgent",
    "channel": None,
    "mention": "<!subteam^S0BILLING|@billing>",
    "looked_at": [
        {"title": "Refund policy", "url": "https://docs.example/refunds", "relevance": 0.4213},
        {"title": "Licences", "url": "", "relevance": 0.2},
    ],
    "action_results": [{"name": "order_lookup", "summary": "Order #A-77: Font bundle, $49, paid"}, {"name": "crm", "plan": "pro"}],
}


def conversation(state: State = State.WAITING, **overrides) -> Conversation:
    values = {
        "id": "c0ffee",
        "number": 1042,
        "state": state,
        "customer": {"name": "Jane Doe", "email": "jane@example.com"},
        "page_url": "https://shop.example/fonts/serif-pro",
        "escalation": ESCALATION,
    }
    values.update(overrides)
    return Conversation(**values)


def texts(card: dict) -> str:
    """Every piece of text on a card, flattened (what a person reading it sees)."""
    out = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card["blocks"])
    return "\n".join(out)


def test_parent_card_tells_the_team_who_what_and_why():
    """Header with the number, customer and email, page, why (rule + reason), summary, docs with scores, actions, priority, state."""
    card = blocks.parent_card(conversation())

    assert card["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "Conversation #1042"}}
    seen = texts(card)
    for expected in (
        "*Customer*\nJane Doe\njane@example.com",
        "*Page*\n<https://shop.example/fonts/serif-pro|shop.example/fonts/serif-pro>",
        "*Priority*\n:red_circle: Urgent",
        "*State*\n:hourglass_flowing_sand: Waiting for a person",
        "*Why:* rule `refunds` fired. The shopper asks for a refund.",
        "*Summary:* Bought the font bundle yesterday, wants the money back.",
        "<https://docs.example/refunds|Refund policy> (0.42), Licences (0.20)",
        "• *order_lookup:* Order #A-77: Font bundle, $49, paid",
        '• *crm:* {"plan": "pro"}',
        "<!subteam^S0BILLING|@billing>",
        "Start with `note:` for an internal note",
    ):
        assert expected in seen, expected
    assert card["text"].startswith("<!subteam^S0BILLING|@billing> Conversation #1042 with Jane Doe needs a person")


@pytest.mark.parametrize(
    ("state", "buttons"),
    [
        (State.AI, ["baton_take_over", "baton_close"]),
        (State.WAITING, ["baton_take_over", "baton_hand_back", "baton_close"]),
        (State.HUMAN, ["baton_hand_back", "baton_close"]),
        (State.CLOSED, []),
    ],
)
def test_card_buttons_fit_the_state_and_carry_the_conversation_id(state, buttons):
    """Only the moves the state machine allows are offered; each button's value is the conversation id."""
    card = blocks.parent_card(conversation(state))
    elements = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]

    assert [e["action_id"] for e in elements] == buttons
    assert {e["value"] for e in elements} <= {"c0ffee"}
    assert all(e["type"] == "button" for e in elements)
    if "baton_close" in buttons:
        assert elements[-1]["confirm"]["title"]["text"] == "Close this conversation?"


def test_card_for_an_ai_judgement_shows_the_ais_reason_and_no_rule():
    """Without a rule the card quotes the AI's own reason."""
    card = blocks.parent_card(conversation(escalation={"reason": "Not sure the docs cover licence transfers.", "looked_at": []}))

    seen = texts(card)
    assert "*Why:* Not sure the docs cover licence transfers." in seen
    assert "fired" not in seen
    assert "*Docs the AI looked at:* none matched" in seen


def test_card_escapes_everything_the_shopper_or_model_wrote():
    """Customer name, email, reason and summary cannot ping or format; only the rule's mention is live."""
    hostile = "<!channel> & <@U1>"
    card = blocks.parent_card(conversation(
        customer={"name": hostile, "email": "<mailto:x@evil|x>"},
        escalation={"reason": hostile, "summary": hostile, "mention": "@billing <!everyone>"},
    ))

    everything = texts(card) + card["text"]
    assert "<!channel>" not in everything and "<@U1>" not in everything and "<!everyone>" not in everything
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in everything


def test_card_stays_within_block_kit_limits():
    """A huge summary is cut to Slack's 3,000-character section limit instead of being rejected."""
    card = blocks.parent_card(conversation(escalation={**ESCALATION, "summary": "word " * 2000}))

    for block in card["blocks"]:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
    assert any(b.get("text", {}).get("text", "").endswith("…") for b in card["blocks"])


@pytest.mark.parametrize(
    ("entry", "line"),
    [
        (Entry("1-0", "message", "customer", "Hi <there>"), "*Jane Doe:* Hi &lt;there&gt;"),
        (Entry("1-0", "message", "ai", "See **this**", sources=[{"title": "Setup", "url": "https://d.example/s"}]),
         "*AI assistant:* See *this*\n_Sources:_ <https://d.example/s|Setup>"),
        (Entry("1-0", "message", "agent", "From the dashboard", author={"name": "Rae"}), "*Rae* (team): From the dashboard"),
        (Entry("1-0", "note", "agent", "VIP", author={"name": "Rae"}, visibility="internal"), ":lock: *Internal note by Rae:* VIP"),
        (Entry("1-0", "event", "system", "Rae handed the conversation back to our AI assistant.", meta={"event": "hand_back"}),
         ":robot_face: Rae handed the conversation back to our AI assistant."),
        (Entry("1-0", "event", "system", "This conversation was closed.", meta={"event": "close"}), ":white_check_mark: This conversation was closed."),
        (Entry("1-0", "message", "agent", "typed in Slack", meta={"source": "slack"}), None),
    ],
)
def test_thread_lines_read_like_a_transcript(entry, line):
    """Who said what, the AI's sources, team notes and state changes; Slack-typed entries are not echoed."""
    assert blocks.thread_line(entry, conversation()) == line


NOW = 1796720400.0  # pinned: Monday 7 December 2026, 09:00 UTC


def test_home_view_is_a_queue_waiting_first_then_held_then_todays_counts():
    """Waiting rows say how long, held rows say by whom, each row has its buttons, and today's counts close it."""
    waiting = conversation(waiting_since=NOW - 754)
    human = conversation(State.HUMAN, id="beef", number=1043, customer={"name": "Sam"}, escalation={"reason": "Manager asked"}, assignee="U0ALICE0001")

    view = blocks.home_view([waiting], [human], {"c0ffee": "https://x.slack.com/archives/C1/p1"}, blocks.Today(5, 2, 3, 1), NOW)

    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert view["type"] == "home"
    assert sections[0].startswith("*:hourglass_flowing_sand: Waiting for a person (1)*")
    assert sections[1].startswith("*#1042* · Jane Doe · waiting *12 min* (since <!date^1796719646^{time}|earlier>)")
    assert sections[2].startswith("*:raising_hand: With the team (1)*")
    assert sections[3] == "*#1043* · Sam · held by <@U0ALICE0001>\nManager asked"
    assert sections[4] == "*Today:* 5 new · 2 handed to the team · 3 resolved by the AI · 1 waiting now"
    actions = [[(e["action_id"], e.get("url")) for e in b["elements"]] for b in view["blocks"] if b["type"] == "actions"]
    assert actions == [
        [("baton_take_over", None), ("baton_open_thread", "https://x.slack.com/archives/C1/p1")],
        [("baton_hand_back", None)],
    ]


def test_home_view_never_exceeds_slacks_block_limit():
    """Many waiting conversations: at most 100 blocks, with a note that the list is cut."""
    many = [conversation(id=f"id{n}", number=2000 + n, waiting_since=NOW - n) for n in range(80)]

    view = blocks.home_view(many, [], {}, blocks.Today(), NOW)

    assert len(view["blocks"]) <= 100
    assert "Showing the 40 most recent." in str(view["blocks"])
