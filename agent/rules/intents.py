"""What a shopper's message is about, offline and in several languages.

Why not embeddings alone: the local sentence model is English-only MiniLM, and the hard cases are
about *framing*, not topic. "do you offer refunds on e-books?" and "refund my e-book" sit next to each
other in any embedding space, yet one is a docs question and the other a request for a human. So
the built-in intents are recognised by a small, readable grammar over multilingual cue words
(agent/rules/data/lexicon.toml): a cue for the topic ("refund", "Rückerstattung"), a cue for the frame
(a purchase of the shopper's own, a request, a problem word near a license key) and negative cues for
how-to and policy questions, negation ("no need for a human") and hypotheticals ("will I be charged
again?"). Words are matched after folding case and accents, with typo tolerance from rapidfuzz. The
bench (bench/escalation.py) measures this against a keyword list and against embeddings.

When the grammar finds nothing, a learned head (agent/rules/head.py: embeddings + char n-grams,
trained on labelled messages with negatives) gives a second opinion, because a word list does not
generalise to wording it was not written for; its hits score 0.95, the grammar's 1.0.

Store-defined intents come from a few example phrases in the rules file and are matched by
similarity: character n-grams always (robust to typos and inflection in any language), plus the
sentence embedder when one is passed in.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import agent.rules.framing as framing
from agent.rules.lexicon import Lexicon, _load_lexicon
from agent.rules.text import normalize, tokenize

# ---------------------------------------------------------------------------------------------
# Character n-gram similarity (store-defined intents; works for any language and survives typos)


def ngrams(text: str, n: int = 3) -> Counter:
    padded = f" {normalize(text)} "
    return Counter(padded[i : i + n] for i in range(len(padded) - n + 1))


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


@dataclass
class CustomIntent:
    """A store-defined intent: a name, a few example phrases, optional extra keywords."""

    name: str
    examples: list[str]
    threshold: float = 0.6
    keywords: list[str] = field(default_factory=list)
    description: str = ""


# ---------------------------------------------------------------------------------------------
# The analysis of one message


@dataclass
class IntentScore:
    name: str
    score: float  # 0..1
    why: str
    learned: bool = False  # from the learned head, not the cue grammar


@dataclass
class Analysis:
    """Everything the rule engine needs to know about one shopper message."""

    text: str
    tokens: list[str]
    hits: dict[str, list[tuple[int, int]]]
    intents: dict[str, IntentScore]
    frustration: float
    frustration_why: list[str]
    learned: object = None  # agent.rules.head.Prediction when the learned head was asked
    reading: framing.Reading | None = None  # the shopper's own words the built-in intents read

    def best(self) -> IntentScore | None:
        if not self.intents:
            return None
        return max(self.intents.values(), key=lambda s: s.score)


class IntentClassifier:
    """Scores a message against the built-in intents and the store's own.

    ``embedder`` (optional) is an object with ``embed(list[str]) -> np.ndarray`` (L2-normalised rows),
    e.g. ``knowledge.embeddings.default_embedder()``; it only adds to store-defined intents, whose
    few examples are what embeddings are good at. The built-in intents never need it.
    """

    def __init__(self, custom: Sequence[CustomIntent] = (), embedder=None, head=None):
        concepts, exact = _load_lexicon()
        self.head = head  # agent.classifier.IntentHead: asked when the grammar finds no built-in intent
        self.lexicon = Lexicon(concepts, exact)
        self._filler = {normalize(w) for w in self.lexicon_words("filler")}
        self.custom = list(custom)
        self._custom_ngrams = [[ngrams(e) for e in ci.examples] for ci in self.custom]
        self._custom_keywords = Lexicon({ci.name: ci.keywords for ci in self.custom if ci.keywords})
        self.embedder = embedder
        self._custom_vectors = None
        if embedder is not None and self.custom:
            self._custom_vectors = [embedder.embed(ci.examples) for ci in self.custom]

    def lexicon_words(self, concept: str) -> list[str]:
        return [" ".join(w.text for w in phrase) for phrase in self.lexicon.concepts.get(concept, [])]

    # -- public ---------------------------------------------------------------------------------

    def analyze(self, text: str, history: Sequence[str] = ()) -> Analysis:
        tokens = tokenize(text)
        hits = self.lexicon.find(tokens)
        # The built-in intents read only the shopper's own words (agent/rules/framing.py); store keywords,
        # store-defined intents and the Analysis' tokens keep the whole message.
        reading = framing.read(text, self.lexicon)
        own_tokens, own_hits = (tokens, hits) if reading.text == text else (tokenize(reading.text), self.lexicon.find(tokenize(reading.text)))
        intents: dict[str, IntentScore] = {}
        for name, detect in (
            ("human_request", self._human_request),
            ("refund_request", self._refund_request),
            ("billing_dispute", self._billing_dispute),
            ("license_problem", self._license_problem),
            ("account_security", self._account_security),
            ("complaint", self._complaint),
        ):
            score, why = detect(own_tokens, own_hits)
            intents[name] = IntentScore(name, score, why)
        learned = None
        if reading.settled:
            for name, score in intents.items():
                if score.score and not (name == "complaint" and score.why.startswith("threat")):
                    intents[name] = IntentScore(name, 0.0, f"settled ({reading.settled!r}); was {score.score:g}: {score.why}")
        elif own_tokens:
            learned = self._learned(reading.text, intents, own_hits, set_aside=bool(reading.set_aside))
        for score in self._custom_scores(text, tokens):
            intents[score.name] = score
        frustration, frustration_why = self._frustration(reading.text, own_tokens, own_hits, history)
        return Analysis(text, tokens, hits, intents, frustration, frustration_why, learned, reading)

    # The score a learned match gets: above the default intent_threshold (0.9), below the grammar's 1.0,
    # so a rule with intent_threshold = 1.0 uses the grammar alone.
    LEARNED_SCORE = 0.95
    # P(escalate) the head needs on what is left after framing set something aside.
    SET_ASIDE_THRESHOLD = 0.8

    def _learned(self, text: str, intents: dict[str, IntentScore], hits=None, *, set_aside: bool = False):
        """Ask the learned head when the grammar found no built-in intent and did not read the message
        as a policy or hypothetical question (refund/billing/license scored 0.3: "do you offer refunds?",
        "do licenses expire?"), nor as a question about future or extra charges before any purchase
        ("will I be charged at renewal?"). When part of the message was set aside (quoted, role play,
        system text, a question about the assistant), what is left is often a fragment ("Repeat after me"):
        only a confident reading (SET_ASIDE_THRESHOLD) counts there."""
        if self.head is None or any(s.score >= 0.9 for s in intents.values()):
            return None
        if any(0.2 <= intents[n].score < 0.9 for n in ("refund_request", "billing_dispute", "license_problem")):
            return None
        if hits is not None and self.money_question(text, hits):
            return None
        from agent.rules.head import applies

        if not applies(text):
            return None
        prediction = self.head.predict(text)
        threshold = max(self.head.threshold, self.SET_ASIDE_THRESHOLD) if set_aside else self.head.threshold
        if prediction.escalate >= threshold:
            intents[prediction.intent] = IntentScore(
                prediction.intent, self.LEARNED_SCORE, f"learned: P(escalate) {prediction.escalate:.2f}, likeliest {prediction.intent}",
                learned=True,
            )
        return prediction

    def money_question(self, text: str, hits) -> bool:
        """A question about how charging or refunds work ("will I be charged at renewal?"), with no purchase
        of the shopper's own in it."""
        asks = hits.get("hypothetical") or hits.get("pre_sale") or hits.get("renewal")
        money = hits.get("charge") or hits.get("refund") or hits.get("money")
        question = "?" in text or self._opens_as_question(tokenize(text), hits)
        return bool(asks and money and question and not hits.get("purchase"))

    # -- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _spans(hits, concept) -> list[tuple[int, int]]:
        return hits.get(concept, [])

    @staticmethod
    def _words(tokens, span) -> str:
        return " ".join(tokens[span[0] : span[1]])

    _INABILITY = {"can", "could", "cannot"}
    _PLEASE = {"please", "pls", "plz", "bitte", "por favor", "svp", "s il vous plait", "per favore", "alstublieft", "prosze", "lutfen"}
    # Words that may stand between a negation and what it negates in a refusal ("not (want to talk to) a human");
    # anything else ("I don't *know how* to contact a person") means the negation is about something else.
    _REFUSAL_GLUE = ("want", "contact", "filler", "person", "negation")

    def _negated(self, tokens, hits, position: int, window: int = 4) -> bool:
        """A negation shortly before ``position`` with no "but" in between: "no need for a human"."""
        glue = set()
        for concept in self._REFUSAL_GLUE:
            for s, e in hits.get(concept, []):
                glue.update(range(s, e))
        for s, _ in hits.get("negation", []):
            if not position - window <= s < position:
                continue
            if s > 0 and tokens[s - 1] in self._INABILITY:
                continue  # "I can't reach anyone" still asks for someone
            if all(i in glue for i in range(s + 1, position)):
                return True  # "no need for a human", "I don't want to talk to anyone"
        return False

    @staticmethod
    def _near(a: list[tuple[int, int]], b: list[tuple[int, int]], window: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
        for sa in a:
            for sb in b:
                gap = max(sb[0] - sa[1], sa[0] - sb[1])
                if gap <= window and sa != sb:
                    return sa, sb
        return None

    # -- built-in intents -------------------------------------------------------------------------

    def _owned(self, hits, span) -> bool:
        """The person cue names someone of the shopper's own: "my team", "my boss", "unser Chef"."""
        return any(e == span[0] for _, e in hits.get("own", []))

    def _role_play(self, hits, span) -> bool:
        """The person cue is a part the bot is told to play: "act as the store manager", "pretend to be a
        human", "fais semblant d'être un humain" — an instruction to the bot, not a request for a person."""
        return any(0 <= span[0] - e <= 5 for _, e in hits.get("role_play", []))

    def _human_request(self, tokens, hits):
        channels = [s for s in self._spans(hits, "human_channel") if not self._negated(tokens, hits, s[0])]
        if channels:
            return 1.0, f"asks for {self._words(tokens, channels[0])!r}"
        persons = [p for p in self._spans(hits, "person") if not self._owned(hits, p) and not self._role_play(hits, p)]
        weak = [w for w in self._spans(hits, "person_weak")
                if w not in persons and not self._owned(hits, w) and not self._role_play(hits, w)]
        if not persons and not weak:
            return 0.0, ""
        # A bare request: "human", "agent pls", "Bitte einen Mitarbeiter".
        covered = set()
        for concept in ("person", "want"):
            for s, e in self._spans(hits, concept):
                covered.update(range(s, e))
        rest = [t for i, t in enumerate(tokens) if i not in covered and t not in self._filler]
        if len(tokens) <= 6 and not rest and not any(self._negated(tokens, hits, s) for s, _ in persons):
            return 1.0, f"asks for {self._words(tokens, persons[0])!r}"
        for person in sorted(persons + weak):
            if self._negated(tokens, hits, person[0], window=2):
                continue
            for concept, window in (("contact", 5), ("want", 3)):
                if concept == "want" and person in weak:
                    continue
                for frame in self._spans(hits, concept):
                    gap = person[0] - frame[1] if frame[0] < person[0] else frame[0] - person[1]
                    if frame == person or gap > window or gap < 0 and frame[0] < person[0]:
                        continue
                    if frame[0] > person[0] and tokens[frame[0]].endswith("ing"):
                        continue  # "someone speaking poetry": a person doing something, not one to reach
                    if concept == "want" and frame[0] > person[0] and not (
                        frame[0] == person[1] and self._words(tokens, frame) in self._PLEASE
                    ):
                        continue  # "a person wants ..." is not a request for one; "actual person please" is
                    if self._negated(tokens, hits, min(frame[0], person[0])):
                        continue
                    return 1.0, f"{self._words(tokens, frame)!r} + {self._words(tokens, person)!r}"
        return 0.0, ""

    # "how to fight chargebacks from my own customers": a seller's topic, not a refund of their own.
    _MANAGING = {"fight", "fighting", "prevent", "preventing", "avoid", "avoiding", "handle", "handling", "reduce", "reducing"}

    def _refund_request(self, tokens, hits):
        spans = [s for s in self._spans(hits, "refund")
                 if (s[1] >= len(tokens) or tokens[s[1]] not in self._QUALIFIERS)
                 and not (s[0] > 0 and tokens[s[0] - 1] in self._MANAGING)]
        pair = self._near(self._spans(hits, "money"), self._spans(hits, "give_back"), 4)
        if pair:
            spans.append(pair[0])
        if not spans:
            return 0.0, ""
        cue = self._words(tokens, spans[0])
        if all(self._negated(tokens, hits, s, window=2) for s, _ in spans):
            return 0.0, ""
        own_purchase = bool(self._spans(hits, "purchase")) or bool(re.search(r"\b(order|pedido|bestellung|commande)\s*\d", " ".join(tokens)))
        policy = self._spans(hits, "policy_question") or self._spans(hits, "pre_sale")
        if self._spans(hits, "conditional_purchase") or self._spans(hits, "pre_sale"):
            # "si compro el plugin y no funciona, ¿me devuelven el dinero?" asks about the policy, and so does
            # "can I get my money back if it doesn't work? I haven't bought yet"
            own_purchase, policy = False, True
        generic = bool(self._spans(hits, "category")) and not re.search(r"\b(my|the|this|mi|mein|meine|mon|ma|meu|minha)\b", " ".join(tokens))
        if not own_purchase and (policy or generic):
            return 0.3, f"{cue!r} in a policy question"
        return 1.0, f"{cue!r}" + (" for a purchase" if own_purchase else "")

    def _billing_dispute(self, tokens, hits):
        charges = self._spans(hits, "charge")
        anomalies = list(self._spans(hits, "charge_anomaly"))
        joined = " ".join(tokens)
        amounts = re.findall(r"(?:[$€£]\s?\d+|\d+(?:[.,]\d+)?\s?(?:usd|eur|euro|euros|gbp|dollars|reais|brl))", joined)
        if len(set(amounts)) >= 2 or re.search(r"\d+\s+but\s+the\s+price", joined):
            anomalies.append((0, 0))
        copies = {"bill", "invoice", "receipt", "copy", "factura", "rechnung", "facture", "fatura", "recibo"}
        anomalies = [a for a in anomalies if a == (0, 0) or not (a[1] < len(tokens) and tokens[a[1]] in copies)]  # "a duplicate invoice"
        real = [a for a in anomalies if a != (0, 0)]
        pair = self._near(charges, real, 8) if real else None
        if not pair and (0, 0) in anomalies and charges:
            pair = (charges[0], (0, 0))
        if not pair:
            return 0.0, ""
        if self._spans(hits, "hypothetical") and not self._spans(hits, "purchase"):
            return 0.3, "a question about future charges"
        return 1.0, f"{self._words(tokens, pair[0])!r} + {self._words(tokens, pair[1]) or 'two amounts'!r}"

    _GREETINGS = {"hi", "hello", "hey", "hola", "hallo", "bonjour", "ola", "ciao", "there"}

    def _opens_as_question(self, tokens, hits) -> bool:
        """The message starts like a question about how things work ("do ...", "is there ...", "hi, does ...")."""
        start = 0
        while start < len(tokens) and tokens[start] in self._GREETINGS:
            start += 1
        return any(s == start for s, _ in hits.get("question_opener", []))

    # Words that report what a key is doing now ("why does it say limit reached"): a problem, even as a question.
    _LICENSE_STATE = {"why", "says", "say", "said", "saying", "shows", "showing", "reached", "hit", "already", "still", "keeps", "now"}

    def _license_problem(self, tokens, hits):
        objects, problems = self._spans(hits, "license_object"), self._spans(hits, "license_problem")
        pair = self._near(objects, problems, 8)
        if not pair:
            return 0.0, ""
        terms = set(self._spans(hits, "license_terms"))
        if (
            self._opens_as_question(tokens, hits)
            and all(p in terms for p in problems)
            and not self._spans(hits, "purchase")
            and (not self._LICENSE_STATE.intersection(tokens) or self._spans(hits, "hypothetical"))
        ):
            return 0.3, f"a question about how licenses work ({self._words(tokens, pair[1])!r})"
        return 1.0, f"{self._words(tokens, pair[0])!r} + {self._words(tokens, pair[1])!r}"

    def _stolen_device(self, tokens, hits, span) -> bool:
        """ "my laptop was stolen": a device, not the account, unless an account word is in the message."""
        if self._spans(hits, "account"):
            return False
        return any(span[0] - 4 <= s and e <= span[1] + 3 for s, e in hits.get("device", []))

    _NEVER = {"never", "nunca", "nie", "jamais", "mai"}

    def _first_time(self, tokens, hits, span) -> bool:
        """ "I never bought from you before": a first-time shopper, not a purchase they did not make."""
        if not any(t in self._NEVER for t in tokens[span[0] : span[1]]):
            return False
        return any(span[1] <= s <= span[1] + 4 for s, _ in hits.get("first_time", []))

    # "hacked" about somewhere or something else: another site, a story, a visual style.
    _ELSEWHERE = {
        "instagram", "facebook", "twitter", "tiktok", "snapchat", "discord", "steam", "whatsapp", "linkedin",
        "gmail", "outlook", "hotmail", "yahoo", "icloud", "netflix", "paypal",
        "youtube", "reddit", "twitch", "novel", "story", "chapter", "book", "game", "movie", "film", "series",
        "character", "hero", "villain", "plot", "style", "font", "look", "effect", "aesthetic", "theme", "glitch",
        "thriller", "fiction", "fictional", "roblox", "fortnite", "minecraft", "nephew", "niece",
    }

    _GOODS = {"font", "fonts", "art", "artwork", "designs", "templates", "files", "content", "work", "assets", "images", "photos"}
    _OTHER_SITE = ("another site", "other site", "another website", "other website", "another platform", "other platform")

    def _elsewhere(self, tokens, span) -> bool:
        """'hacked' about another site or a story, or 'stolen' about goods ("scams with stolen fonts")."""
        near = tokens[max(0, span[0] - 5) : span[1] + 3]
        if self._ELSEWHERE.intersection(near) or any(p in " ".join(near) for p in self._OTHER_SITE):
            return True
        return tokens[span[0]] == "stolen" and bool(self._GOODS.intersection(tokens[span[1] : span[1] + 2]))

    def _account_security(self, tokens, hits):
        hacked = [h for h in self._spans(hits, "hacked")
                  if not self._stolen_device(tokens, hits, h) and not self._elsewhere(tokens, h)]
        if hacked and not self._negated(tokens, hits, hacked[0][0], window=3):
            return 1.0, f"{self._words(tokens, hacked[0])!r}"
        intrusion = [s for s in self._spans(hits, "intrusion") if not self._first_time(tokens, hits, s)]
        if intrusion and (self._spans(hits, "account") or self._spans(hits, "purchase") or re.search(
            r"\b(purchase|purchases|order|orders|changed|compras|pedidos|bestellungen|achats|commandes|compras|cambiado|geandert|change|alterada)\b",
            " ".join(tokens),
        )):
            return 1.0, f"{self._words(tokens, intrusion[0])!r}"
        return 0.0, ""

    _QUALIFIERS = {"free", "friendly", "proof", "protection", "safe", "policy", "policies", "prevention", "awareness"}
    # "an e-book on avoiding fraud": the threat word is a topic, not an accusation.
    _TOPIC_OF = _MANAGING | {"spot", "spotting", "detect", "detecting", "about", "on", "against", "evitar", "sobre", "vermeiden",
                             "eviter", "evitare"}

    def _threats(self, tokens, hits):
        """Threat words, except as a qualifier ("scam-free checkout", "chargeback policy") or in a worry
        before buying ("is this a scam site? just checking before I buy")."""
        if self._spans(hits, "pre_sale") and not self._spans(hits, "purchase"):
            return []
        return [
            s
            for s in self._spans(hits, "threat")
            if (s[1] >= len(tokens) or tokens[s[1]] not in self._QUALIFIERS)
            and not (s[0] > 0 and tokens[s[0] - 1] in self._TOPIC_OF)
        ]

    _STORE_WORDS = {
        "you", "your", "service", "support", "store", "shop", "company", "site", "website", "app", "team", "guys",
        "ustedes", "servicio", "tienda", "empresa", "ihr", "euer", "eure", "laden", "firma", "vous", "votre",
        "boutique", "voces", "loja", "atendimento", "bot", "chatbot",
    }

    def _complaint(self, tokens, hits):
        threats = self._threats(tokens, hits)
        if threats:
            return 1.0, f"threat {self._words(tokens, threats[0])!r}"
        for lawyer in self._spans(hits, "lawyer"):
            frames = [s for s in self._spans(hits, "lawyer_frame") if lawyer[0] - 3 <= s[0] < lawyer[0]]
            if frames and not re.search(r"\b(is|es|ist|est|e)\s+(a|an|un|una|ein|eine|um|uma)\s*$", " ".join(tokens[: lawyer[0]])):
                return 1.0, f"threat {self._words(tokens, frames[0])} {self._words(tokens, lawyer)!r}"
        complaints = self._spans(hits, "complaint")
        anger = self._spans(hits, "anger")
        lodged = self._near(complaints, self._spans(hits, "complaint_verb"), 3)
        if lodged:
            return 1.0, f"complaint {self._words(tokens, lodged[1])!r} {self._words(tokens, lodged[0])!r}"
        if complaints and (anger or self._spans(hits, "want")):
            return 1.0, f"complaint {self._words(tokens, complaints[0])!r}"
        for a in anger:
            around = tokens[max(0, a[0] - 3) : a[1] + 2]
            if any(t in self._STORE_WORDS for t in around):
                return 1.0, f"angry at the store: {self._words(tokens, a)!r}"
        if len(anger) >= 2:
            return 0.8, f"angry words {', '.join(self._words(tokens, a) for a in anger[:3])}"
        swear = self._spans(hits, "swear")
        if anger or complaints or swear:
            return 0.4, f"{self._words(tokens, (anger or complaints or swear)[0])!r}"
        return 0.0, ""

    # -- frustration ------------------------------------------------------------------------------

    def _frustration(self, text, tokens, hits, history):
        score = 0.0
        why: list[str] = []
        letters = [c for c in text if c.isalpha()]
        words = [w for w in re.split(r"\s+", text) if any(c.isalpha() for c in w)]
        if len(letters) >= 12 and len(words) >= 3:
            upper = sum(1 for c in letters if c.isupper())
            if upper / len(letters) >= 0.7:
                score += 1
                why.append("ALL CAPS")
        anger = self._spans(hits, "anger") + self._spans(hits, "swear")
        if anger:
            score += min(len(anger), 2)
            why.append("angry words: " + ", ".join(self._words(tokens, a) for a in anger[:3]))
        threats = self._threats(tokens, hits)
        if threats:
            score += 2
            why.append(f"threat: {self._words(tokens, threats[0])}")
        if re.search(r"[!?]{3,}", text):
            score += 0.5
            why.append("!!!")
        if history:
            from rapidfuzz import fuzz

            normalized = normalize(text)
            repeats = sum(1 for h in history if normalized and fuzz.ratio(normalize(h), normalized) >= 85)
            if repeats:
                score += min(repeats, 2)
                why.append(f"repeated the same message {repeats + 1} times")
        return score, why

    # -- store-defined intents --------------------------------------------------------------------

    def _custom_scores(self, text: str, tokens: list[str]) -> list[IntentScore]:
        if not self.custom:
            return []
        grams = ngrams(text)
        vector = None
        if self._custom_vectors is not None:
            vector = self.embedder.embed([text])[0]
        keyword_hits = self._custom_keywords.find(tokens) if self._custom_keywords.concepts else {}
        scores = []
        for i, ci in enumerate(self.custom):
            best, example = 0.0, ""
            for ex, ex_grams in zip(ci.examples, self._custom_ngrams[i], strict=True):
                sim = cosine(grams, ex_grams)
                if sim > best:
                    best, example = sim, ex
            why = f"similar to {example!r} ({best:.2f})" if example else ""
            if vector is not None:
                sims = self._custom_vectors[i] @ vector
                j = int(sims.argmax())
                if float(sims[j]) > best:
                    best, why = float(sims[j]), f"close in meaning to {ci.examples[j]!r} ({float(sims[j]):.2f})"
            if ci.name in keyword_hits:
                span = keyword_hits[ci.name][0]
                best, why = 1.0, f"keyword {' '.join(tokens[span[0]:span[1]])!r}"
            score = 1.0 if best >= ci.threshold else best * 0.5
            scores.append(IntentScore(ci.name, round(score, 3), why))
        return scores
