"""The widget API's shopper additions: the conversation's language, "Talk to a person", feedback, resuming."""

from __future__ import annotations

import time

import pytest

from conversations import Event, State


def create(client, **body):
    resp = client.post("/api/v1/conversations", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def auth(conv):
    return {"Authorization": f"Bearer {conv['token']}"}


def url(conv, part=""):
    return f"/api/v1/conversations/{conv['id']}{part}"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de-AT", "Ich habe das an unser Team weitergegeben. Ein Mensch antwortet dir hier in Kürze."),
        ("ar", "لقد أحلت طلبك إلى فريقنا. سيرد عليك أحد أعضاء الفريق هنا قريبًا."),
        ("ja", "I've passed this to our team. A person will reply here shortly."),
        ("", "I've passed this to our team. A person will reply here shortly."),
    ],
)
def test_the_handoff_notice_is_in_the_conversations_language(client, app, locale, expected):
    """The widget's language, sent at creation, is the language of Baton's own notices (English when unknown)."""
    conv = create(client, locale=locale) if locale else create(client)
    app.extensions["baton"].store.transition(conv["id"], Event.ESCALATE)
    got = client.get(url(conv), headers=auth(conv)).get_json()
    assert got["locale"] == locale
    assert [e["text"] for e in got["entries"]] == [expected]


def test_a_team_member_joining_is_announced_in_french_with_their_name(client, app):
    """Take-over notices keep the team member's name inside the translated sentence."""
    conv = create(client, locale="fr")
    app.extensions["baton"].store.transition(conv["id"], Event.TAKE_OVER, actor="Maya")
    [entry] = client.get(url(conv), headers=auth(conv)).get_json()["entries"]
    assert entry["text"] == "Maya de notre équipe a rejoint la conversation."


@pytest.mark.parametrize("locale", ["deutsch!", "x", 42, "de_" + "x" * 40])
def test_a_locale_that_is_not_a_language_tag_is_refused(client, locale):
    """A malformed locale is a clear 422 and starts nothing."""
    resp = client.post("/api/v1/conversations", json={"locale": locale})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "invalid"


def test_talk_to_a_person_stores_a_flagged_request_and_queues_the_ai_turn(client, app):
    """The button's request is a shopper message flagged as a request for a person, evaluated by the AI's job."""
    conv = create(client)
    resp = client.post(url(conv, "/handoff"), json={"text": "Mit einem Menschen sprechen", "client_id": "h-1"}, headers=auth(conv))
    assert resp.status_code == 202
    entry_id = resp.get_json()["entry_id"]
    [entry] = app.extensions["baton"].store.entries(conv["id"])
    assert (entry.id, entry.role, entry.text, entry.meta) == (entry_id, "customer", "Mit einem Menschen sprechen", {"request": "human"})
    assert [j.args for j in app.extensions["baton"].queue("answers").get_jobs()] == [(conv["id"], entry_id)]
    again = client.post(url(conv, "/handoff"), json={"text": "Mit einem Menschen sprechen", "client_id": "h-1"}, headers=auth(conv))
    assert again.get_json()["entry_id"] == entry_id  # a retried click asks once


def test_talk_to_a_person_without_a_body_uses_a_plain_request(client, app):
    """No body at all is fine: the request reads as a plain sentence in the log."""
    conv = create(client)
    assert client.post(url(conv, "/handoff"), headers=auth(conv)).status_code == 202
    [entry] = app.extensions["baton"].store.entries(conv["id"])
    assert entry.text == "I'd like to talk to a person, please."


@pytest.mark.parametrize("event", [Event.ESCALATE, Event.TAKE_OVER])
def test_talk_to_a_person_while_the_team_has_it_is_a_409(client, app, event):
    """Once a person is asked for or has the conversation, asking again is refused and stores nothing."""
    conv = create(client)
    store = app.extensions["baton"].store
    store.transition(conv["id"], event, actor="Maya")
    resp = client.post(url(conv, "/handoff"), json={}, headers=auth(conv))
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "already_with_team"
    assert [e.type for e in store.entries(conv["id"])] == ["event"]


def test_talk_to_a_person_needs_the_token(client):
    """Without the conversation's token nobody can hand it off."""
    conv = create(client)
    assert client.post(url(conv, "/handoff"), json={}).status_code == 401
    assert client.post(url(conv, "/handoff"), json={}, headers={"Authorization": "Bearer nope"}).status_code == 404


def ai_answer(app, conv, text="Your key is under Account › Library."):
    entry_id, _ = app.extensions["baton"].store.append(conv["id"], role="ai", text=text, author={"name": "AI assistant"})
    return entry_id


