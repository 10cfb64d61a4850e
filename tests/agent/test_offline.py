"""The offline answerer (the default with no API key) on real LanceDB indexes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import config
from agent import build_agent
from agent.brains import lines
from agent.brains.units import units
from conversations.models import Entry
from knowledge import KnowledgeBase
from knowledge.embeddings import HashEmbedder
from tests.agent.conftest import ask, conversation

GUMROAD = Path(__file__).resolve().parents[3] / "shared" / "eval" / "gumroad-help-center"


@pytest.fixture(scope="module")
def offline(kb):
    return build_agent(config.load(dotenv=False), kb, None)


def test_a_how_to_question_gets_the_steps_and_a_link_to_the_doc(offline):
    """The answer quotes the steps that answer, not the whole article, and cites the section."""
    reply = ask(offline, "How do I install fonts on Windows?")
    assert reply.escalation is None
    assert reply.text.splitlines()[0].startswith("1. Right-click the ZIP file")
    assert "Font Book" not in reply.text  # the Mac section is not quoted
    assert reply.sources == [{"title": "Installing fonts › Install fonts on Windows", "url": "https://help.shop.example/installing-fonts"}]
    assert reply.meta["answered"] is True and reply.meta["doc"] == "installing-fonts"


def test_a_policy_question_gets_a_short_quote(offline):
    """One to three sentences: no wall of text."""
    reply = ask(offline, "how many computers can I activate my license key on?")
    assert "2 computers" in reply.text
    assert len(reply.text) < 400
    assert reply.sources[0]["url"] == "https://help.shop.example/license-keys"


def test_when_the_docs_do_not_cover_it_the_agent_says_so_and_hands_over(offline):
    """Low relevance: an honest "not sure", and the team sees the best match and its score."""
    reply = ask(offline, "Do you ship printed posters of your templates to Canada?")
    assert reply.text == lines.line("not_sure_handoff", "en")
    esc = reply.escalation
    assert esc.category == "docs_gap"
    assert re.fullmatch(r"The docs don't cover this \(best match .+, relevance 0\.\d\d\)", esc.reason)
    assert esc.looked_at and {"title", "url", "relevance"} <= set(esc.looked_at[0])
    assert "posters" in esc.summary
    assert reply.meta["answered"] is False


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hi", "Hi! I'm the Pixel & Press assistant."),
        ("Bonjour !", "Bonjour ! Je suis l'assistant de Pixel & Press."),
        ("¡Hola!", "¡Hola! Soy el asistente de Pixel & Press."),
        ("guten Morgen", "Hallo! Ich bin der Assistent von Pixel & Press."),
        ("thanks so much!", "You're welcome!"),
        ("merci", "Avec plaisir !"),
    ],
)
def test_greetings_and_thanks_get_a_friendly_reply_in_the_shoppers_language(offline, text, expected):
    """Small talk is answered in kind, without a search and without a handoff."""
    reply = ask(offline, text)
    assert reply.text.startswith(expected)
    assert reply.escalation is None and reply.sources == []


def test_off_topic_questions_are_declined_politely_without_bothering_the_team(offline):
    """General knowledge is not the store's business: a polite decline, no escalation."""
    reply = ask(offline, "what's the weather going to be like in Lisbon this weekend?")
    assert reply.text == lines.line("off_topic", "en", store="Pixel & Press")
    assert reply.escalation is None


def test_a_bare_request_for_a_person_first_asks_what_it_is_about_then_hands_over(offline):
    """"talk to a human" → "what is it about?" → the next message goes to the team with that context."""
    first = ask(offline, "talk to a human")
    assert first.text == lines.line("ask_topic", "en")
    assert first.escalation is None and first.meta["asked_topic"] is True

    history = [
        Entry(id="1700000000000-0", type="message", role="customer", text="talk to a human"),
        Entry(id="1700000000000-1", type="message", role="ai", text=first.text, meta=first.meta),
        Entry(id="1700000000000-2", type="message", role="customer", text="my invoice needs our company VAT number"),
    ]
    second = offline.respond(conversation(), history)
    assert second.escalation.category == "human_request"
    assert "company VAT number" in second.escalation.summary
    assert second.text == lines.line("handoff", "en")


def test_yes_to_the_offer_of_a_person_hands_over(offline):
    """After "shall I bring in a person?", "yes please" escalates."""
    history = [
        Entry(id="1700000000000-0", type="message", role="customer", text="can I pay with a cheque?"),
        Entry(id="1700000000000-1", type="message", role="ai", text=lines.line("not_sure_offer", "en"),
              meta={"offered_handoff": True}),
        Entry(id="1700000000000-2", type="message", role="customer", text="yes please"),
    ]
    reply = offline.respond(conversation(), history)
    assert reply.escalation.category == "human_request"
    assert "cheque" in reply.escalation.summary


def test_a_question_in_spanish_is_answered_from_the_english_docs(offline):
    """Support words are bridged to the docs' language; the shopper is told the quote is in English."""
    reply = ask(offline, "¿Cómo instalo las fuentes en Windows?")
    assert reply.text.startswith(lines.line("docs_in_english", "es"))
    assert "Extract All" in reply.text
    assert reply.meta["doc"] == "installing-fonts"


def test_a_faq_question_is_answered_by_the_text_under_it_not_echoed_back():
    """A heading that asks the question is the pointer; the answer is what follows it."""
    passage = "## Can I get a refund after downloading?\n\nNo. Downloaded files cannot be returned.\n\n## Other\n\nText."
    kinds = [(u.kind, u.text) for u in units(passage)]
    assert kinds[0] == ("question", "Can I get a refund after downloading?")
    assert ("sentence", "No.") in kinds


# ---- the Gumroad help center (122 real articles) ------------------------------------------------


@pytest.fixture(scope="module")
def gumroad(tmp_path_factory):
    knowledge = KnowledgeBase(str(tmp_path_factory.mktemp("gumroad")), HashEmbedder())
    knowledge.ingest(str(GUMROAD / "articles"))
    return build_agent(config.load(dotenv=False, store_name="Gumroad"), knowledge, None)


@pytest.mark.parametrize(
    "question, slug, says",
    [
        ("How do I cancel my membership?", "192-how-do-i-cancel-my-membership", "Cancel membership"),
        ("Can I choose not to charge VAT on my digital products? Or make it inclusive?", "10-dealing-with-vat", "No."),
        ("How do I send my purchases to Kindle?", "208-how-do-i-send-my-gumroad-purchase-to-my-kindle", "Kindle"),
    ],
)
def test_gumroad_questions_are_answered_from_the_right_article(gumroad, question, slug, says):
    """Real help-center questions get a quote from their article and a link to it."""
    reply = ask(gumroad, question)
    assert reply.escalation is None
    assert reply.meta["doc"] == slug
    assert says in reply.text
    assert reply.sources[0]["url"].startswith("https://gumroad.com/help/article/" + slug)


def test_the_gumroad_question_set_stays_mostly_right_and_rarely_wrong(gumroad):
    """The bench in miniature: on the 98 extracted questions, few wrong-article answers."""
    from bench import read_questions
    from bench.answers import run

    result = run(gumroad, read_questions(str(GUMROAD / "qa_pairs_extracted.jsonl")))
    assert result["n"] == 98
    assert result["right"] >= 0.85
    assert result["wrong"] <= 0.06
