"""The answer gate: a quote the answerer is not confident about is never stated as fact."""

from __future__ import annotations

import config
from agent import build_agent
from agent.brains.gate import GATES, Gate
from conversations.models import Entry
from tests.agent.conftest import ask, conversation

# A gate no answer passes: what a shopper sees whenever the model doubts the chosen article.
DOUBTFUL = Gate(bias=0.0, weights={}, threshold=0.99, lexical=1.1)


def _doubting(kb, **settings):
    agent = build_agent(config.load(dotenv=False, **settings), kb, None)
    agent.brain.gate = DOUBTFUL
    return agent


def test_a_doubtful_answer_links_the_related_guide_and_offers_a_person(kb):
    """Below the gate the shopper gets no quote stated as fact, the guide's link and the offer of a person."""
    reply = ask(_doubting(kb), "How do I install fonts on Windows?")
    assert reply.text.startswith("I'm not completely sure this answers it, but this guide looks related: [")
    assert "](https://help.shop.example/installing-fonts" in reply.text
    assert reply.text.endswith("Would you like me to bring in a person from our team?")
    assert "Extract All" not in reply.text
    assert reply.escalation is None
    assert reply.sources and reply.sources[0]["url"].startswith("https://help.shop.example/installing-fonts")
    assert reply.meta["outcome"] == "tentative" and reply.meta["answered"] is False
    assert reply.meta["offered_handoff"] is True and reply.meta["confidence"] == 0.5


def test_yes_after_a_doubtful_answer_brings_in_a_person(kb):
    """The offer is real: "yes please" hands the conversation over with what was asked."""
    agent = _doubting(kb)
    first = ask(agent, "How do I install fonts on Windows?")
    history = [
        Entry(id="1700000000000-0", type="message", role="customer", text="How do I install fonts on Windows?"),
        Entry(id="1700000000000-1", type="message", role="ai", text=first.text, meta=first.meta),
        Entry(id="1700000000000-2", type="message", role="customer", text="yes please"),
    ]
    reply = agent.respond(conversation(), history)
    assert reply.escalation is not None and reply.escalation.category == "human_request"
    assert "install fonts" in reply.escalation.summary


def test_a_store_that_escalates_uncited_answers_hands_a_doubtful_one_over_at_once(kb):
    """With BATON_UNCITED=escalate the guide is still linked, and a person is already on the way."""
    reply = ask(_doubting(kb, agent_uncited="escalate"), "How do I install fonts on Windows?")
    assert "this guide looks related" in reply.text and "I've asked a person from our team" in reply.text
    assert reply.escalation is not None and reply.escalation.category == "docs_gap"
    assert "confidence 0.50" in reply.escalation.reason and reply.escalation.looked_at


def test_a_spanish_shopper_gets_the_doubtful_answer_in_spanish(kb):
    """The hedge comes in the shopper's language, saying the guide is in English."""
    reply = ask(_doubting(kb), "¿Cómo instalo las fuentes en Windows?")
    assert reply.text.startswith("No estoy del todo seguro") and "(en inglés)" in reply.text


def test_a_quote_that_states_the_question_passes_whatever_the_model_says():
    """Typos are forgiven: "instal fonts on windos" is said by a quote about installing fonts on Windows."""
    gate = Gate(**GATES["all-MiniLM-L6-v2-int8-onnx"])
    assert gate.passes({"quote_coverage": 1.0})
    assert not gate.passes({"quote_coverage": 0.3, "cosine": 0.55, "margin": 0.0, "cosine_margin": 0.0, "doc_mass": 0.3,
                            "same_doc": 1.0, "coverage": 0.3, "heading": 0.1})


def test_an_embedder_without_a_fitted_gate_answers_as_before(kb):
    """The gate is fitted per embedder; with the hashed test embedder there is none, and answers stay answers."""
    agent = build_agent(config.load(dotenv=False), kb, None)
    assert agent.brain.gate is None
    assert ask(agent, "How do I install fonts on Windows?").meta["outcome"] == "answered"
