"""Every Baton setting, read once from the environment (and `.env` if present).

Each setting is an environment variable with a documented default; the table in README.md
lists them all. Nothing else in the code base reads ``os.environ``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and the fix."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """Seconds in a duration written the Baton way: ``90s``, ``10m``, ``2h``, ``7d``.

    Raises ValueError with a message that shows the accepted forms.
    """
    match = _DURATION.match(str(text).lower())
    if not match:
        raise ValueError(f"{text!r} is not a duration; write it like 90s, 10m, 2h or 7d")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@dataclass(frozen=True)
class Settings:
    # Redis: conversations, queues, live fan-out, rate limits.
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Slack (all optional: without them Baton runs and logs that mirroring is off).
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""  # xapp-… for Socket Mode
    slack_api_url: str = "https://slack.com/api/"
    slack_inbox_channel: str = ""
    slack_digest_channel: str = ""
    # Anthropic (optional: without a key the offline answerer answers).
    anthropic_api_key: str = ""
    anthropic_base_url: str = ""
    anthropic_model: str = "claude-haiku-5-5"  # the current fast Claude model (SDK 2.10 model list)
    anthropic_timeout: float = 30.0  # seconds per API request before the agent hands over
    anthropic_max_retries: int = 2  # SDK retries (with back-off) on 429/5xx/529/network errors
    anthropic_effort: str = "low"  # output_config.effort on models that take it; "none" leaves the model default
    agent_max_tool_rounds: int = 4  # tool calls the model may make in one turn before handing over
    agent_uncited: str = "offer"  # answer without a citation: "offer" a person, or "escalate" at once
    # Knowledge and rules.
    docs_dir: str = str(ROOT / "demo" / "docs")
    data_dir: str = str(ROOT / "data")
    rules_path: str = str(ROOT / "demo" / "rules.toml")
    docs_base_url: str = ""  # prefix for doc links when a doc has no `url` front matter
    embedder: str = ""  # "" = the bundled MiniLM; "hash"; or "package.module:factory" for your own
    # The store.
    store_name: str = "Pixel & Press"
    store_tone: str = "friendly, concise and warm"
    # Limits.
    max_message_chars: int = 4000  # characters per shopper or agent message
    file_max_mb: float = 10.0  # largest file a team member can send a shopper from Slack (megabytes)
    # MIME types a team member can send a shopper from Slack ("image/*" allows every image type).
    file_types: str = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv,application/zip"
    rate_limit_messages: str = "20 per minute"  # per conversation
    rate_limit_create: str = "30 per hour"  # new conversations per client address
    rate_limit_address: str = "60 per minute"  # messages per client address, across its conversations
    rate_limit_reads: str = "60 per minute"  # history reads and stream opens per conversation
    rate_limit_bad_token: str = "20 per minute"  # requests with a missing or wrong token, per client address
    max_streams_per_conversation: int = 3  # open live streams (tabs) per conversation
    max_streams_per_address: int = 20  # open live streams per client address, across conversations (shoppers behind one NAT share it)
    # Web.
    port: int = 5000
    # Reverse proxies / load balancers in front of the web process whose X-Forwarded-For and
    # X-Forwarded-Proto are trusted (Heroku, nginx, a cloud LB: 1). With 0, rate limits count the
    # connecting address, which behind a proxy is the proxy: every shopper would share one limit.
    trusted_proxies: int = 0
    note_prefix: str = "note:"  # thread replies starting with this stay internal
    # The Slack inbox: which conversations get a thread ("escalated" or "all": watch every AI chat),
    # reminders for conversations left waiting (seconds) and whom they mention (a user-group id).
    mirror: str = "escalated"
    remind_after: float = 600.0
    remind_again: float = 1800.0
    slack_onduty_group: str = ""
    public_url: str = ""  # where shoppers reach the widget (used in Slack links)
    # Origins (comma-separated) whose pages may call the widget API; "" = the app's own origin and
    # public_url; "*" (only when written) = any.
    allowed_origins: str = ""
    secret_key: str = ""
    # Identity verification: the store's server signs its logged-in user's id with this secret
    # (hex HMAC-SHA256 of the id); a conversation created with a right signature is verified.
    identity_secret: str = ""
    # E-mail (optional: without BATON_SMTP_URL nothing is e-mailed).
    smtp_url: str = ""  # smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS)
    email_from: str = ""  # the address Baton's e-mails come from
    email_after: float = 300.0  # seconds a team reply waits unseen before it is e-mailed (written 5m)
    # Managers' digest (docs/insights.md).
    digest_cron: str = "0 9 * * 1"  # when the digest is posted (cron syntax, in the store's time zone)
    digest_period: float = 7 * 86400  # seconds a manual `flask digest` covers by default (written 7d)
    digest_email: str = ""  # optional: also e-mail the digest here (needs BATON_SMTP_URL)
    resume_link_ttl: float = 172800.0  # seconds an e-mailed resume link works (written 2d); it works once

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    @property
    def anthropic_enabled(self) -> bool:
        return bool(self.anthropic_api_key)

    @property
    def index_dir(self) -> str:
        return str(Path(self.data_dir) / "index")


# Settings fields written as durations ("90s", "10m", "2h", "7d") in the environment; stored as seconds.
DURATIONS: frozenset[str] = frozenset({"email_after", "resume_link_ttl", "remind_after", "remind_again", "digest_period"})
MIRROR_MODES = ("escalated", "all")

# Environment variable → Settings field.
ENV = {
    "REDIS_URL": "redis_url",
    "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "SLACK_APP_TOKEN": "slack_app_token",
    "SLACK_API_URL": "slack_api_url",
    "SLACK_INBOX_CHANNEL": "slack_inbox_channel",
    "SLACK_DIGEST_CHANNEL": "slack_digest_channel",
    "ANTHROPIC_API_KEY": "anthropic_api_key",
    "ANTHROPIC_BASE_URL": "anthropic_base_url",
    "BATON_MODEL": "anthropic_model",
    "BATON_ANTHROPIC_TIMEOUT": "anthropic_timeout",
    "BATON_ANTHROPIC_MAX_RETRIES": "anthropic_max_retries",
    "BATON_ANTHROPIC_EFFORT": "anthropic_effort",
    "BATON_MAX_TOOL_ROUNDS": "agent_max_tool_rounds",
    "BATON_UNCITED": "agent_uncited",
    "BATON_DOCS_DIR": "docs_dir",
    "BATON_DATA_DIR": "data_dir",
    "BATON_RULES": "rules_path",
    "BATON_DOCS_BASE_URL": "docs_base_url",
    "BATON_EMBEDDER": "embedder",
    "BATON_STORE_NAME": "store_name",
    "BATON_STORE_TONE": "store_tone",
    "BATON_MAX_MESSAGE_CHARS": "max_message_chars",
    "BATON_FILE_MAX_MB": "file_max_mb",
    "BATON_FILE_TYPES": "file_types",
    "BATON_RATE_LIMIT_MESSAGES": "rate_limit_messages",
    "BATON_RATE_LIMIT_CREATE": "rate_limit_create",
    "BATON_RATE_LIMIT_ADDRESS": "rate_limit_address",
    "BATON_RATE_LIMIT_READS": "rate_limit_reads",
    "BATON_RATE_LIMIT_BAD_TOKEN": "rate_limit_bad_token",
    "BATON_MAX_STREAMS_PER_CONVERSATION": "max_streams_per_conversation",
    "BATON_MAX_STREAMS_PER_ADDRESS": "max_streams_per_address",
    "PORT": "port",
    "BATON_TRUSTED_PROXIES": "trusted_proxies",
    "BATON_NOTE_PREFIX": "note_prefix",
    "BATON_MIRROR": "mirror",
    "BATON_REMIND_AFTER": "remind_after",
    "BATON_REMIND_AGAIN": "remind_again",
    "SLACK_ONDUTY_GROUP": "slack_onduty_group",
    "BATON_PUBLIC_URL": "public_url",
    "BATON_ALLOWED_ORIGINS": "allowed_origins",
    "SECRET_KEY": "secret_key",
    "BATON_IDENTITY_SECRET": "identity_secret",
    "BATON_SMTP_URL": "smtp_url",
    "BATON_EMAIL_FROM": "email_from",
    "BATON_EMAIL_AFTER": "email_after",
    "BATON_DIGEST_CRON": "digest_cron",
    "BATON_DIGEST_PERIOD": "digest_period",
    "BATON_DIGEST_EMAIL": "digest_email",
    "BATON_RESUME_LINK_TTL": "resume_link_ttl",
}


def load(environ: dict[str, str] | None = None, *, dotenv: bool = True, **overrides) -> Settings:
    """Build Settings from defaults, then `.env`, then the environment, then ``overrides``."""
    env: dict[str, str] = {}
    if dotenv and environ is None:
        from dotenv import dotenv_values

        env.update({k: v for k, v in dotenv_values(ROOT / ".env").items() if v is not None})
    env.update(os.environ if environ is None else environ)
    types = {f.name: f.type for f in fields(Settings)}
    values: dict = {}
    for var, name in ENV.items():
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        if name in DURATIONS:
            try:
                values[name] = parse_duration(raw)
            except ValueError as err:
                raise ConfigError(f"{var}: {err}") from None
        elif types[name] in ("int", int):
            try:
                values[name] = int(raw)
            except ValueError:
                raise ConfigError(f"{var} must be a whole number, got {raw!r}") from None
        elif types[name] in ("float", float):
            try:
                values[name] = float(raw)
            except ValueError:
                raise ConfigError(f"{var} must be a number, got {raw!r}") from None
        elif types[name] in ("bool", bool):
            values[name] = _bool(raw)
        else:
            values[name] = raw
    values.update(overrides)
    settings = Settings(**values)
    from croniter import croniter

    if not croniter.is_valid(settings.digest_cron):
        raise ConfigError(f"BATON_DIGEST_CRON must be a cron expression like '0 9 * * 1' (Mondays 09:00), got {settings.digest_cron!r}")
    if settings.slack_bot_token and not settings.slack_signing_secret:
        raise ConfigError(
            "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not: copy it from your Slack "
            "app's Basic Information page, or unset SLACK_BOT_TOKEN to run without Slack."
        )
    if settings.mirror not in MIRROR_MODES:
        raise ConfigError(f"BATON_MIRROR must be one of {', '.join(MIRROR_MODES)}, got {settings.mirror!r}")
    if settings.slack_onduty_group and not re.fullmatch(r"S[A-Z0-9]{2,}", settings.slack_onduty_group):
        raise ConfigError(
            f"SLACK_ONDUTY_GROUP must be a user-group id like S0123ABCD (Slack: the group's profile → ⋯ → Copy group ID), "
            f"got {settings.slack_onduty_group!r}"
        )
    return settings


CONTEXT_FIELDS = ("conversation", "job", "channel", "slack_user", "outcome", "closed")


class ContextFormatter:
    """Log lines with the context passed as ``extra={...}`` (conversation id, job, channel …)."""

    def __init__(self):
        import logging

        self._base = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record) -> str:
        line = self._base.format(record)
        context = " ".join(f"{k}={getattr(record, k)}" for k in CONTEXT_FIELDS if getattr(record, k, None) not in (None, ""))
        return f"{line} [{context}]" if context else line

    def __getattr__(self, name):
        return getattr(self._base, name)


def configure_logging(level: str | None = None) -> None:
    """Set up logging for an entry point (web, worker, CLI). Library code never calls this."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(ContextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((level or os.environ.get("LOG_LEVEL", "INFO")).upper())
