"""Rate limits count shoppers, not the load balancer in front of the web process."""

from __future__ import annotations

import config
from webhook import create_app


def app_with(settings, **overrides):
    app = create_app(config.load(environ={}, dotenv=False, redis_url=settings.redis_url, data_dir=settings.data_dir,
                                 rate_limit_create="2 per hour", **overrides))
    return app.test_client()


def create_from(client, address: str, proxy: str = "10.0.0.1"):
    return client.post("/api/v1/conversations", json={}, headers={"X-Forwarded-For": address}, environ_base={"REMOTE_ADDR": proxy})


def test_behind_a_trusted_proxy_each_shopper_has_their_own_allowance(settings):
    """With BATON_TRUSTED_PROXIES=1, one busy shopper's limit does not lock out the next shopper."""
    client = app_with(settings, trusted_proxies=1)
    assert [create_from(client, "203.0.113.7").status_code for _ in range(3)] == [201, 201, 429]
    assert create_from(client, "198.51.100.9").status_code == 201


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_reset_the_limit(settings):
    """By default X-Forwarded-For is ignored: a shopper cannot dodge the limit by inventing addresses."""
    client = app_with(settings)
    codes = [create_from(client, f"203.0.113.{n}", proxy="192.0.2.50").status_code for n in range(3)]
    assert codes == [201, 201, 429]
