"""The widget API's OpenAPI description (webhook/openapi.yaml), served at /api/v1/openapi.json.

The YAML file is the source; tests/webhook/test_openapi.py runs schemathesis against it, so a
change of the API that the description does not follow fails the tests.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from flask import Flask, jsonify

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
URL = "/api/v1/openapi.json"


@lru_cache(maxsize=1)
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def register_openapi(app: Flask) -> None:
    @app.get(URL)
    def openapi_json():
        resp = jsonify(spec())
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp
