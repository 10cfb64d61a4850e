"""Answer in one click: a conversation that reaches the team gets a suggested reply in its thread (the
docs' best passage offline, Claude's draft with a key), and "Send to shopper" / "Edit and send" relay
it as the clicking member's reply and make them the assignee."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from rq import SimpleWorker
from rq.job import Job
from rq.registry import ScheduledJobRegistry

import jobs.slack
from bot import drafts
from conversations import State
from jobs import queues
from tests.agent.fake_anthropic import FakeAnthropic, api_error, text_message
from tests.bot.conftest import ALICE, BOB, INBOX, SIGNING_SECRET, escalated


@pytest.fixture
def worker_env(monkeypatch, redis_url, slack, demo_index):
    for var, value in {"REDIS_URL": redis_url, "SLACK_BOT_TOKEN": slack.token, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                       "SLACK_API_URL": slack.url, "SLACK_INBOX_CHANNEL": INBOX, "BATON_DATA_DIR": demo_index}.items():
        monkeypatch.setenv(var, value)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    return monkeypatch


def run_worker(redis_client) -> None:
    SimpleWorker([queues.queue(redis_client, q) for q in (queues.ANSWERS, queues.SLACK)], connection=redis_client).work(burst=True, with_scheduler=False)


def drafted(store, redis_client, slack):
    """Escalate a refund conversation, run the worker (mirror, then the draft job); the draft's Slack post."""
    conv = escalated(store)
    queues.enqueue_mirror(redis_client, conv.id)
    run_worker(redis_client)
    conv = store.get(conv.id)
    posts = [p for p in slack.posts(thread_ts=conv.slack_ts) if "Suggested reply" in json.dumps(p.get("blocks") or "")]
    assert len(posts) == 1, [p["text"] for p in slack.posts(thread_ts=conv.slack_ts)]
    return conv, posts[0]


def blocks_of(post: dict) -> list[dict]:
    return json.loads(post["blocks"]) if isinstance(post["blocks"], str) else post["blocks"]


def button(post: dict, action_id: str) -> dict:
    return next(e for b in blocks_of(post) if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id)


def click(bot, events, slack, conv, post, action_id: str, user: str):
    value = button(post, action_id)["value"]
    return bot.send(events.block_action(action_id, value, user=user, channel=INBOX, message_ts=post.get("ts", conv.slack_ts),
                                        response_url=slack.response_url(action_id + user)))


def told(slack, action_id: str, user: str) -> str:
    return [c.params["text"] for c in slack.calls("response_url") if c.path.endswith(action_id + user)][-1]


def agent_replies(store, conv) -> list:
    return [e for e in store.entries(conv.id) if e.role == "agent" and e.type == "message"]


def test_a_conversation_reaching_the_team_gets_the_docs_best_passage_as_a_draft_only_the_team_sees(worker_env, store, redis_client, slack):
    """Offline, the draft quotes the refund guide, names it, carries both buttons, and nothing reaches the shopper."""
    conv, post = drafted(store, redis_client, slack)

    text = json.dumps(blocks_of(post))
    assert "refund" in text.lower() and "Only the team sees this" in text
    assert button(post, drafts.ACTION_SEND)["text"]["text"] == "Send to shopper"
    assert button(post, drafts.ACTION_EDIT)["text"]["text"] == "Edit and send"
    assert agent_replies(store, conv) == []
    assert drafts.load(store.r, conv.id)["kind"] == "docs"

    queues.enqueue_mirror(redis_client, conv.id)  # another mirror run (a new shopper line) drafts nothing new
    run_worker(redis_client)
    assert len([p for p in slack.posts(thread_ts=conv.slack_ts) if "Suggested reply" in json.dumps(p.get("blocks") or "")]) == 1


def test_send_to_shopper_relays_the_draft_as_the_members_reply_and_makes_them_the_assignee(worker_env, store, redis_client, slack, bot, events):
    """Alice clicks Send: the shopper gets the draft from "Alice", she holds the conversation, the thread
    shows her reply and the draft turns into "Alice sent this"; Bob's later click sends nothing twice."""
    conv, post = drafted(store, redis_client, slack)
    draft = drafts.load(store.r, conv.id)

    assert click(bot, events, slack, conv, post, drafts.ACTION_SEND, ALICE).status_code == 200
    replies = agent_replies(store, conv)
    assert [(e.text, e.author["name"]) for e in replies] == [(draft["text"], "Alice")]
    conv = store.get(conv.id)
    assert (conv.state, conv.assignee) == (State.HUMAN, ALICE)
    assert "Sent to Jane Doe" in told(slack, drafts.ACTION_SEND, ALICE)

    jobs.slack.mirror(conv.id)
    assert slack.posts(thread_ts=conv.slack_ts)[-1]["text"].startswith("*Alice* (team): ")
    update = [c.params for c in slack.calls("chat.update") if c.params.get("ts") == post.get("ts") or "sent this suggested reply" in c.params.get("text", "")]
    assert update and f"<@{ALICE}> sent this suggested reply" in update[-1]["text"]

    click(bot, events, slack, conv, post, drafts.ACTION_SEND, BOB)
    assert "already sent" in told(slack, drafts.ACTION_SEND, BOB)
    assert len(agent_replies(store, conv)) == 1


