"""One way to call the Slack Web API: turn SDK errors into our named errors.

The SDK raises ``SlackApiError`` for every non-ok answer and ``urllib`` errors for the network;
callers care about three cases only: retry later (rate limit, Slack or network down), give up
(misconfiguration), or carry on. ``str()`` of our errors holds the method and Slack's error code,
never the request's text, so they are safe to log.
"""

from __future__ import annotations

import urllib.error

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import messages
from bot.errors import SlackCallFailed, SlackRateLimited, SlackUnavailable


def call(client: WebClient, method: str, **kwargs):
    """``client.<method>(**kwargs)`` (``method`` as in the SDK: ``chat_postMessage``)."""
    api = method.replace("_", ".", 1)
    try:
        return getattr(client, method)(**kwargs)
    except SlackApiError as err:
        response = err.response
        status = getattr(response, "status_code", 200) or 200
        code = (response.get("error") if hasattr(response, "get") else None) or f"http_{status}"
        if status == 429 or code == "ratelimited":
            try:
                retry_after = float(response.headers.get("Retry-After", response.headers.get("retry-after", 1)))
            except (TypeError, ValueError, AttributeError):
                retry_after = 1.0
            raise SlackRateLimited(api, retry_after) from None
        if status >= 500 or code in ("internal_error", "fatal_error", "service_unavailable", "request_timeout"):
            raise SlackUnavailable(api, code) from None
        raise SlackCallFailed(api, code, messages.ERROR_HINTS.get(code, "")) from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
        raise SlackUnavailable(api, type(err).__name__) from None
    except SlackClientError as err:
        raise SlackUnavailable(api, type(err).__name__) from None
