"""Render the README's digest images: a sample digest (Block Kit drawn as HTML, screenshotted by headless
Chromium at a phone's width) and its real chart PNG.

    .venv/bin/python -m scripts.digest_images      # writes docs/img/digest-sample.png and digest-chart.png

The data are 600 conversations from ``bench.digest``'s generator in a throwaway redis-server; the blocks
are exactly what ``bot.digest.digest_blocks`` posts. The HTML is an approximation of Slack's look
(mrkdwn bold/italic/links/quotes, fields in two columns, buttons), not Slack itself.
"""

from __future__ import annotations

import html
import re
import shutil
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
EMOJI = {":new:": '<span class="new">NEW</span>', ":sunrise:": ""}
CSS = """
body { margin: 0; background: #fff; font: 15px/1.46 -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d1c1d; }
.msg { display: flex; gap: 10px; padding: 14px 14px 18px; width: 390px; box-sizing: border-box; }
.avatar { width: 36px; height: 36px; border-radius: 6px; background: #2f6fdf; color: #fff; font-weight: 700;
          display: flex; align-items: center; justify-content: center; flex: none; }
.body { flex: 1; min-width: 0; }
.name { font-weight: 900; } .app { font-size: 11px; background: #e8e8e8; border-radius: 3px; padding: 0 4px; color: #616061; margin-left: 4px; }
.time { color: #616061; font-size: 12px; margin-left: 6px; }
.header { font-size: 18px; font-weight: 900; margin: 6px 0 2px; }
.context { color: #616061; font-size: 12px; margin: 4px 0; }
.section { margin: 8px 0; white-space: pre-wrap; word-wrap: break-word; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 12px; margin: 8px 0; }
.fields div { white-space: pre-wrap; font-size: 14px; }
hr { border: 0; border-top: 1px solid #dddddd; margin: 10px 0; }
a { color: #1264a3; text-decoration: none; }
blockquote { border-left: 4px solid #dddddd; margin: 2px 0; padding-left: 8px; color: #1d1c1d; }
.button { display: inline-block; margin-top: 6px; background: #007a5a; color: #fff; font-weight: 700; font-size: 13px;
          border-radius: 4px; padding: 4px 12px; }
.new { background: #1264a3; color: #fff; font-size: 10px; font-weight: 700; border-radius: 3px; padding: 0 3px; font-style: normal; }
.file { margin-top: 10px; border: 1px solid #dddddd; border-radius: 8px; overflow: hidden; }
.file img { width: 100%; display: block; }
"""


def mrkdwn(text: str) -> str:
    out = html.escape(html.unescape(text), quote=False)
    out = re.sub(r"&lt;(https?://[^|&]+)\|([^&]+?)&gt;", r'<a href="\1">\2</a>', out)
    out = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])", r"<i>\1</i>", out)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    for code, char in EMOJI.items():
        out = out.replace(code, char)
    lines = out.split("\n")
    return "\n".join(f"<blockquote>{line[5:]}</blockquote>" if line.startswith("&gt; ") else line for line in lines)


def blocks_html(blocks: list[dict], chart: str | None) -> str:
    parts = []
    for b in blocks:
        if b["type"] == "header":
            parts.append(f'<div class="header">{html.escape(b["text"]["text"])}</div>')
        elif b["type"] == "context":
            parts.append(f'<div class="context">{mrkdwn(b["elements"][0]["text"])}</div>')
        elif b["type"] == "divider":
            parts.append("<hr>")
        elif b["type"] == "section" and "fields" in b:
            parts.append('<div class="fields">' + "".join(f"<div>{mrkdwn(f['text'])}</div>" for f in b["fields"]) + "</div>")
        elif b["type"] == "section":
            button = ""
            if b.get("accessory", {}).get("type") == "button":
                button = f'<div><span class="button">{html.escape(b["accessory"]["text"]["text"])}</span></div>'
            parts.append(f'<div class="section">{mrkdwn(b["text"]["text"])}{button}</div>')
    if chart:
        parts.append(f'<div class="file"><img src="{chart}"></div>')
    return (f"<html><head><meta charset='utf-8'><style>{CSS}</style></head><body><div class='msg'><div class='avatar'>B</div>"
            f"<div class='body'><span class='name'>Baton</span><span class='app'>APP</span><span class='time'>9:00 AM</span>"
            f"{''.join(parts)}</div></div></body></html>")


def main() -> None:
    from playwright.sync_api import sync_playwright

    from agent.rules import load_rules
    from bench.digest import generate
    from bot.digest import digest_blocks
    from bot.links import permalinks
    from conversations import ConversationStore
    from insights.chart import handoffs_chart
    from insights.digest import build_digest
    from insights.topic_ids import TopicRegistry
    from knowledge.embeddings import load_embedder
    from tests.fakes.redis_server import redis_server

    OUT.mkdir(parents=True, exist_ok=True)
    with redis_server() as url:
        r = redis.Redis.from_url(url)
        end = time.time()
        generate(r, 600, end=end, days=14, seed=3)
        digest = build_digest(ConversationStore(r), end=end, period=7 * 86400, hours=load_rules(ROOT / "demo" / "rules.toml").hours,
                              embedder=load_embedder(""), registry=TopicRegistry(r), links=lambda ids: permalinks(r, ids))
    chart = handoffs_chart(digest)
    (OUT / "digest-chart.png").write_bytes(chart)
    page = OUT / ".digest-sample.html"
    page.write_text(blocks_html(digest_blocks(digest), "digest-chart.png"), encoding="utf-8")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 390, "height": 800}, device_scale_factor=2)
        tab.goto(page.as_uri())
        tab.locator(".msg").screenshot(path=str(OUT / "digest-sample.png"))
        browser.close()
    page.unlink()
    print(f"wrote {OUT / 'digest-sample.png'} and {OUT / 'digest-chart.png'}")


if __name__ == "__main__":
    main()
