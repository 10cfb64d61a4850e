"""Files → Documents: read, check, parse front matter, turn HTML into Markdown.

A file that cannot become a document raises :class:`Unreadable` with a one-line reason; ingest
skips it and reports the reason. Only ``knowledge.index`` catches it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge import defaults


class Unreadable(Exception):
    """This file cannot be ingested; ``str(exc)`` says why and what to do, in one line."""


@dataclass
class Document:
    key: str  # path relative to the ingested folder, "/"-separated: the document's identity
    slug: str  # file name without extension
    title: str
    url: str
    audience: str
    body: str  # Markdown (HTML is converted, plain text kept as is)
    content_hash: str
    anchors: dict[str, str] = field(default_factory=dict)  # heading text → HTML id, for section links


def file_hash(raw: bytes, base_url: str) -> str:
    """Identity of a file's content as indexed: its bytes plus the base URL its links depend on."""
    return hashlib.sha256(raw + b"\0" + base_url.encode()).hexdigest()[:32]


def humanise(slug: str) -> str:
    """``refund-policy`` → ``Refund policy``: a title for a file that has none."""
    words = re.sub(r"[-_]+", " ", slug).strip()
    return words[:1].upper() + words[1:] if words else slug


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or Unreadable when it is too big, unreadable, empty or binary."""
    try:
        size = path.stat().st_size
        if size > defaults.MAX_FILE_BYTES:
            raise Unreadable(f"too big ({size:,} bytes; the limit is {defaults.MAX_FILE_BYTES:,}): split it")
        raw = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read it ({exc.strerror or exc}): check its permissions") from exc
    if not raw.strip():
        raise Unreadable("empty file")
    if b"\0" in raw[:8192]:
        raise Unreadable("binary file, not text: only Markdown, HTML and plain text are ingested")
    return raw


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise Unreadable(f"not UTF-8 (line {line}): save it as UTF-8") from exc


_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[dict, str]:
    """YAML front matter (``---`` … ``---`` at the top) and the rest. No front matter: ``({}, text)``."""
    if not re.match(r"---[ \t]*\r?\n", text):
        return {}, text
    start = text.index("\n") + 1
    end = _FRONT_MATTER_END.search(text, start)
    if end is None:
        raise Unreadable("broken front matter: the opening --- has no closing ---")
    try:
        meta = yaml.safe_load(text[start:end.start()])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise Unreadable(f"broken front matter{where}: {problem}") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise Unreadable("broken front matter: it must be 'key: value' lines")
    return meta, text[end.end():].lstrip("\r\n")


def _meta_text(meta: dict, name: str) -> str:
    value = meta.get(name)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v).strip() for v in value if str(v).strip())
    return str(value).strip()


_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _markdown(text: str, slug: str) -> tuple[dict, str, str]:
    meta, body = split_front_matter(text)
    title = _meta_text(meta, "title")
    if not title:
        h1 = _H1.search(body)
        title = h1.group(1).strip() if h1 else humanise(slug)
    return meta, title, body


def _html(text: str, slug: str) -> tuple[dict, str, str, dict[str, str]]:
    """HTML → (meta, title, Markdown body, heading anchors). Headings stay headings."""
    from bs4 import BeautifulSoup
    from markdownify import markdownify

    soup = BeautifulSoup(text, "html.parser")
    meta: dict = {}
    canonical = soup.find("link", rel="canonical")
    if canonical and canonical.get("href"):
        meta["url"] = canonical["href"]
    for tag in soup.find_all("meta"):
        name = (tag.get("name") or tag.get("property") or "").lower()
        if name in ("audience", "baton:audience") and tag.get("content"):
            meta["audience"] = tag["content"]
    title_tag = soup.find("title")
    h1 = soup.find("h1")
    title = (title_tag.get_text(" ", strip=True) if title_tag else "") or (h1.get_text(" ", strip=True) if h1 else "")
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "form", "svg"]):
        tag.decompose()
    anchors = {}
    for heading in soup.find_all(re.compile(r"^h[1-6]$")):
        if heading.get("id"):
            anchors[heading.get_text(" ", strip=True)] = heading["id"]
    root = soup.find("main") or soup.find("article") or soup.body or soup
    body = markdownify(str(root), heading_style="ATX", bullets="-", strip=["img"])
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    return meta, title or humanise(slug), body, anchors


def load(path: Path, key: str, *, base_url: str = "", kind: str | None = None, raw: bytes | None = None) -> Document:
    """Read one file (or its already read ``raw`` bytes) into a Document, or raise Unreadable."""
    kind = kind or defaults.SUFFIXES.get(path.suffix.lower())
    if kind is None:
        types = ", ".join(sorted(defaults.SUFFIXES))
        raise Unreadable(f"not a docs file ({path.suffix or 'no extension'}): ingested types are {types}")
    raw = read_bytes(path) if raw is None else raw
    text = decode(raw)
    slug = path.stem
    anchors: dict[str, str] = {}
    if kind == "markdown":
        meta, title, body = _markdown(text, slug)
    elif kind == "html":
        meta, title, body, anchors = _html(text, slug)
    else:
        meta, title, body = {}, humanise(slug), text
    if not body.strip():
        raise Unreadable("no text besides its front matter or markup")
    url = _meta_text(meta, "url")
    if not url and base_url:
        url = base_url.rstrip("/") + "/" + key.rsplit(".", 1)[0]
    audience = _meta_text(meta, "audience").lower().replace(" ", "")
    return Document(key=key, slug=slug, title=title, url=url, audience=audience, body=body,
                    content_hash=file_hash(raw, base_url), anchors=anchors)


def find_files(root: Path) -> list[tuple[Path, str]]:
    """``(path, key)`` of every file under ``root``, hidden files and folders left out.

    Files of other types (images, PDFs…) are listed too: ingest reports them as skipped, so a
    person sees why their PDF is not in the index.
    """
    if root.is_file():
        return [(root, root.name)]
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        found.append((path, rel.as_posix()))
    return found
