"""Grouping escalated shoppers' messages into recurring topics, with the bundled MiniLM."""

from __future__ import annotations

import numpy as np
import pytest

from insights.grouping import Group, fold, group_texts, match_previous, vocabulary
from knowledge.embeddings import HashEmbedder, MiniLMEmbedder

ACTIVATION = [
    "My license key won't activate, it says the key is invalid",
    "The activation code you sent is rejected by the app",
    "I can't activate the plugin, serial number not accepted",
    "License activation fails with 'invalid key' every time",
    "Der Lizenzschlüssel lässt sich nicht aktivieren, er ist ungültig.",
    "Mein Aktivierungscode wird von der Software abgelehnt.",
    "La clave de licencia no se activa, dice que no es válida",
]
DOWNLOAD_LIMIT = [
    "It says I have reached the download limit for my font",
    "Download limit reached, I can't download the template again",
    "I used up all my downloads and the file got lost, please reset the download limit",
    "Maximum number of downloads exceeded on my order",
    "Mein Download-Limit ist erreicht, ich kann die Datei nicht mehr herunterladen.",
    "Das Downloadlimit für meine Schriftart ist überschritten.",
    "He alcanzado el límite de descargas de la plantilla",
]
REFUND = [
    "I want a refund, the course is not what was described",
    "Please give me my money back for the ebook",
    "Refund my order please, I bought it by mistake",
    "Ich möchte mein Geld zurück für die Vorlage.",
    "Quiero un reembolso de mi compra",
]
INVOICE = [
    "I need an invoice with my company's VAT number",
    "Can you send a proper invoice for my business?",
    "Please add our company address to the invoice",
    "Ich brauche eine Rechnung mit unserer Umsatzsteuer-ID.",
    "Necesito una factura para mi empresa",
]


@pytest.fixture(scope="module")
def minilm():
    return MiniLMEmbedder()


def _group_of(groups: list[Group], index: int) -> Group:
    return next(g for g in groups if index in g.members)


def test_license_activation_and_download_limit_messages_land_in_two_topics_in_two_languages(minilm):
    """English, German and Spanish activation complaints share one topic, download-limit ones another."""
    texts = ACTIVATION + DOWNLOAD_LIMIT + REFUND + INVOICE
    groups = group_texts(texts, minilm)
    activation = {id(_group_of(groups, i)) for i in range(len(ACTIVATION))}
    downloads = {id(_group_of(groups, len(ACTIVATION) + i)) for i in range(len(DOWNLOAD_LIMIT))}
    assert len(activation) == 1 and len(downloads) == 1
    assert activation != downloads
    activation_group = _group_of(groups, 0)
    assert not activation_group.other
    assert set(activation_group.members) == set(range(len(ACTIVATION)))


def test_every_message_is_in_exactly_one_group_largest_first(minilm):
    """Duplicates, empty and one-off messages included: each index appears once; sizes descend, Other last."""
    texts = ACTIVATION + DOWNLOAD_LIMIT + REFUND + ["", "   ", "asdfgh", "Where are you based?"] + REFUND[:2]
    groups = group_texts(texts, minilm)
    members = sorted(i for g in groups for i in g.members)
    assert members == list(range(len(texts)))
    named = [g for g in groups if not g.other]
    assert [len(g.members) for g in named] == sorted((len(g.members) for g in named), reverse=True)
    assert all(not g.other for g in groups[:-1])
    assert all(abs(float(np.linalg.norm(g.centroid)) - 1.0) < 1e-4 for g in groups)


def test_no_messages_no_groups(minilm):
    """An empty period has no topics (not an error)."""
    assert group_texts([], minilm) == []


def test_names_come_from_the_groups_own_words(minilm):
    """Every word of a topic's name occurs in one of its members' own messages."""
    texts = ACTIVATION + DOWNLOAD_LIMIT + REFUND + INVOICE
    groups = group_texts(texts, minilm)
    for group in groups:
        if group.other:
            assert group.name == "Other"
            continue
        own_words = [set(fold(texts[i]).split()) for i in group.members]
        assert any(set(group.name.split()) <= words for words in own_words), group.name
        assert group.keywords
    assert "download" in _group_of(groups, len(ACTIVATION)).name


