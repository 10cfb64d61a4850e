"""Small talk, language guessing and the agent's canned lines, in the shopper's language.

The offline answerer uses this to greet, thank, say goodbye, decline off-topic questions and hand
over honestly without a model; the Claude brain and the orchestrator use the same lines when the API
is down or a rule hands over, so the shopper hears one consistent voice. Everything is plain data
and small regular expressions: fast (microseconds) and easy for a store to read and change.
"""

from __future__ import annotations

import re
import unicodedata

# ---- language ---------------------------------------------------------------------------------

# Frequent function words per language: enough to tell a shopper's language from one sentence.
_STOPWORDS = {
    "en": "the a an is are do does how can i my you your what why when where to of for and it this with not".split(),
    "es": "el la los las es son cómo como puedo mi mis tu qué que por para con no una un del al hola gracias quiero".split(),
    "fr": "le la les est sont comment puis je mon ma mes vous votre quoi pour avec pas une un de des du au sur dans ne bonjour merci".split(),
    "de": "der die das ist sind wie kann ich mein meine sie ihr was warum für mit nicht ein eine und hallo danke".split(),
    "it": "il lo la gli le è sono come posso io mio mia tuo cosa perché per con non una uno del ciao grazie".split(),
    "pt": "o a os as é são como posso eu meu minha você seu que por para com não uma um do da olá obrigado".split(),
    "nl": "de het een is zijn hoe kan ik mijn jij je wat waarom voor met niet en van hallo bedankt".split(),
}
_LETTERS = {"es": "ñ¿¡", "fr": "çèêàùœ", "de": "ßäöü", "pt": "ãõç", "it": "ìò"}  # letters English never uses
_SCRIPTS = [  # languages recognisable by their script alone
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
]
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def fold(text: str) -> str:
    """Lower case without accents: "¿Qué tal?" → "¿que tal?"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def detect_language(text: str) -> str:
    """A best guess at the shopper's language (ISO 639-1); "en" when unsure."""
    for code, pattern in _SCRIPTS:
        if pattern.search(text):
            return code
    tokens = words(text)
    if not tokens:
        return "en"
    scores = {code: sum(t in vocab for t in tokens) for code, vocab in _STOPWORDS.items()}
    for code, pattern in _GREETING_LANG:
        if pattern.search(fold(text)):
            scores[code] = scores.get(code, 0) + 2
    lowered = text.lower()
    for code, letters in _LETTERS.items():
        if any(c in lowered for c in letters):
            scores[code] += 1
    best = max(scores, key=lambda c: (scores[c], c == "en"))
    return best if scores[best] > scores["en"] else "en"


# ---- small talk -------------------------------------------------------------------------------


def _alternation(*phrases: str) -> str:
    folded = {fold(p) for p in phrases}
    return "|".join(sorted((re.escape(p).replace(r"\ ", r"\s+") for p in folded), key=len, reverse=True))


