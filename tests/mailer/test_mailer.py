"""E-mail goes out through a real SMTP server: plain, STARTTLS with login, and clear errors."""

from __future__ import annotations

import pytest

import config
from mailer import Mailer, MailError, MailNotConfigured, SmtpTarget
from tests.fakes.redis_server import free_port
from tests.fakes.smtp_server import SmtpServer


def test_a_message_arrives_with_its_subject_text_and_html(smtp_server):
    """The SMTP server receives the sender, recipient, subject and both text and HTML parts."""
    mailer = Mailer(smtp_server.url, "help@pixelandpress.example")
    mailer.send(mailer.message(to="ana@example.com", subject="Your reply from Pixel & Press", text="Hello Ana", html="<p>Hello <b>Ana</b></p>", sender_name="Pixel & Press"))
    [msg] = smtp_server.wait_for(1)
    assert msg["To"] == "ana@example.com"
    assert (msg["From"].addresses[0].display_name, msg["From"].addresses[0].addr_spec) == ("Pixel & Press", "help@pixelandpress.example")
    assert msg["Subject"] == "Your reply from Pixel & Press"
    assert msg.get_body(("plain",)).get_content().strip() == "Hello Ana"
    assert "<b>Ana</b>" in msg.get_body(("html",)).get_content()
    assert smtp_server.envelopes == [{"from": "help@pixelandpress.example", "to": ["ana@example.com"]}]


def test_starttls_and_login_are_used_for_an_smtp_url_with_credentials(tmp_path, monkeypatch):
    """smtp://user:pass@host:port upgrades with STARTTLS before logging in (the server refuses otherwise)."""
    with SmtpServer(tls_dir=tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", server.cafile)  # trust the test server's self-signed certificate
        mailer = Mailer(server.url, "help@pixelandpress.example")
        mailer.send(mailer.message(to="ana@example.com", subject="Hi", text="Over TLS"))
        [msg] = server.wait_for(1)
        assert msg.get_content().strip() == "Over TLS"


def test_wrong_credentials_are_a_mail_error_without_the_address(tmp_path, monkeypatch):
    """A refused login raises MailError whose message names neither the recipient nor the password."""
    with SmtpServer(tls_dir=tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", server.cafile)
        mailer = Mailer(server.url.replace("s3cret%20pass", "wrong"), "help@pixelandpress.example", timeout=2)
        with pytest.raises(MailError) as err:
            mailer.send(mailer.message(to="ana@example.com", subject="Hi", text="secret body"))
        assert "ana@example.com" not in str(err.value) and "wrong" not in str(err.value) and "secret body" not in str(err.value)
        assert server.messages == []


def test_an_unreachable_server_is_a_mail_error_naming_host_and_port():
    """Nothing listening on the port: MailError says which server could not be reached."""
    port = free_port()
    mailer = Mailer(f"smtp://127.0.0.1:{port}?starttls=0", "help@pixelandpress.example", timeout=3)
    with pytest.raises(MailError, match=f"127.0.0.1:{port}"):
        mailer.send(mailer.message(to="ana@example.com", subject="Hi", text="x"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://user:pa%40ss@mail.example:587", SmtpTarget("mail.example", 587, "starttls", "user", "pa@ss")),
        ("smtp://mail.example", SmtpTarget("mail.example", 587, "starttls")),
        ("smtps://u:p@mail.example", SmtpTarget("mail.example", 465, "tls", "u", "p")),
        ("smtp://relay.local:25?starttls=0", SmtpTarget("relay.local", 25, "none")),
    ],
)
def test_smtp_urls_choose_port_and_tls(url, expected):
    """smtp:// means STARTTLS on 587, smtps:// TLS on 465; credentials are URL-decoded."""
    assert SmtpTarget.parse(url) == expected


@pytest.mark.parametrize("url", ["http://mail.example", "mail.example:587", "smtp://"])
def test_a_malformed_smtp_url_names_the_setting(url):
    """A URL that is not smtp:// or smtps:// is refused with the variable's name and an example."""
    with pytest.raises(MailError, match="BATON_SMTP_URL"):
        SmtpTarget.parse(url)


def test_email_is_off_without_an_smtp_url_and_needs_a_from_address():
    """No BATON_SMTP_URL: no mailer; a URL without BATON_EMAIL_FROM says to set it."""
    assert Mailer.from_settings(config.load(environ={}, dotenv=False)) is None
    with pytest.raises(MailNotConfigured, match="BATON_EMAIL_FROM"):
        Mailer.from_settings(config.load(environ={"BATON_SMTP_URL": "smtp://mail.example"}, dotenv=False))


def test_email_after_is_a_duration():
    """BATON_EMAIL_AFTER is written like 5m and defaults to five minutes."""
    assert config.load(environ={}, dotenv=False).email_after == 300
    assert config.load(environ={"BATON_EMAIL_AFTER": "90s"}, dotenv=False).email_after == 90
