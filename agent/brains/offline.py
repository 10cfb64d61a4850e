"""The offline brain: extractive answers from the docs, honest handoffs, small talk — no model needed.

It is the default on a fresh machine (no ANTHROPIC_API_KEY), so it has to feel real:

1. small talk (greetings, thanks, "are you a bot?", a bare "talk to a human") gets a short canned
   reply in the shopper's language; a "yes" to "shall I bring in a person?" hands over;
2. otherwise it searches the docs; when the best passage's calibrated relevance is under
   ``knowledge.defaults.RELEVANCE_THRESHOLD`` the docs do not cover the question: it declines
   politely if the question is off-topic, else says it is not sure and escalates, naming the best
   match and its relevance for the team;
3. when the docs do cover it, it quotes the one to three sentences (or the list of steps) of the best
   passage that answer the question, and cites that doc section as the reply's source;
4. unless the answer gate doubts that this doc is the answer (a neighbouring article often passes the
   relevance threshold on paraphrased questions): then it links the guide as "looks related" and
   offers a person instead of stating the quote as fact (see ``Gate``).

Sentence selection is lexical (weighted term overlap, with an FAQ-aware rule: when a heading or a
bold question in the doc matches, the answer is the text under it, not the question echoed back).
It runs in well under a millisecond on top of the search.
"""

from __future__ import annotations

import re

from agent.brains import lines, permission, smalltalk
from agent.brains.extract import CHOOSE_K, choose, extract, likely_sentence
from agent.brains.gate import Gate, gate_features
from agent.brains.turn import Options, Turn, not_sure_handoff
from agent.types import Escalation, Reply

OFF_TOPIC_RELEVANCE = 0.15
MAX_GUIDES = 3  # the likeliest guides (distinct docs) shown when the answer gate is unsure  # below this, a question with no store words is declined rather than escalated

_DEFAULT = object()

# What the shopper reads below the gate (agent/brains/lines.py holds the other canned lines).
TENTATIVE_OFFER = {
    "en": "I'm not completely sure this answers it, but this guide looks related: {link}. Would you like me to bring in a person from our team?",
    "es": "No estoy del todo seguro de que esto responda a tu pregunta, pero esta guía parece relacionada (en inglés): {link}. ¿Quieres que pase la conversación a una persona de nuestro equipo?",
    "fr": "Je ne suis pas tout à fait sûr que cela réponde à votre question, mais ce guide semble lié (en anglais) : {link}. Voulez-vous que je fasse intervenir une personne de notre équipe ?",
    "de": "Ich bin mir nicht ganz sicher, ob das Ihre Frage beantwortet, aber diese Anleitung scheint passend (auf Englisch): {link}. Soll ich eine Person aus unserem Team dazuholen?",
    "it": "Non sono del tutto sicuro che risponda alla tua domanda, ma questa guida sembra pertinente (in inglese): {link}. Vuoi che coinvolga una persona del nostro team?",
    "pt": "Não tenho certeza de que isto responde à sua pergunta, mas este guia parece relacionado (em inglês): {link}. Quer que eu chame uma pessoa da nossa equipe?",
    "nl": "Ik weet niet helemaal zeker of dit je vraag beantwoordt, maar deze handleiding lijkt erop te gaan (in het Engels): {link}. Zal ik iemand van ons team erbij halen?",
}
TENTATIVE_HANDOFF = {
    "en": "I'm not completely sure this answers it, but this guide looks related: {link}. I've asked a person from our team to pick this up; they'll reply right here in this chat.",
    "es": "No estoy del todo seguro de que esto responda a tu pregunta, pero esta guía parece relacionada (en inglés): {link}. He pedido a una persona de nuestro equipo que se encargue; te responderá aquí mismo.",
    "fr": "Je ne suis pas tout à fait sûr que cela réponde à votre question, mais ce guide semble lié (en anglais) : {link}. J'ai demandé à une personne de notre équipe de prendre le relais ; elle vous répondra ici même.",
    "de": "Ich bin mir nicht ganz sicher, ob das Ihre Frage beantwortet, aber diese Anleitung scheint passend (auf Englisch): {link}. Ich habe eine Person aus unserem Team gebeten, das zu übernehmen; sie antwortet hier im Chat.",
}