_GREETINGS = {
    "en": ("hi", "hii", "hiya", "hello", "helo", "hey", "heya", "hey there", "howdy", "yo", "greetings", "good morning",
           "good afternoon", "good evening", "morning", "evening"),
    "es": ("hola", "buenas", "buenos dias", "buenas tardes", "buenas noches"),
    "fr": ("bonjour", "salut", "bonsoir", "coucou"),
    "de": ("hallo", "guten tag", "guten morgen", "guten abend", "moin", "servus", "gruss gott", "gruezi"),
    "it": ("ciao", "buongiorno", "buonasera", "salve"),
    "pt": ("ola", "oi", "bom dia", "boa tarde", "boa noite"),
    "nl": ("hoi", "goedemorgen", "goedemiddag", "goedenavond", "dag"),
    "sv": ("hej", "hejsan", "god morgon"),
    "pl": ("czesc", "dzien dobry"),
    "tr": ("merhaba", "selam"),
    "ru": ("привет", "здравствуите", "здравствуи", "добрыи день"),
    "ja": ("こんにちは", "こんばんは", "おはよう", "おはようございます"),
    "zh": ("你好", "您好", "嗨"),
    "ko": ("안녕하세요", "안녕"),
}
_THANKS = {
    "en": ("thanks", "thank you", "thank u", "thx", "ty", "tysm", "cheers", "many thanks", "thanks a lot", "thank you so much",
           "appreciate it", "much appreciated", "thanks so much"),
    "es": ("gracias", "muchas gracias", "mil gracias"),
    "fr": ("merci", "merci beaucoup", "merci bien"),
    "de": ("danke", "danke schon", "vielen dank", "dankeschon"),
    "it": ("grazie", "grazie mille"),
    "pt": ("obrigado", "obrigada", "muito obrigado", "muito obrigada", "valeu"),
    "nl": ("bedankt", "dank je", "dank u", "dankjewel", "dank je wel"),
    "sv": ("tack", "tack sa mycket"),
    "pl": ("dziekuje", "dzieki"),
    "tr": ("tesekkurler", "tesekkur ederim", "sagol"),
    "ru": ("спасибо", "спасибо большое"),
    "ja": ("ありがとう", "ありがとうございます"),
    "zh": ("谢谢", "多谢", "谢谢你"),
    "ko": ("감사합니다", "고마워요"),
}
_BYE = {
    "en": ("bye", "goodbye", "bye bye", "see you", "see ya", "that's all", "thats all", "that is all", "have a good day",
           "have a nice day", "good night"),
    "es": ("adios", "hasta luego", "chao"),
    "fr": ("au revoir", "a bientot", "bonne journee"),
    "de": ("tschuss", "auf wiedersehen", "bis bald", "schonen tag"),
    "it": ("arrivederci", "a presto"),
    "pt": ("tchau", "ate logo", "adeus"),
    "nl": ("doei", "tot ziens"),
}
_HOW_ARE_YOU = {
    "en": ("how are you", "how r u", "how are u", "how's it going", "hows it going", "how is it going", "how are you doing",
           "what's up", "whats up", "sup"),
    "es": ("que tal", "como estas", "como esta"),
    "fr": ("ca va", "comment ca va", "comment allez vous", "comment allez-vous"),
    "de": ("wie geht's", "wie gehts", "wie geht es ihnen", "wie geht es dir"),
    "it": ("come stai", "come va"),
    "pt": ("tudo bem", "como vai", "como voce esta"),
    "nl": ("hoe gaat het", "hoe is het"),
}
_ACK = ("ok", "okay", "k", "kk", "cool", "great", "perfect", "nice", "awesome", "got it", "alright", "all right", "sounds good",
        "understood", "good", "super", "excellent", "perfecto", "parfait", "genial", "prima", "perfetto", "otimo", "👍", "🙏")
_AFFIRM = ("yes", "yes please", "yeah", "yep", "sure", "please", "please do", "ok please", "yes i would", "yes i'd like that",
           "si", "si por favor", "oui", "oui merci", "oui s'il vous plait", "ja", "ja bitte", "sim", "sim por favor", "graag",
           "go ahead", "do it", "that would be great", "yes, please")
_IDENTITY = ("are you a bot", "are you a robot", "are you human", "are you a human", "are you real", "are you an ai",
             "are you ai", "who are you", "what are you", "is this a bot", "am i talking to a bot", "am i talking to a human",
             "is this a real person", "are you a real person")
_REVEAL = re.compile(
    r"\b(system\s+prompt|your\s+(instructions|prompt|rules|guidelines|configuration)|ignore\s+(all\s+)?(previous|prior|your)"
    r"|disregard\s+(your|all|previous)|developer\s+mode|jailbreak|you\s+are\s+now\b|pretend\s+(to\s+be|you\s+are))",
    re.IGNORECASE,
)
_HUMAN_VAGUE = re.compile(
    r"^(?:(?:can|could|may)\s+i\s+|i\s+(?:want|need|would\s+like|wanna)\s+(?:to\s+)?|let\s+me\s+|please\s+|pls\s+)?"
    r"(?:talk|speak|chat)?\s*(?:to|with)?\s*(?:a|an|the|some|someone|somebody)?\s*"
    r"(?:human|person|real\s+person|agent|operator|representative|rep|someone|somebody|staff|support\s+team|manager|"
    r"live\s+agent|live\s+person|human\s+being|customer\s+service)"
    r"(?:\s+please|\s+pls|\s+now)?$",
    re.IGNORECASE,
)

_EDGE = r"[\s!.,;:?¡¿~\-–—…)(\"'😀-🙏👋👍🙂😊]*"
_FILLER = r"(?:\s+(?:there|team|all|everyone|folks|guys|again|so much|a lot|very much|for your help|for the help|:\)|!)){0,3}"


def _pattern(table: dict[str, tuple[str, ...]]) -> list[tuple[str, re.Pattern]]:
    return [(lang, re.compile(rf"^{_EDGE}(?:{_alternation(*phrases)}){_FILLER}{_EDGE}$", re.IGNORECASE)) for lang, phrases in table.items()]


