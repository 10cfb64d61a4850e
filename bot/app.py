"""The Bolt app: one ``App`` for both HTTP (webhook/'s ``POST /slack/events``) and Socket Mode."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import listeners, redelivery
from bot.errors import SlackNotConfigured
from bot.handoff import Deps
from bot.people import People
from conversations import ConversationStore

# A 429 whose Retry-After is at most this many seconds is retried in place by the SDK; a longer
# one is raised (``SlackRateLimited``) so the mirror job is re-queued after the delay instead of
# holding a worker asleep.
RETRY_IN_PLACE_SECONDS = 2
RETRIES_IN_PLACE = 2


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """The SDK's ``RateLimitErrorRetryHandler`` (it sleeps Retry-After, then retries), for short waits only."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        if not super()._can_retry(state=state, request=request, response=response, error=error):
            return False
        return retry_after(response.headers) <= RETRY_IN_PLACE_SECONDS


def retry_after(headers: dict, default: float = 1.0) -> float:
    """Seconds from a Retry-After header (the SDK gives header values as lists)."""
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            value = value[0] if isinstance(value, (list, tuple)) else value
            try:
                return max(float(value), 0.0)
            except (TypeError, ValueError):
                return default
    return default


def web_client(settings) -> WebClient:
    """A WebClient for the bot token, talking to ``SLACK_API_URL`` (a local fake in tests), that
    waits out short rate limits itself (see ``ShortRateLimitRetryHandler``)."""
    base_url = (settings.slack_api_url or "https://slack.com/api/").rstrip("/") + "/"
    client = WebClient(token=settings.slack_bot_token, base_url=base_url)
    client.retry_handlers.append(ShortRateLimitRetryHandler(max_retry_count=RETRIES_IN_PLACE))
    return client


def create_bolt_app(
    settings,
    store: ConversationStore,
    enqueue_mirror: Callable[[str], object],
    enqueue_answer: Callable[[str, str], object],
    *,
    listener_executor: Executor | None = None,
    enqueue_files: Callable[..., object] | None = None,
    enqueue_add_doc: Callable[[str, str, str, str], object] | None = None,
    enqueue_followup: Callable[[str], object] | None = None,
) -> App:
    """Build the Bolt app with every listener registered.

    ``enqueue_mirror(conv_id)``, ``enqueue_answer(conv_id, entry_id)``, ``enqueue_files(conv_id,
    channel, ts, user, files)`` (files a member shared in a thread) and ``enqueue_add_doc(draft_id,
    user, channel, ts)`` (the digest's "Add to docs" button) queue the worker's jobs;
    the caller owns them so bot/ stays free of RQ, Flask and jobs/. ``enqueue_followup(conv_id)``, when
    given, is called after each team reply reaches the shopper's log (the follow-up e-mail's job).

    Commands and clicks are acked first (``process_before_response=False``): Slack gets its 200 at
    once and the work happens on Bolt's thread pool (``listener_executor``, Bolt's default when None).
    Events API listeners finish before Slack gets its answer, so an event that could not be stored
    (Redis down) is answered 503 and Slack redelivers it (``bot.redelivery``).
    The token is checked lazily (auth.test on the first request, then cached), so the web process
    starts even while Slack is unreachable; a bad token shows up in the log on the first event.
    """
    if not settings.slack_bot_token or not settings.slack_signing_secret:
        raise SlackNotConfigured("set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see docs/slack.md) to connect Baton to Slack")
    options = {"listener_executor": listener_executor} if listener_executor is not None else {}
    app = App(
        name="baton",
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret,
        token_verification_enabled=False,
        process_before_response=False,
        **options,
    )
    deps = Deps(settings=settings, store=store, enqueue_mirror=enqueue_mirror, enqueue_answer=enqueue_answer, people=People(store.r),
                enqueue_files=enqueue_files, enqueue_add_doc=enqueue_add_doc, enqueue_followup=enqueue_followup)
    listeners.register(app, deps)
    redelivery.install(app)
    return app