# Two or three likely guides, each with the sentence that made it likely ({guides} is a Markdown list).
TENTATIVE_OFFER_MANY = {
    "en": "I'm not completely sure which of our guides answers this; these look the most likely:\n\n{guides}\n\nWould you like me to bring in a person from our team?",
    "es": "No estoy del todo seguro de qué guía responde a tu pregunta; estas parecen las más probables (en inglés):\n\n{guides}\n\n¿Quieres que pase la conversación a una persona de nuestro equipo?",
    "fr": "Je ne suis pas tout à fait sûr du guide qui répond à votre question ; ceux-ci semblent les plus probables (en anglais) :\n\n{guides}\n\nVoulez-vous que je fasse intervenir une personne de notre équipe ?",
    "de": "Ich bin mir nicht ganz sicher, welche Anleitung Ihre Frage beantwortet; diese scheinen am passendsten (auf Englisch):\n\n{guides}\n\nSoll ich eine Person aus unserem Team dazuholen?",
    "it": "Non sono del tutto sicuro di quale guida risponda alla tua domanda; queste sembrano le più probabili (in inglese):\n\n{guides}\n\nVuoi che coinvolga una persona del nostro team?",
    "pt": "Não tenho certeza de qual guia responde à sua pergunta; estes parecem os mais prováveis (em inglês):\n\n{guides}\n\nQuer que eu chame uma pessoa da nossa equipe?",
    "nl": "Ik weet niet helemaal zeker welke handleiding je vraag beantwoordt; deze lijken het meest waarschijnlijk (in het Engels):\n\n{guides}\n\nZal ik iemand van ons team erbij halen?",
}
TENTATIVE_HANDOFF_MANY = {
    "en": "I'm not completely sure which of our guides answers this; these look the most likely:\n\n{guides}\n\nI've asked a person from our team to pick this up; they'll reply right here in this chat.",
    "es": "No estoy del todo seguro de qué guía responde a tu pregunta; estas parecen las más probables (en inglés):\n\n{guides}\n\nHe pedido a una persona de nuestro equipo que se encargue; te responderá aquí mismo.",
    "fr": "Je ne suis pas tout à fait sûr du guide qui répond à votre question ; ceux-ci semblent les plus probables (en anglais) :\n\n{guides}\n\nJ'ai demandé à une personne de notre équipe de prendre le relais ; elle vous répondra ici même.",
    "de": "Ich bin mir nicht ganz sicher, welche Anleitung Ihre Frage beantwortet; diese scheinen am passendsten (auf Englisch):\n\n{guides}\n\nIch habe eine Person aus unserem Team gebeten, das zu übernehmen; sie antwortet hier im Chat.",
}


def _line(variants: dict, lang: str, link: str) -> str:
    return variants.get(lang, variants["en"]).format(link=link)


def _link(hit) -> str:
    return f"[{hit.citation_title}]({hit.url})" if hit.url else f"“{hit.citation_title}”"


# ---- the brain --------------------------------------------------------------------------------


