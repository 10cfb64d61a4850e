"""A real SMTP server (aiosmtpd) on a free local port that keeps what it receives.

    with SmtpServer() as smtp:             # plain SMTP, no login
    with SmtpServer(tls_dir=tmp_path):     # STARTTLS required, then AUTH LOGIN/PLAIN (user/secret)

``smtp.messages`` holds the received messages as ``email.message.EmailMessage`` objects.
``smtp.url`` is the matching ``BATON_SMTP_URL``; for the TLS server ``smtp.cafile`` is the
self-signed certificate a client must trust (set ``SSL_CERT_FILE`` to it).
"""

from __future__ import annotations

import email
import email.policy
import ssl
import subprocess
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.fakes.redis_server import free_port

USER, PASSWORD = "baton", "s3cret pass"


class _Keep:
    def __init__(self, box: list, envelopes: list):
        self.box, self.envelopes = box, envelopes

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos)})
        self.box.append(email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost made with the openssl command line."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


class SmtpServer:
    def __init__(self, tls_dir: Path | None = None):
        self.messages: list = []
        self.envelopes: list = []
        self.port = free_port()
        kwargs = {}
        self.cafile = None
        if tls_dir is not None:
            cert, key = self_signed(Path(tls_dir))
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(cert), str(key))
            kwargs = {"tls_context": context, "require_starttls": True, "authenticator": _authenticator, "auth_require_tls": True}
            self.cafile = str(cert)
            self.url = f"smtp://{USER}:{PASSWORD.replace(' ', '%20')}@localhost:{self.port}"
        else:
            self.url = f"smtp://127.0.0.1:{self.port}?starttls=0"
        self.controller = Controller(_Keep(self.messages, self.envelopes), hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list:
        """The received messages once there are ``count`` of them (fails after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"expected {count} e-mail(s), the SMTP server got {len(self.messages)}"
        return self.messages


