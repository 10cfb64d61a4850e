"""A small store's docs on disk (Markdown with and without front matter, HTML, text) and a
knowledge base over them in a tmp folder, on real LanceDB with the deterministic HashEmbedder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.embeddings import HashEmbedder

DOCS = {
    "refunds.md": """\
        ---
        title: Refunds
        url: https://help.pixelpress.test/refunds
        audience: customer
        ---

        # Refunds

        We refund any purchase within 30 days. Just reply to your receipt email and say why.

        ## Fonts

        Font licenses can be refunded until you have installed the font. After installing it, the license counts as used.

        ## Templates

        Templates are refunded in full within 14 days, no questions asked.
        """,
    "license-keys.md": """\
        # License keys

        Every software purchase comes with a license key. You find it in your receipt and in your library.

        ## Activation

        Open the app, choose Help › Activate, and paste the key. The key works on two computers at once.

        ## Troubleshooting

        If the key is rejected, check that you copied it without spaces. Keys are case sensitive.
        """,
    "payouts/getting-paid.md": """\
        ---
        title: Getting paid
        audience: creator
        ---

        Creators are paid every Friday for the sales of the week before. Payouts go to your bank account or PayPal.
        """,
    "downloads.html": """\
        <html><head><title>Downloads</title><meta name="audience" content="customer"></head>
        <body><nav>Home | Shop</nav><main>
        <h1>Downloads</h1>
        <p>Your files are ready to download right after checkout.</p>
        <h2 id="large-files">Large files</h2>
        <p>Files over 2 GB download best on a desktop browser. Mobile browsers may stop large downloads.</p>
        </main><footer>© Pixel &amp; Press</footer></body></html>
        """,
    "gift-cards.txt": """\
        Gift cards can be bought in any amount from 5 to 500 dollars. They never expire and can be used on every product.
        """,
}


def write_docs(root: Path, docs: dict[str, str]) -> Path:
    for name, text in docs.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def docs_dir(tmp_path) -> Path:
    """The demo-like docs folder, freshly written for each test."""
    return write_docs(tmp_path / "docs", DOCS)


@pytest.fixture
def kb(tmp_path) -> KnowledgeBase:
    """An empty knowledge base in tmp, with the deterministic hash embedder."""
    return KnowledgeBase(str(tmp_path / "index"), HashEmbedder())
