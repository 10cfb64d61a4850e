"""Build the managers' digest over many realistic conversations in a throwaway redis-server.

    python -m bench.digest --conversations 50000 [--days 14] [--seed 7]

Writes ``--conversations`` conversations spread over the last ``--days`` days (default 14: the digest's
week and the week before it, so every conversation is read): about 30% handed off (rules, the shopper
asking, the AI unsure, the AI unavailable) across nine topics in English, German, Spanish, French and
Portuguese, with AI answers citing docs, team replies, hand-backs, idle closes and reopened
conversations. Then it times ``insights.build_digest`` exactly as the digest job calls it (bundled
MiniLM, business hours from the demo rules, topic registry, permalinks) and prints one JSON object as
its last line: {"conversations", "build_s", "topics", "rss_mb", ...}. Writing is not timed.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time

import redis

from bench import history as h

TOPICS = {
    "license": (["My license key says invalid when I activate {p}", "The activation of {p} fails, my key is rejected",
                 "Mein Lizenzschlüssel für {p} wird als ungültig abgelehnt", "Mi clave de licencia de {p} no se activa",
                 "Ma clé de licence pour {p} est refusée à l'activation"],
                {"category": "license_problem", "rule": "license-problem"},
                "I've reset the activations on your key for {p}. Sign out and activate it once more."),
    "download": (["I reached the download limit for {p} and can't download it again", "Download limit reached on my order of {p}",
                  "Ich habe das Download-Limit für {p} erreicht", "He alcanzado el límite de descargas de {p}",
                  "Atingi o limite de downloads de {p}"],
                 {"category": "docs_gap", "looked_at": [{"title": "Downloading your purchases", "url": "https://docs.example/downloads", "relevance": 0.31}]},
                 "I've reset your download limit for {p}. Go to Account > Orders and click Download again."),
    "refund": (["I want a refund for {p}, it is not what I expected", "Please refund my purchase of {p}",
                "Ich möchte eine Rückerstattung für {p}", "Quiero un reembolso de {p}", "Je voudrais un remboursement pour {p}"],
               {"category": "refund_request", "rule": "refund-request", "priority": "high"},
               "I've refunded {p}; the money is back on your card in 5 to 10 days."),
    "font_missing": (["{p} does not show up in Word after installing", "The font {p} is installed but missing in Photoshop",
                      "{p} erscheint nach der Installation nicht in Word", "La fuente {p} no aparece en Illustrator"],
                     {"category": "docs_gap", "looked_at": [{"title": "Installing fonts", "url": "https://docs.example/install", "relevance": 0.42}]},
                     "Restart the app after installing {p}; Office caches its font list until then."),
    "invoice": (["I need an invoice with my VAT number for {p}", "Can you send a receipt with our company address for {p}",
                 "Ich brauche eine Rechnung mit USt-IdNr. für {p}", "Necesito una factura con mi NIF para {p}"],
                {"category": "billing_dispute", "rule": "billing-dispute"},
                "I've added your VAT number; the new invoice for {p} is under Account > Orders."),
    "new_computer": (["How do I move {p} to my new computer?", "I got a new laptop, can I install {p} there too",
                      "Wie übertrage ich {p} auf meinen neuen Computer", "¿Cómo paso {p} a mi ordenador nuevo?"],
                     {"category": "docs_gap", "looked_at": [{"title": "License types", "url": "https://docs.example/licenses", "relevance": 0.28}]},
                     "Deactivate {p} on the old computer under Account > Devices, then activate it on the new one."),
    "payment": (["My card payment for {p} failed twice", "Payment declined when buying {p}",
                 "Die Zahlung für {p} wurde abgelehnt", "O pagamento de {p} foi recusado"],
                {"category": "ai_unavailable", "priority": "high"},
                "The bank declined the payment; try PayPal or another card for {p}."),
    "course": (["I can't access the video course {p} I bought", "The lessons of {p} do not load",
                "Ich kann den Videokurs {p} nicht öffnen", "No puedo acceder al curso {p}"],
               {"category": "human_request", "rule": "human-request"},
               "I've re-sent the access link for {p} to your e-mail address."),
    "person": (["Can I talk to a real person please", "I want to speak to a human about {p}", "Ich möchte mit einem Menschen sprechen",
                "Quiero hablar con una persona"],
               {"category": "human_request", "rule": "human-request"},
               "Hi, I'm here. What can I do for you?"),
}
PRODUCTS = ["Serif Pro", "Grotesk Bundle", "Brush Script", "the Mono family", "Display Duo", "the Icon Pack",
            "the Resume Template", "the Lightroom Presets", "the Pattern Kit", "the Mockup Suite", "Sans Neue", "the Plugin"]
HOW_TO = ["How do I install a font on Windows?", "Which file formats do you include?", "Do you offer student discounts?",
          "Wie installiere ich eine Schriftart auf dem Mac?", "¿Qué formatos de archivo incluyen?", "Can I use the fonts for a logo?",
          "Where do I find my downloads?", "Is the web font license included?"]
WEIGHTS = [0.22, 0.18, 0.12, 0.1, 0.09, 0.09, 0.07, 0.06, 0.07]


def generate(r, n: int, *, end: float, days: float, seed: int) -> None:
    rng = random.Random(seed)
    span = days * 86400
    names = list(TOPICS)
    pipe = r.pipeline(transaction=False)
    for i in range(n):
        t = end - span + rng.random() * span
        email = f"shopper{rng.randrange(n // 2 + 1)}@example.com"
        entries = []
        if rng.random() < 0.3:
            topic = rng.choices(names, WEIGHTS)[0]
            templates, escalation, reply = TOPICS[topic]
            product = rng.choice(PRODUCTS)
            text = rng.choice(templates).format(p=product)
            if rng.random() < 0.3:
                text = rng.choice(["Hi! ", "Hello, ", "Hallo, ", "Hola, ", ""]) + text + rng.choice(["", " Thanks", " ASAP please", "!!"])
            entries.append(h.msg("customer", text, t))
            if rng.random() < 0.5:
                entries.append(h.msg("ai", "Here is what our guide says.", t + 3, sources=[{"title": "Downloading your purchases", "url": "https://docs.example/downloads"}]))
                entries.append(h.msg("customer", rng.choice(["That did not help", "Still not working", "No, that's not it", "Funktioniert nicht"]), t + 60))
            at = t + 65
            entries.append(h.escalate(at, escalation))
            if rng.random() < 0.93:  # the rest are still waiting
                at += rng.expovariate(1 / 1800)
                entries.append(h.msg("agent", reply.format(p=product), at))
                if rng.random() < 0.15:
                    entries.append(h.hand_back(at + 120))
                entries.append(h.close(at + rng.expovariate(1 / 3600), idle=rng.random() < 0.3))
        else:
            entries.append(h.msg("customer", rng.choice(HOW_TO), t))
            entries.append(h.msg("ai", "Right-click the file and choose Install.", t + 3, sources=[{"title": "Installing fonts", "url": "https://docs.example/install"}]))
            if rng.random() < 0.8:
                closed = t + 600 + rng.random() * 3600
                entries.append(h.close(closed, idle=rng.random() < 0.5))
                if rng.random() < 0.05:
                    entries.append(h.reopen(closed + 86400))
        h.write(r, created_at=t, entries=entries, number=1001 + i, customer={"email": email}, pipe=pipe)
        if i % 500 == 499:
            pipe.execute()
    pipe.execute()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=5000)
    parser.add_argument("--days", type=float, default=14)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    from agent.rules import load_rules
    from bot.links import permalinks
    from conversations import ConversationStore
    from insights.digest import build_digest
    from insights.topic_ids import TopicRegistry
    from knowledge.embeddings import load_embedder
    from tests.fakes.redis_server import redis_server

    hours = load_rules("demo/rules.toml").hours
    embedder = load_embedder("")
    embedder.embed(["warm up"])
    with redis_server() as url:
        r = redis.Redis.from_url(url)
        end = time.time()
        started = time.perf_counter()
        generate(r, args.conversations, end=end, days=args.days, seed=args.seed)
        print(f"wrote {args.conversations} conversations in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        store = ConversationStore(r)
        started = time.perf_counter()
        digest = build_digest(store, end=end, period=7 * 86400, hours=hours, embedder=embedder, registry=TopicRegistry(r),
                              links=lambda ids: permalinks(r, ids), commit=True)
        build_s = time.perf_counter() - started
        r.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"conversations": args.conversations, "build_s": round(build_s, 2), "topics": len(digest.topics),
                      "rss_mb": round(rss_mb, 1), "period_conversations": digest.conversations,
                      "handoffs_grouped": digest.grouped, "handoffs_total": digest.handoffs_total,
                      "gaps": len(digest.gaps), "drafts": len(digest.drafts)}))


if __name__ == "__main__":
    main()