def test_a_recurring_topic_keeps_its_identity_and_a_new_one_is_new(minilm):
    """Next week's download-limit topic (other messages) continues last week's id; a new topic gets None."""
    last_week = group_texts(ACTIVATION + DOWNLOAD_LIMIT[:4] + REFUND, minilm)
    previous = [(f"t{n}", g.centroid) for n, g in enumerate(last_week) if not g.other]
    limit_id = f"t{last_week.index(_group_of(last_week, len(ACTIVATION)))}"
    this_week = DOWNLOAD_LIMIT[4:] + [
        "I hit the download limit again on my e-book",
        "The site says no downloads remaining for this purchase",
    ] + INVOICE
    groups = group_texts(this_week, minilm)
    ids = match_previous(groups, previous)
    assert ids[groups.index(_group_of(groups, 0))] == limit_id
    invoice = _group_of(groups, len(this_week) - 1)
    assert ids[groups.index(invoice)] is None
    assert len([i for i in ids if i is not None]) == len(set(i for i in ids if i is not None))


def test_a_previous_topic_from_another_embedder_matches_nothing(minilm):
    """Centroids of another size (the store changed its embedder) never continue a topic."""
    groups = group_texts(DOWNLOAD_LIMIT, minilm)
    assert match_previous(groups, [("old", np.ones(256, dtype=np.float32) / 16)]) == [None] * len(groups)


def test_cue_words_in_other_languages_translate_to_the_same_concepts():
    """German compounds, accents, Japanese, Russian and Arabic cue words come out as the English concepts."""
    vocab = vocabulary()
    assert vocab.translate("Der Lizenzschlüssel ist ungültig")[1] == ["license", "key", "invalid"]
    assert vocab.translate("Your license key is invalid")[1] == ["license", "key", "invalid"]
    assert {"download", "limit", "reached"} <= set(vocab.translate("ダウンロード上限に達しました")[1])
    assert vocab.translate("J'ai atteint la limite de téléchargements")[1] == ["reached", "limit", "download"]
    assert set(vocab.translate("Лицензионный ключ недействителен")[1]) == {"license", "key", "invalid"}
    assert set(vocab.translate("لم يصلني مفتاح الترخيص")[1]) == {"not received", "key", "license"}


def test_large_batches_are_grouped_by_sample_and_assignment():
    """Past the pairwise cap, every message still lands in exactly one group, topics kept apart."""
    texts = [f"{t} (order {n})" for n in range(6) for t in ACTIVATION[:4] + DOWNLOAD_LIMIT[:4]]
    groups = group_texts(texts, HashEmbedder(), max_cluster=12)
    assert sorted(i for g in groups for i in g.members) == list(range(len(texts)))
    first = _group_of(groups, 0)
    assert all(_group_of(groups, i) is first for i in range(0, len(texts), 8))
    assert all(_group_of(groups, i) is not first for i in range(4, len(texts), 8))


def test_past_the_embedding_cap_messages_join_their_topic_by_its_concepts():
    """Only max_embed distinct texts are embedded; the others still land with their topic."""
    texts = [f"{t} (ticket {n})" for n in range(3) for t in ACTIVATION + DOWNLOAD_LIMIT]
    texts += [f"Hello, {t}" for t in ACTIVATION + DOWNLOAD_LIMIT]
    embedder = CountingEmbedder()
    groups = group_texts(texts, embedder, max_embed=10)
    assert embedder.embedded <= 10 + 32  # the cap, plus at most a few for an "Other" centroid
    assert sorted(i for g in groups for i in g.members) == list(range(len(texts)))
    size = len(ACTIVATION) + len(DOWNLOAD_LIMIT)
    later = range(3 * size, len(texts))  # the "Hello, …" copies: not near-duplicates of the others
    for i in later:
        original = i - 3 * size
        assert _group_of(groups, i) is _group_of(groups, original)
        assert not _group_of(groups, i).other


class CountingEmbedder(HashEmbedder):
    """A HashEmbedder that counts the texts it was asked to embed."""

    def __init__(self):
        super().__init__()
        self.embedded = 0

    def embed(self, texts):
        self.embedded += len(texts)
        return super().embed(texts)


def test_a_topic_written_only_in_japanese_is_named_by_its_concepts(minilm):
    """No Latin word in the group: its name is its own cue words' concepts, not a blank."""
    texts = ["ダウンロード上限に達しました。", "ダウンロードの上限に達したと表示されます。", "ダウンロード回数の上限を超えました。"]
    groups = group_texts(texts, minilm)
    assert len(groups) == 1 and not groups[0].other
    assert "download" in groups[0].name
