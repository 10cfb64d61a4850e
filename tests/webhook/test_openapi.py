"""The widget API keeps to its OpenAPI description (webhook/openapi.yaml, served at /api/v1/openapi.json):
schemathesis generates requests from it, valid and invalid, and checks every answer against it."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

import config
from webhook import create_app
from webhook.openapi import spec

EXAMPLES = 25  # per operation: bounded so `make test` stays fast
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # Too long is 413 (too_long / too_large), as the description says.
            "negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]},
            # JSON Schema cannot say "no control characters, something visible, an email that looks
            # like one", which the API checks (422) on schema-valid bodies.
            "positive_data_acceptance": {"enabled": False},
            # A wrong token is 404 on purpose (it must not confirm that the id exists);
            # tests/webhook/test_widget_api.py covers 401 and 404.
            "ignored_auth": {"enabled": False},
        }
    }
)


@pytest.fixture
def api(redis_url, tmp_path):
    """The app with limits high enough that generated requests reach the handlers, and one real conversation."""
    app = create_app(
        config.load(
            environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"),
            rate_limit_messages="100000 per minute", rate_limit_create="100000 per minute", rate_limit_address="100000 per minute",
            rate_limit_reads="100000 per minute", rate_limit_bad_token="100000 per minute",
        )
    )
    created = app.test_client().post("/api/v1/conversations", json={}).get_json()
    return app, created


@pytest.fixture
def api_schema(api):
    app, _ = api
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema")


def test_the_served_description_is_the_one_in_the_repo(client):
    """GET /api/v1/openapi.json answers webhook/openapi.yaml as JSON."""
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and resp.get_json() == spec()
    assert set(spec()["paths"]) >= {"/api/v1/conversations", "/api/v1/conversations/{conv_id}/messages"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_documented_answers(case, api):
    """Whatever schemathesis sends, the answer is documented, in the JSON error format when an error,
    never a 500; half of the cases use a real conversation and its token so handlers are reached."""
    _, conv = api
    # The WSGI transport hands schemathesis the body as sent; a compressed page (flask-compress, larger
    # histories) would read as binary, so this client asks for it plain, as curl does by default.
    headers = {"Accept-Encoding": "identity"}
    if "conv_id" in (case.path_parameters or {}) and case.operation.definition.raw.get("operationId") != "streamEvents":
        case.path_parameters["conv_id"] = conv["id"]
        headers["Authorization"] = f"Bearer {conv['token']}"
    case.call_and_validate(headers=headers)
