"""A real headless Chromium (Debian's package) driven by Playwright, for the widget's browser tests.

Playwright's own browser download is never used: we launch the system Chromium, which `make test`
and CI install with apt (`chromium`). Set BATON_SCREENSHOT_DIR to keep the screenshots the tests take.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium is not installed: run `make test` (it runs `apt-get install -y chromium`)")
    return found


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session; each test gets its own context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (empty localStorage) and page; console errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 820}, reduced_motion="reduce")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.set_default_timeout(8000)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot(tmp_path):
    """Save a screenshot of ``page`` under a name; kept in BATON_SCREENSHOT_DIR when that is set."""
    folder = Path(os.environ.get("BATON_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, element=None) -> Path:
        """The whole page, or only ``element`` (a locator) when given."""
        path = folder / f"{name}.png"
        (element or page).screenshot(path=str(path))
        return path

    return take


@pytest.fixture(scope="session")
def axe_js() -> str:
    """axe-core's browser build, installed from npm by `make test` (pinned there as AXE_CORE)."""
    root = Path(__file__).resolve().parents[2]
    candidates = [os.environ.get("BATON_AXE_JS", "")] + sorted(str(p) for p in root.glob("var/npm/axe-core-*/node_modules/axe-core/axe.min.js"))
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return candidate
    pytest.fail("axe-core is not installed: run `make test` (it runs `npm install axe-core` into var/npm)")