def test_thumbs_down_on_an_answer_is_logged_for_the_team_and_shown_back(client, app):
    """A thumb is an internal log entry on that answer; the history shows the latest thumb, never the entry."""
    conv = create(client, customer={"name": "Ana"})
    answer = ai_answer(app, conv)
    for rating in ("up", "down"):
        resp = client.post(url(conv, "/feedback"), json={"entry_id": answer, "rating": rating}, headers=auth(conv))
        assert resp.status_code == 202
    store = app.extensions["baton"].store
    feedback = [e for e in store.entries(conv["id"]) if e.type == "feedback"]
    assert [(e.target, e.meta["rating"], e.visibility) for e in feedback] == [(answer, "up", "internal"), (answer, "down", "internal")]
    got = client.get(url(conv), headers=auth(conv)).get_json()
    assert [(e["id"], e.get("feedback")) for e in got["entries"]] == [(answer, "down")]


def test_the_closing_rating_with_a_comment_is_logged(client, app):
    """A 1-5 rating with an optional comment is stored as feedback on the whole conversation."""
    conv = create(client)
    resp = client.post(url(conv, "/feedback"), json={"rating": 4, "comment": "Quick, but I had to ask twice."}, headers=auth(conv))
    assert resp.status_code == 202
    [entry] = app.extensions["baton"].store.entries(conv["id"])
    assert (entry.type, entry.target, entry.meta, entry.text) == ("feedback", "", {"rating": 4}, "Quick, but I had to ask twice.")
    got = client.get(url(conv), headers=auth(conv)).get_json()
    assert got["rating"] == 4 and got["entries"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 6},
        {"rating": 0},
        {"rating": True},
        {"rating": "5"},
        {"rating": "up"},
        {"entry_id": "PLACEHOLDER", "rating": 3},
        {"entry_id": "1-0", "rating": "up"},
        {"entry_id": "not an id", "rating": "up"},
        {"rating": 3, "comment": "x" * 1001},
    ],
)
def test_bad_feedback_is_a_clear_422_and_stores_nothing(client, app, body):
    """Ratings outside 1-5, thumbs on something that is not an AI answer, or a long comment: 422."""
    conv = create(client)
    answer = ai_answer(app, conv)
    body = {k: (answer if v == "PLACEHOLDER" else v) for k, v in body.items()}
    resp = client.post(url(conv, "/feedback"), json=body, headers=auth(conv))
    assert resp.status_code == 422 and resp.get_json()["error"]["code"] == "invalid"
    assert [e.type for e in app.extensions["baton"].store.entries(conv["id"])] == ["message"]


def test_thumbs_on_the_shoppers_own_message_are_refused(client, app):
    """Only the AI's answers take thumbs."""
    conv = create(client)
    mine, _ = app.extensions["baton"].store.append(conv["id"], role="customer", text="hi")
    resp = client.post(url(conv, "/feedback"), json={"entry_id": mine, "rating": "up"}, headers=auth(conv))
    assert resp.status_code == 422


def test_a_resume_code_gives_another_device_its_own_token_once(client, app):
    """The e-mail's code is exchanged for a new token that reads the conversation; the code then stops working, the old token keeps working."""
    conv = create(client, customer={"email": "ana@example.com"})
    store = app.extensions["baton"].store
    code = store.issue_resume_code(conv["id"], ttl=600)
    resp = client.post("/api/v1/resume", json={"code": code})
    assert resp.status_code == 200
    resumed = resp.get_json()
    assert (resumed["id"], resumed["number"]) == (conv["id"], conv["number"])
    assert resumed["token"] != conv["token"]
    assert client.get(url(conv), headers=auth(resumed)).status_code == 200
    assert client.get(url(conv), headers=auth(conv)).status_code == 200
    again = client.post("/api/v1/resume", json={"code": code})
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "expired"


def test_an_expired_resume_code_is_refused(client, app):
    """A code past its lifetime gives no token."""
    conv = create(client)
    code = app.extensions["baton"].store.issue_resume_code(conv["id"], ttl=1)
    time.sleep(1.2)
    resp = client.post("/api/v1/resume", json={"code": code})
    assert resp.status_code == 404


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 5}, {"code": "x" * 101}])
def test_a_malformed_resume_request_is_a_422(client, body):
    """No code, or something that cannot be one, is a clear 422."""
    resp = client.post("/api/v1/resume", json=body)
    assert resp.status_code == 422


def test_a_guessed_resume_code_is_a_404(client):
    """An unknown code reveals nothing."""
    assert client.post("/api/v1/resume", json={"code": "guess"}).status_code == 404


def test_the_conversation_state_after_a_rating_is_unchanged(client, app):
    """Rating a closed conversation leaves it closed (a rating is not a message)."""
    conv = create(client)
    store = app.extensions["baton"].store
    store.transition(conv["id"], Event.CLOSE)
    assert client.post(url(conv, "/feedback"), json={"rating": 5}, headers=auth(conv)).status_code == 202
    assert store.get(conv["id"]).state == State.CLOSED