def test_edit_and_send_opens_a_prefilled_modal_and_sends_the_edited_text(worker_env, store, redis_client, slack, bot, events):
    """Bob clicks Edit and send: a modal opens on his click's trigger with the draft in it; he submits
    his own wording, which the shopper gets from "Bob Baker", and he becomes the assignee."""
    conv, post = drafted(store, redis_client, slack)
    draft = drafts.load(store.r, conv.id)

    click(bot, events, slack, conv, post, drafts.ACTION_EDIT, BOB)
    opened = slack.calls("views.open")[-1].params
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    assert opened["trigger_id"]
    element = next(b for b in view["blocks"] if b["type"] == "input")["element"]
    assert element["initial_value"] == draft["text"] and element["multiline"] is True

    edited = "Hi Jane, I've started your refund for the font bundle; you'll see it within 5 days."
    response = bot.send(events.view_submission(view, {drafts.INPUT_BLOCK: {drafts.INPUT_ACTION: edited}}, user=BOB))
    assert response.status_code == 200

    assert [(e.text, e.author["name"]) for e in agent_replies(store, conv)] == [(edited, "Bob Baker")]
    assert store.get(conv.id).assignee == BOB


def test_an_empty_modal_stays_open_with_an_error_and_sends_nothing(worker_env, store, redis_client, slack, bot, events):
    """Submitting the modal with the text deleted answers response_action=errors under the field."""
    conv, post = drafted(store, redis_client, slack)
    click(bot, events, slack, conv, post, drafts.ACTION_EDIT, ALICE)
    view = slack.calls("views.open")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view

    response = bot.send(events.view_submission(view, {drafts.INPUT_BLOCK: {drafts.INPUT_ACTION: "   "}}, user=ALICE))

    assert response.get_json() == {"response_action": "errors", "errors": {drafts.INPUT_BLOCK: "Write a few words to send."}}
    assert agent_replies(store, conv) == []


def test_a_draft_is_not_sent_over_a_colleague_who_holds_the_conversation(worker_env, store, redis_client, slack, bot, events):
    """Bob took the conversation over; Alice's Send is refused with who has it, and the shopper gets nothing."""
    conv, post = drafted(store, redis_client, slack)
    bot.send(events.block_action("baton_take_over", conv.id, user=BOB, channel=INBOX, message_ts=conv.slack_ts,
                                 response_url=slack.response_url("take")))

    click(bot, events, slack, conv, post, drafts.ACTION_SEND, ALICE)

    assert f"<@{BOB}> has #{conv.number}" in told(slack, drafts.ACTION_SEND, ALICE)
    assert agent_replies(store, conv) == []
    assert store.get(conv.id).assignee == BOB


@pytest.fixture
def anthropic_fake():
    server = FakeAnthropic()
    yield server
    server.close()


def test_with_claude_the_draft_is_written_from_the_docs_and_the_conversation(worker_env, store, redis_client, slack, anthropic_fake):
    """With an API key, Claude gets the conversation and the docs passages and its answer is the draft."""
    worker_env.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
    worker_env.setenv("ANTHROPIC_BASE_URL", anthropic_fake.base_url)
    worker_env.setenv("BATON_ANTHROPIC_MAX_RETRIES", "0")
    anthropic_fake.reply(text_message("Hi Jane, sorry about the bundle! Refunds are possible within 14 days: I'll start it now."))

    conv, post = drafted(store, redis_client, slack)

    assert drafts.load(store.r, conv.id)["text"] == "Hi Jane, sorry about the bundle! Refunds are possible within 14 days: I'll start it now."
    assert "drafted by the AI" in json.dumps(blocks_of(post))
    prompt = json.dumps(anthropic_fake.requests[-1]["messages"])
    assert "I want a refund for the font bundle" in prompt and "<passage" in prompt


def test_when_claude_fails_the_docs_passage_is_suggested_instead(worker_env, store, redis_client, slack, anthropic_fake):
    """An API error does not cost the team its draft: the best passage is posted."""
    worker_env.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
    worker_env.setenv("ANTHROPIC_BASE_URL", anthropic_fake.base_url)
    worker_env.setenv("BATON_ANTHROPIC_MAX_RETRIES", "0")
    anthropic_fake.reply(api_error(500))

    conv, post = drafted(store, redis_client, slack)

    assert drafts.load(store.r, conv.id)["kind"] == "docs"
    assert "best passage from the docs" in json.dumps(blocks_of(post))


def test_a_rate_limited_draft_waits_for_slacks_retry_after_instead_of_retrying_sooner(worker_env, store, redis_client, slack):
    """Slack answers the draft's post with 429 and Retry-After 30: the draft job is scheduled 30 s out
    and nothing calls Slack again meanwhile (not even a new mirror run)."""
    conv = escalated(store)
    slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=30, after=5)  # the card and the 4 lines go through

    queues.enqueue_mirror(redis_client, conv.id)
    run_worker(redis_client)
    store.append(conv.id, role="customer", text="Hello?", client_id="w9")
    queues.enqueue_mirror(redis_client, conv.id)
    run_worker(redis_client)

    assert [c.ok for c in slack.calls("chat.postMessage")] == [True] * 5 + [False]
    scheduled = ScheduledJobRegistry(queue=queues.queue(redis_client, queues.ANSWERS))
    [job_id] = scheduled.get_job_ids()
    wait = (scheduled.get_scheduled_time(job_id) - datetime.now(UTC)).total_seconds()
    assert 25 < wait <= 30
    assert Job.fetch(job_id, connection=redis_client).func_name == "jobs.drafts.suggest"
    assert drafts.load(store.r, conv.id) == {}