_GREETING_RE = _pattern(_GREETINGS)
_THANKS_RE = _pattern(_THANKS)
_BYE_RE = _pattern(_BYE)
_HOW_RE = _pattern(_HOW_ARE_YOU)
_ACK_RE = re.compile(rf"^{_EDGE}(?:{_alternation(*_ACK)})(?:[\s,!.]+(?:thanks|thank you|thx|merci|gracias|danke))?{_EDGE}$", re.IGNORECASE)
_AFFIRM_RE = re.compile(rf"^{_EDGE}(?:{_alternation(*_AFFIRM)}){_EDGE}$", re.IGNORECASE)
_IDENTITY_RE = re.compile(rf"^{_EDGE}(?:{_alternation(*_IDENTITY)}){_EDGE}$", re.IGNORECASE)
_GREETING_LANG = [(lang, re.compile(rf"^{_EDGE}(?:{_alternation(*p)})\b", re.IGNORECASE)) for lang, p in _GREETINGS.items() if lang != "en"]
_GREETING_PREFIX = re.compile(
    rf"^{_EDGE}(?:{_alternation(*[p for ps in _GREETINGS.values() for p in ps])}){_FILLER}[\s!.,;:]+(?=\S)", re.IGNORECASE
)


def _match(table: list[tuple[str, re.Pattern]], text: str) -> str | None:
    for lang, pattern in table:
        if pattern.match(text):
            return lang
    return None


def classify(text: str) -> tuple[str, str] | None:
    """(kind, language) when ``text`` is small talk rather than a question, else None.

    kinds: greeting, thanks, bye, how_are_you, ack, identity, no_reveal, ask_topic (a bare request for
    a person with nothing about what it is), mixed greeting+thanks count as thanks.
    """
    t = fold(text.strip())
    if not t:
        return None
    if len(t) > 160:
        return None
    for kind, table in (("thanks", _THANKS_RE), ("greeting", _GREETING_RE), ("bye", _BYE_RE), ("how_are_you", _HOW_RE)):
        lang = _match(table, t)
        if lang:
            return kind, lang
    # "hi, how are you?" / "hello! thanks" — a greeting in front of other small talk.
    rest = strip_greeting(t)
    if rest != t:
        inner = classify(rest)
        if inner:
            return inner
    if _ACK_RE.match(t):
        return "ack", detect_language(text)
    if _IDENTITY_RE.match(t):
        return "identity", detect_language(text)
    if _HUMAN_VAGUE.match(t.strip(" !.?")):
        return "ask_topic", detect_language(text)
    if _REVEAL.search(t):
        return "no_reveal", detect_language(text)
    return None


def strip_greeting(text: str) -> str:
    """The message without a leading greeting: "Hi! How do I install fonts?" → "How do I install fonts?"."""
    return _GREETING_PREFIX.sub("", text, count=1).strip() or text


def is_affirmation(text: str) -> bool:
    """A short yes ("yes please", "sure", "oui") — the answer to "shall I bring in a person?"."""
    return bool(_AFFIRM_RE.match(fold(text.strip())))


# ---- off-topic --------------------------------------------------------------------------------

# Questions a digital-goods store's assistant should politely decline. Only consulted when the docs
# do not match, so "how do I install the Python plugin" is never declined for saying "python".
_OFF_TOPIC = re.compile(
    r"\b(weather|forecast|capital\s+of|president|prime\s+minister|election|recipe|cook|bake|poem|poetry|haiku|song|lyrics|"
    r"joke|riddle|homework|essay|math|equation|solve|calculate|\d+\s*[-+*/x]\s*\d+|translate|translation|write\s+(me\s+)?"
    r"(a|an|some)\b|python|javascript|sql|football|soccer|basketball|nba|nfl|score|stock|bitcoin|crypto|movie|film|"
    r"tv\s+show|netflix|meaning\s+of\s+life|horoscope|dating|girlfriend|boyfriend|diet|workout|capital|population|"
    r"history\s+of|who\s+won|who\s+is\s+the|tallest|largest|biggest\s+country|chatgpt|openai|amazon|ebay|etsy)\b",
    re.IGNORECASE,
)


def looks_off_topic(text: str) -> bool:
    return bool(_OFF_TOPIC.search(fold(text)))


# ---- store vocabulary and a small bridge to the (English) docs ---------------------------------

