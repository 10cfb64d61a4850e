"""What Baton itself says to a shopper, in the conversation's language.

The state machine's announcements ("a person will reply here shortly") and the follow-up e-mail
read in ``Conversation.locale`` (set by the widget when the conversation starts: its ``data-lang``,
the page's ``lang`` or the browser's language). Unknown languages read in English.
"""

from __future__ import annotations

import re

from conversations.machine import ANNOUNCEMENTS, Event

LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl", "pl", "ar", "he")
RTL = frozenset({"ar", "he"})
_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{1,8})*$")

IDLE_CLOSE = "idle_close"

# key → language → text. ``{actor}`` is a team member's name, ``{store}`` the store's, ``{number}``
# the conversation's number.
LINES: dict[str, dict[str, str]] = {
    Event.ESCALATE: {
        "de": "Ich habe das an unser Team weitergegeben. Ein Mensch antwortet dir hier in Kürze.",
        "fr": "J'ai transmis votre demande à notre équipe. Une personne vous répondra ici sous peu.",
        "es": "He pasado esto a nuestro equipo. Una persona te responderá aquí en breve.",
        "pt": "Passei isto para a nossa equipe. Uma pessoa vai responder aqui em breve.",
        "it": "Ho passato la richiesta al nostro team. Una persona ti risponderà qui a breve.",
        "nl": "Ik heb dit aan ons team doorgegeven. Een medewerker antwoordt hier zo snel mogelijk.",
        "pl": "Przekazałem to naszemu zespołowi. Wkrótce odpowie tu człowiek.",
        "ar": "لقد أحلت طلبك إلى فريقنا. سيرد عليك أحد أعضاء الفريق هنا قريبًا.",
        "he": "העברתי את זה לצוות שלנו. אדם מהצוות יענה לך כאן בקרוב.",
    },
    Event.TAKE_OVER: {
        "de": "{actor} aus unserem Team ist dem Gespräch beigetreten.",
        "fr": "{actor} de notre équipe a rejoint la conversation.",
        "es": "{actor}, de nuestro equipo, se ha unido a la conversación.",
        "pt": "{actor}, da nossa equipe, entrou na conversa.",
        "it": "{actor} del nostro team si è unito alla conversazione.",
        "nl": "{actor} van ons team neemt nu deel aan het gesprek.",
        "pl": "{actor} z naszego zespołu dołączył(a) do rozmowy.",
        "ar": "انضم {actor} من فريقنا إلى المحادثة.",
        "he": "{actor} מהצוות שלנו הצטרף/ה לשיחה.",
    },
    Event.HAND_BACK: {
        "de": "{actor} hat das Gespräch an unseren KI-Assistenten zurückgegeben.",
        "fr": "{actor} a rendu la conversation à notre assistant IA.",
        "es": "{actor} ha devuelto la conversación a nuestro asistente de IA.",
        "pt": "{actor} devolveu a conversa ao nosso assistente de IA.",
        "it": "{actor} ha restituito la conversazione al nostro assistente IA.",
        "nl": "{actor} heeft het gesprek teruggegeven aan onze AI-assistent.",
        "pl": "{actor} przekazał(a) rozmowę z powrotem naszemu asystentowi AI.",
        "ar": "أعاد {actor} المحادثة إلى مساعدنا الذكي.",
        "he": "{actor} החזיר/ה את השיחה לעוזר הבינה המלאכותית שלנו.",
    },
    Event.CLOSE: {
        "de": "Dieses Gespräch wurde geschlossen. Schreib jederzeit wieder, um es erneut zu öffnen.",
        "fr": "Cette conversation a été fermée. Écrivez-nous à tout moment pour la rouvrir.",
        "es": "Esta conversación se ha cerrado. Escribe cuando quieras para reabrirla.",
        "pt": "Esta conversa foi encerrada. Escreva a qualquer momento para reabri-la.",
        "it": "Questa conversazione è stata chiusa. Scrivi quando vuoi per riaprirla.",
        "nl": "Dit gesprek is gesloten. Schrijf gerust opnieuw om het weer te openen.",
        "pl": "Ta rozmowa została zamknięta. Napisz w dowolnej chwili, aby ją wznowić.",
        "ar": "تم إغلاق هذه المحادثة. اكتب في أي وقت لإعادة فتحها.",
        "he": "השיחה נסגרה. אפשר לכתוב שוב בכל עת כדי לפתוח אותה מחדש.",
    },
    Event.REOPEN: {
        "de": "Gespräch wieder geöffnet.",
        "fr": "Conversation rouverte.",
        "es": "Conversación reabierta.",
        "pt": "Conversa reaberta.",
        "it": "Conversazione riaperta.",
        "nl": "Gesprek heropend.",
        "pl": "Rozmowa wznowiona.",
        "ar": "أعيد فتح المحادثة.",
        "he": "השיחה נפתחה מחדש.",
    },
    IDLE_CLOSE: {
        "en": "This conversation was closed after a day without messages. Write again any time to reopen it.",
        "de": "Dieses Gespräch wurde nach einem Tag ohne Nachrichten geschlossen. Schreib jederzeit wieder, um es erneut zu öffnen.",
        "fr": "Cette conversation a été fermée après une journée sans message. Écrivez-nous à tout moment pour la rouvrir.",
        "es": "Esta conversación se cerró tras un día sin mensajes. Escribe cuando quieras para reabrirla.",
        "pt": "Esta conversa foi encerrada após um dia sem mensagens. Escreva a qualquer momento para reabri-la.",
        "it": "Questa conversazione è stata chiusa dopo un giorno senza messaggi. Scrivi quando vuoi per riaprirla.",
        "nl": "Dit gesprek is gesloten na een dag zonder berichten. Schrijf gerust opnieuw om het weer te openen.",
        "pl": "Ta rozmowa została zamknięta po dniu bez wiadomości. Napisz w dowolnej chwili, aby ją wznowić.",
        "ar": "أُغلقت هذه المحادثة بعد يوم بلا رسائل. اكتب في أي وقت لإعادة فتحها.",
        "he": "השיחה נסגרה אחרי יום ללא הודעות. אפשר לכתוב שוב בכל עת כדי לפתוח אותה מחדש.",
    },
    # The follow-up e-mail.
    "email_subject": {
        "en": "{store} replied to your message (#{number})",
        "de": "{store} hat auf deine Nachricht geantwortet (#{number})",
        "fr": "{store} a répondu à votre message (n° {number})",
        "es": "{store} ha respondido a tu mensaje (n.º {number})",
        "pt": "{store} respondeu à sua mensagem (n.º {number})",
        "it": "{store} ha risposto al tuo messaggio (n. {number})",
        "nl": "{store} heeft op je bericht gereageerd (#{number})",
        "pl": "{store} odpowiedział(a) na Twoją wiadomość (nr {number})",
        "ar": "ردّ {store} على رسالتك (رقم {number})",
        "he": "{store} השיבו להודעה שלך (#{number})",
    },
    "email_intro": {
        "en": "You have a reply from the {store} team:",
        "de": "Du hast eine Antwort vom {store}-Team:",
        "fr": "Vous avez une réponse de l'équipe {store} :",
        "es": "Tienes una respuesta del equipo de {store}:",
        "pt": "Você tem uma resposta da equipe {store}:",
        "it": "Hai una risposta dal team di {store}:",
        "nl": "Je hebt een antwoord van het team van {store}:",
        "pl": "Masz odpowiedź od zespołu {store}:",
        "ar": "لديك رد من فريق {store}:",
        "he": "קיבלת תשובה מצוות {store}:",
    },
    "email_link": {
        "en": "Continue the conversation",
        "de": "Gespräch fortsetzen",
        "fr": "Reprendre la conversation",
        "es": "Continuar la conversación",
        "pt": "Continuar a conversa",
        "it": "Continua la conversazione",
        "nl": "Ga verder met het gesprek",
        "pl": "Kontynuuj rozmowę",
        "ar": "تابع المحادثة",
        "he": "להמשך השיחה",
    },
    "email_expiry": {
        "en": "The link works once and expires in {hours} hours. You can also simply reply in the chat on our site.",
        "de": "Der Link funktioniert einmal und läuft in {hours} Stunden ab. Du kannst auch einfach im Chat auf unserer Seite antworten.",
        "fr": "Le lien fonctionne une fois et expire dans {hours} heures. Vous pouvez aussi répondre dans le chat de notre site.",
        "es": "El enlace funciona una vez y caduca en {hours} horas. También puedes responder en el chat de nuestra web.",
        "pt": "O link funciona uma vez e expira em {hours} horas. Você também pode responder no chat do nosso site.",
        "it": "Il link funziona una volta e scade tra {hours} ore. Puoi anche rispondere nella chat del nostro sito.",
        "nl": "De link werkt één keer en verloopt over {hours} uur. Je kunt ook gewoon reageren in de chat op onze site.",
        "pl": "Link działa jeden raz i wygasa za {hours} godz. Możesz też po prostu odpisać na czacie na naszej stronie.",
        "ar": "يعمل الرابط مرة واحدة وتنتهي صلاحيته خلال {hours} ساعة. يمكنك أيضًا الرد في الدردشة على موقعنا.",
        "he": "הקישור פועל פעם אחת ותוקפו יפוג בעוד {hours} שעות. אפשר גם פשוט להשיב בצ'אט באתר שלנו.",
    },
}
for _event, _text in ANNOUNCEMENTS.items():
    LINES[_event]["en"] = _text


def language(tag: str | None) -> str:
    """The primary language of a BCP 47 tag ("de-AT" → "de"), or "" when it is not one."""
    match = _TAG.match((tag or "").strip())
    return match.group(1).lower() if match else ""


def line(key: str, lang: str | None, **values) -> str:
    """``key``'s text in ``lang`` (English when Baton does not speak it), filled with ``values``."""
    texts = LINES[key]
    return texts.get(language(lang), texts["en"]).format(**values)
