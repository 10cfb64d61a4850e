"""What a shopper types as their name stays one line of plain text on the team's Slack card."""

from __future__ import annotations

from bot.blocks import parent_card
from conversations import ConversationStore


def test_a_name_with_line_breaks_cannot_forge_lines_on_the_slack_card(client, redis_client):
    """A name like "Ada\\n*Priority*\\nUrgent" is stored and shown as one line, so it cannot fake card fields."""
    forged = "Ada\n*Priority*\n:red_circle: Urgent\u2028\t<!channel>"
    resp = client.post("/api/v1/conversations", json={"customer": {"name": forged}})
    conv = ConversationStore(redis_client).get(resp.get_json()["id"])
    assert conv.customer_name == "Ada *Priority* :red_circle: Urgent <!channel>"
    customer_field = parent_card(conv)["blocks"][1]["fields"][0]["text"]
    assert customer_field.split("\n")[1].startswith("Ada ") and "<!channel>" not in customer_field