# Concept → English search words, and the word starts (accent-folded) that name it in the languages
# the canned lines cover. Offline there is no translation model; this bridges the support
# vocabulary that carries most of a question ("¿cómo descargo mi compra?" → "download purchase").
GLOSSARY: dict[str, tuple[str, ...]] = {
    "download": ("descarg", "telecharg", "herunterlad", "runterlad", "baix", "scaric", "downloaden"),
    "purchase buy": ("compra", "compre", "compro", "achat", "achete", "kauf", "gekauft", "acquist", "aankoop", "gekocht", "koop"),
    "order": ("pedido", "commande", "bestell", "encomenda", "ordine", "bestelling"),
    "license": ("licencia", "licence", "lizenz", "licenca", "licenza", "licentie"),
    "license key activation": ("clave", "activacion", "activar", "cle de", "activation", "schlussel", "aktivier", "chave", "ativacao",
                               "ativar", "chiave", "attivazion", "sleutel", "activer"),
    "refund": ("reembols", "devolucion", "devolver", "rembours", "ruckerstatt", "erstattung", "geld zuruck", "rimbors", "terugbetal"),
    "invoice receipt": ("factura", "recibo", "facture", "recu", "rechnung", "quittung", "beleg", "fatura", "fattura", "ricevuta", "factuur"),
    "payment pay": ("pago", "pagar", "pague", "paiement", "payer", "paye", "zahlung", "bezahl", "pagamento", "betal"),
    "account": ("cuenta", "compte", "konto", "conta", "account"),
    "password": ("contrasena", "mot de passe", "passwort", "senha", "wachtwoord"),
    "font": ("fuente", "tipografia", "police", "schrift", "fonte", "lettertype"),
    "template": ("plantilla", "modele", "vorlage", "modelo", "modell", "sjabloon"),
    "course video": ("curso", "cours", "kurs", "corso", "cursus"),
    "install": ("instal",),
    "email": ("correo", "courriel", "e-mail", "mail"),
    "link": ("enlace", "lien", "link", "collegamento"),
    "subscription membership": ("suscrip", "membresia", "abonnement", "adhesion", "abo", "mitglied", "assinatura", "abbonament",
                                "lidmaatschap"),
    "cancel": ("cancelar", "annuler", "resilier", "kundig", "storn", "annullar", "disdir", "opzeggen"),
    "discount coupon code": ("descuento", "cupon", "reduction", "remise", "code promo", "rabatt", "gutschein", "desconto", "cupom",
                             "sconto", "korting"),
    "gift": ("regalo", "cadeau", "geschenk", "presente"),
    "computer": ("ordenador", "computadora", "ordinateur", "rechner", "computador"),
    "file": ("archivo", "fichero", "fichier", "datei", "arquivo", "ficheiro", "bestand"),
    "error not working": ("error", "no funciona", "erreur", "ne marche pas", "fonctionne pas", "fehler", "funktioniert nicht", "erro",
                          "nao funciona", "errore", "non funziona", "fout", "werkt niet"),
    "price": ("precio", "prix", "preis", "preco", "prezzo", "prijs"),
    "card": ("tarjeta", "carte", "karte", "cartao", "carta", "kaart"),
    "charged": ("cobr", "cargo", "preleve", "prelevement", "debite", "abbuch", "belast", "addebit", "afschrijv"),
    "expired": ("caduc", "expir", "abgelaufen", "scadut", "verlopen"),
    "website": ("sitio web", "pagina web", "site web", "webseite", "sito web"),
    "ebook": ("libro electronico", "livre numerique", "livro digital", "libro digitale"),
    "update version": ("actualiz", "mise a jour", "aktualisier", "atualiz", "aggiorn", "bijwerk", "version"),
    "VAT tax": ("iva", "impuesto", "tva", "taxe", "mwst", "mehrwertsteuer", "steuer", "imposto", "tassa", "btw", "belasting"),
    "plugin": ("complemento", "extension", "erweiterung"),
}
_GLOSSARY_RE = [(english, re.compile(r"\b(?:" + "|".join(re.escape(s) for s in starts) + r")", re.IGNORECASE))
                for english, starts in GLOSSARY.items()]

# English words that mark a question as being about a shop, an order or an account.
_STORE_WORDS = re.compile(
    r"\b(buy|bought|purchas\w*|order\w*|download\w*|licen[cs]\w*|refund\w*|return\w*|account\w*|login|log\s+in|sign\s+in|password|"
    r"pay\w*|card|charg\w*|price\w*|cost\w*|invoice\w*|receipt\w*|vat|tax\w*|subscri\w*|membership\w*|discount\w*|coupon\w*|"
    r"code|gift\w*|product\w*|font\w*|template\w*|e-?books?|course\w*|plugin\w*|preset\w*|file\w*|install\w*|activat\w*|key|"
    r"serial|email\w*|link|store|shop|checkout|cart|seller\w*|sell\w*|creator\w*|customer\w*|payout\w*|upgrade\w*|bundle\w*|"
    r"delivery|deliver\w*|support|team|website|your\s+site|app)\b",
    re.IGNORECASE,
)


def english_keywords(text: str) -> str:
    """English search words for the support terms in a non-English message ("" when none)."""
    folded = fold(text)
    return " ".join(english for english, pattern in _GLOSSARY_RE if pattern.search(folded))


def about_the_store(text: str) -> bool:
    """Does the message mention shopping, orders, files or accounts (in English or via the glossary)?"""
    return bool(_STORE_WORDS.search(text) or english_keywords(text))
