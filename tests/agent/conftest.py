"""Agent fixtures: a small store's docs in a real LanceDB index, the fake Anthropic server, conversations."""

from __future__ import annotations

import textwrap

import pytest

import config
from agent import build_agent
from conversations.machine import State
from conversations.models import Conversation, Entry
from knowledge import KnowledgeBase
from knowledge.embeddings import HashEmbedder
from tests.agent.fake_anthropic import FakeAnthropic

DOCS = {
    "refund-policy.md": """\
        ---
        title: Refund policy
        url: https://help.shop.example/refund-policy
        ---
        # Refund policy

        ## Refunds within 14 days

        We refund any product within **14 days of purchase**, as long as you have not downloaded it yet.
        E-books are refundable if you have not downloaded the PDF or the EPUB file.

        ## How to ask for a refund

        1. Open **Account › Orders**.
        2. Click **Request a refund** next to the order.
        3. Pick a reason and send the request. We answer within two working days.
        """,
    "installing-fonts.md": """\
        ---
        title: Installing fonts
        url: https://help.shop.example/installing-fonts
        ---
        # Installing fonts

        ## Install fonts on Windows

        1. Right-click the ZIP file and choose **Extract All**. Fonts cannot be installed from inside a ZIP.
        2. Open the OTF folder and select all the font files.
        3. Right-click and choose **Install for all users**.

        ## Install fonts on a Mac

        Double-click the OTF files and click **Install** in Font Book.
        """,
    "license-keys.md": """\
        ---
        title: License keys and activation
        url: https://help.shop.example/license-keys
        ---
        # License keys and activation

        ## Where to find your license key

        Your license key is in the order confirmation email and in **Account › Library** next to the plugin.

        ## The activation limit

        Each license key activates the plugin on **2 computers**. To move it to a new computer, deactivate it on
        the old one first under **Help › Deactivate license**.
        """,
}


@pytest.fixture(scope="session")
def docs_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    for name, text in DOCS.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def kb(docs_dir, tmp_path_factory):
    """The small store's docs in a real LanceDB index (hashed embeddings: the model is not under test)."""
    knowledge = KnowledgeBase(str(tmp_path_factory.mktemp("index")), HashEmbedder())
    knowledge.ingest(str(docs_dir))
    return knowledge


@pytest.fixture
def fake():
    server = FakeAnthropic()
    yield server
    server.close()


@pytest.fixture
def claude_settings(fake):
    """Settings that point the SDK at the fake server: no retries, short timeout (fast tests)."""

    def make(**overrides):
        values = {
            "anthropic_api_key": "sk-ant-test-key",
            "anthropic_base_url": fake.base_url,
            "anthropic_max_retries": 0,
            "anthropic_timeout": 5.0,
            **overrides,
        }
        return config.load(dotenv=False, **values)

    return make


@pytest.fixture
def claude_agent(claude_settings, kb):
    """An agent with the Claude brain (no rules), closed after the test."""
    built = []

    def make(rules=None, **overrides):
        agent = build_agent(claude_settings(**overrides), kb, rules)
        built.append(agent)
        return agent

    yield make
    for agent in built:
        agent.close()


def conversation(**values) -> Conversation:
    return Conversation(**{"id": "conv-1", "number": 1042, "state": State.AI, **values})


def chat(*turns: tuple[str, str]) -> list[Entry]:
    """History entries from (role, text) pairs, oldest first."""
    return [Entry(id=f"1700000000000-{n}", type="message", role=role, text=text) for n, (role, text) in enumerate(turns)]


def ask(agent, text: str, *earlier: tuple[str, str], on_typing=None, **conv):
    """One shopper message (after ``earlier`` turns) through ``agent.respond``."""
    return agent.respond(conversation(**conv), chat(*earlier, ("customer", text)), on_typing=on_typing)
