"""Outgoing e-mail: build a message with ``email.message.EmailMessage``, send it with ``smtplib``.

Owns: the SMTP connection settings (``BATON_SMTP_URL``, ``BATON_EMAIL_FROM``) and one send call.
May import: the standard library and ``config``. Callers build the content; nothing here knows
conversations, Slack or Flask. Addresses and bodies are never logged.

    smtp://user:pass@host:587    plain connection upgraded with STARTTLS (the default port 587)
    smtps://user:pass@host:465   TLS from the first byte (the default port 465)
    smtp://host:25?starttls=0    no TLS at all (a local relay or a test server only)
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT = 20  # seconds for connecting and each SMTP command


class MailError(Exception):
    """E-mail could not be sent or is not configured; ``str(err)`` names the setting or the step."""


class MailNotConfigured(MailError):
    pass


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: str  # "starttls" | "tls" | "none"
    username: str = ""
    password: str = ""

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        """Parse ``BATON_SMTP_URL``; raises MailError naming the variable when it is malformed."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailError("BATON_SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
        query = parse_qs(parts.query)
        if parts.scheme == "smtps":
            tls = "tls"
        elif query.get("starttls", ["1"])[0].lower() in ("0", "false", "no", "off"):
            tls = "none"
        else:
            tls = "starttls"
        try:
            port = parts.port or (465 if tls == "tls" else 587)
        except ValueError:
            raise MailError("BATON_SMTP_URL has a port that is not a number") from None
        return cls(
            host=parts.hostname,
            port=port,
            tls=tls,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


def build(*, sender: str, to: str, subject: str, text: str, html: str = "", sender_name: str = "", reply_to: str = "") -> EmailMessage:
    """A plain-text message with an optional HTML alternative."""
    msg = EmailMessage()
    msg["From"] = formataddr((sender_name, sender)) if sender_name else sender
    msg["To"] = to
    msg["Subject"] = subject
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


class Mailer:
    """Sends messages through one SMTP server. ``Mailer.from_settings(settings)`` or None when off."""

    def __init__(self, url: str, sender: str, *, timeout: float = SMTP_TIMEOUT):
        if not sender:
            raise MailNotConfigured("BATON_EMAIL_FROM is not set: set it to the address e-mails come from")
        self.target = SmtpTarget.parse(url)
        self.sender = sender
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings) -> Mailer | None:
        """The configured mailer, or None when ``BATON_SMTP_URL`` is empty (e-mail is off)."""
        if not settings.smtp_url:
            return None
        return cls(settings.smtp_url, settings.email_from)

    def message(self, *, to: str, subject: str, text: str, html: str = "", sender_name: str = "") -> EmailMessage:
        return build(sender=self.sender, to=to, subject=subject, text=text, html=html, sender_name=sender_name)

    def send(self, msg: EmailMessage) -> None:
        """Send ``msg``; raises MailError (without the address or the body) when the server refuses."""
        t = self.target
        try:
            if t.tls == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            with smtp:
                smtp.ehlo()
                if t.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if t.username:
                    smtp.login(t.username, t.password)
                smtp.send_message(msg)
        except smtplib.SMTPException as err:
            raise MailError(f"the SMTP server refused the message ({type(err).__name__})") from None
        except OSError as err:
            raise MailError(f"could not reach the SMTP server {t.host}:{t.port} ({type(err).__name__})") from None


__all__ = ["MailError", "MailNotConfigured", "Mailer", "SmtpTarget", "build"]