class OfflineBrain:
    name = "offline"

    def __init__(self, settings, kb, *, options: Options | None = None, threshold: float | None = None, gate=_DEFAULT):
        self.settings = settings
        self.kb = kb
        self.options = options or Options.from_settings(settings)
        if threshold is None:
            from knowledge.defaults import RELEVANCE_THRESHOLD

            threshold = RELEVANCE_THRESHOLD
        self.threshold = threshold
        if gate is _DEFAULT:
            gate = Gate.for_embedder(getattr(getattr(kb, "embedder", None), "name", ""))
        self.gate = gate

    def answer(self, turn: Turn) -> Reply:
        text = turn.text
        lang = turn.language
        store = self.settings.store_name
        meta = {"brain": self.name}
        previous = turn.previous_ai_meta

        if previous.get("offered_handoff") and smalltalk.is_affirmation(text):
            return self._handoff(turn, "The shopper accepted the offer of a person", previous, meta)
        small = smalltalk.classify(text)
        if previous.get("asked_topic") and (small is None or small[0] == "ask_topic"):
            return self._handoff(turn, "The shopper asked for a person", previous, meta)
        if small is not None:
            kind, small_lang = small
            reply_meta = {**meta, "answered": True, "outcome": "smalltalk", "smalltalk": kind}
            if kind == "ask_topic":
                reply_meta["asked_topic"] = True
            return Reply(text=lines.line(kind, small_lang, store=store), meta=reply_meta)

        question = smalltalk.strip_greeting(text)
        bridged = smalltalk.english_keywords(question) if lang != "en" else ""
        query = f"{bridged} {_names(question)}".strip() if bridged else question
        hits = self.kb.search(query, k=CHOOSE_K, audience=self.options.audience)
        looked_at = _looked_at(hits)
        best = hits[0] if hits else None
        relevance = float(best.relevance) if best else 0.0
        meta.update(relevance=round(relevance, 3), doc=best.slug if best else "")
        if best is None or relevance < self.threshold:
            if not smalltalk.about_the_store(question) and (smalltalk.looks_off_topic(question) or relevance < OFF_TOPIC_RELEVANCE):
                return Reply(text=lines.line("off_topic", lang, store=store), meta={**meta, "answered": True, "outcome": "declined"})
            where = f"best match {best.citation_title}, relevance {relevance:.2f}" if best else "no match at all"
            return not_sure_handoff(turn, f"The docs don't cover this ({where})", looked_at, meta)

        if permission.about_who_may_use(query):  # answered from the license terms or not at all (permission.py)
            meta["who_may_use"] = True
            terms = [h for h in permission.terms_hits(self.kb, query, k=CHOOSE_K, audience=self.options.audience)
                     if h.relevance >= self.threshold]
            if not terms:
                return self._tentative(turn, best, 0.0, looked_at, meta, query=query, hits=[])
            hits = terms
        chosen = choose(query, hits, self.threshold)
        ordered = [chosen] + [h for h in hits if h is not chosen]
        quote = extract(query, ordered, threshold=self.threshold)
        if quote is None:
            return not_sure_handoff(turn, f"The best match ({best.citation_title}) has no quotable text", looked_at, meta)
        hit = quote.hit
        features = gate_features(query, hits, quote)
        meta["gate_features"] = features  # not a scalar: kept out of stored entries; bench.answers --fit-gate reads it
        if self.gate is not None:
            confidence = self.gate.probability(features)
            meta["confidence"] = round(confidence, 3)
            if not self.gate.passes(features):
                return self._tentative(turn, hit, confidence, looked_at, meta, query=query, hits=hits)
        lead = lines.line("docs_in_english", lang) if bridged else ""
        return Reply(
            text=f"{lead}\n\n{quote.text}" if lead else quote.text,
            sources=[{"title": hit.citation_title, "url": hit.url}],
            meta={**meta, "answered": True, "outcome": "answered", "doc": hit.slug},
        )

    def _tentative(self, turn: Turn, hit, confidence: float, looked_at: list[dict], meta: dict, *, query: str = "",
                   hits: list | None = None) -> Reply:
        """Below the answer gate: no quote stated as fact, but the likely guides and a person.

        The shopper gets the two or three likeliest guides (distinct docs among the hits above the
        relevance threshold, the chosen one first), each linked with the sentence that made it likely,
        or "I'm not completely sure this answers it, but this guide looks related: <link>" when only one
        doc came up; then, per ``BATON_UNCITED``, the offer of a person (a "yes" hands over) or a handoff
        at once. The guides are the reply's sources, so the widget shows their links too.
        """
        guides = self._guides(query, hit, hits or [])
        source = [{"title": h.citation_title, "url": h.url} for h in guides]
        meta = {**meta, "answered": False, "outcome": "tentative", "doc": hit.slug, "docs": [h.slug for h in guides]}
        reason = f"Not confident the docs answer this (best guess {hit.citation_title}, confidence {confidence:.2f})"
        listed = "\n".join(f"- {_link(h)}" + (f": “{why}”" if (why := likely_sentence(query, h)) else "") for h in guides)
        escalate = self.options.uncited == "escalate"
        if len(guides) > 1:
            variants = TENTATIVE_HANDOFF_MANY if escalate else TENTATIVE_OFFER_MANY
            text = variants.get(turn.language, variants["en"]).format(guides=listed)
        else:
            text = _line(TENTATIVE_HANDOFF if escalate else TENTATIVE_OFFER, turn.language, _link(hit))
        if escalate:
            escalated = not_sure_handoff(turn, reason, looked_at, meta)
            return Reply(text=text, sources=source, escalation=escalated.escalation, meta=meta)
        return Reply(text=text, sources=source, meta={**meta, "offered_handoff": True})

    def _guides(self, query: str, chosen, hits: list) -> list:
        """The chosen passage, then the best passage of up to MAX_GUIDES - 1 other docs above the threshold."""
        out, seen = [chosen], {chosen.slug}
        for h in hits:
            if len(out) == MAX_GUIDES:
                break
            if h.slug not in seen and h.relevance >= self.threshold:
                out.append(h)
                seen.add(h.slug)
        return out

    def _handoff(self, turn: Turn, reason: str, previous: dict, meta: dict) -> Reply:
        earlier = [e.text for e in turn.history[:-1] if e.role == "customer" and e.type == "message"][-2:]
        asked = " / ".join(_clip(t, 120) for t in earlier)
        summary = f"Wants a person. Said: {_clip(turn.text, 160)}" + (f"\nEarlier: {asked}" if asked else "")
        hits = self.kb.search(turn.text, k=3, audience=self.options.audience) if not smalltalk.is_affirmation(turn.text) else []
        return Reply(
            text=lines.line("handoff", turn.language),
            escalation=Escalation(reason=reason, category="human_request", summary=summary, looked_at=_looked_at(hits)),
            meta={**meta, "answered": True, "outcome": "handoff"},
        )


_NAME = re.compile(r"(?<![.!?¿¡]\s)(?<!^)\b([A-Z][\w-]*[A-Za-z0-9]|\w*\d\w*)\b")


def _names(text: str) -> str:
    """Product names, systems and numbers kept from a non-English question ("Windows", "Lumen", "v2")."""
    return " ".join(dict.fromkeys(_NAME.findall(text.strip(" ¿¡"))))


def _looked_at(hits) -> list[dict]:
    seen, out = set(), []
    for h in hits:
        key = h.url or h.citation_title
        if key in seen:
            continue
        seen.add(key)
        out.append({"title": h.citation_title, "url": h.url, "relevance": round(float(h.relevance), 3)})
    return out[:5]


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
