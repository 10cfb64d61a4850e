"""Errors of the Slack side.

    BotError
     ├── SlackNotConfigured   a token, signing secret or channel is missing (the text names the variable)
     └── SlackCallFailed      a Web API call failed; ``.method`` and ``.error`` (Slack's code) say which
          ├── SlackRateLimited   429 / ``ratelimited``: retry after ``.retry_after`` seconds
          └── SlackUnavailable   5xx or a network error: worth retrying later

A ``SlackCallFailed`` that is neither of the two subclasses (``channel_not_found``,
``not_in_channel``, ``invalid_auth`` …) will not heal by retrying; the mirror logs it once and stops.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class; ``str(err)`` is safe to log and says what to do."""


class SlackNotConfigured(BotError):
    pass


class SlackCallFailed(BotError):
    def __init__(self, method: str, error: str, hint: str = ""):
        text = f"Slack {method} failed: {error}"
        super().__init__(f"{text} ({hint})" if hint else text)
        self.method = method
        self.error = error


class SlackRateLimited(SlackCallFailed):
    def __init__(self, method: str, retry_after: float):
        super().__init__(method, "ratelimited", f"retry after {retry_after:g}s")
        self.retry_after = retry_after


class SlackUnavailable(SlackCallFailed):
    pass
