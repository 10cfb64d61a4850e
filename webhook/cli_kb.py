"""`flask --app webhook kb …`: ingest the store's docs, search them, see what is indexed.

A thin edge around knowledge.KnowledgeBase: settings come from the app (index folder, docs
folder, base URL for links), knowledge errors become clean CLI errors.
"""

from __future__ import annotations

import textwrap

import click
from flask import current_app
from flask.cli import AppGroup

from knowledge import KnowledgeBase, KnowledgeError
from knowledge.defaults import RELEVANCE_THRESHOLD
from knowledge.embeddings import load_embedder


def _settings():
    return current_app.extensions["baton"].settings


def open_kb(settings) -> KnowledgeBase:
    """The app's knowledge base; an ``embedder`` setting (BATON_EMBEDDER), when present, picks the model."""
    try:
        return KnowledgeBase(settings.index_dir, load_embedder(settings.embedder))
    except KnowledgeError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("kb", cls=AppGroup)  # AppGroup: every command runs inside the app context
def kb():
    """Knowledge base: ingest the store's docs, search them, show what is indexed."""


@kb.command("ingest")
@click.argument("path", required=False)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar on long ingests.")
def ingest_command(path: str | None, progress: bool):
    """Index the docs in PATH (a folder, recursively, or one file; default: BATON_DOCS_DIR).

    Unchanged files are skipped, changed ones re-indexed, deleted ones removed.
    """
    settings = _settings()
    path = path or settings.docs_dir
    knowledge = open_kb(settings)
    try:
        report = knowledge.ingest(path, base_url=settings.docs_base_url, progress=progress)
    except KnowledgeError as exc:
        raise click.ClickException(str(exc)) from None
    for skipped, reason in report.skipped:
        click.echo(f"skipped {skipped}: {reason}", err=True)
    click.echo(report.summary())


@kb.command("search")
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, help="How many passages to show.")
@click.option("--audience", default=None, help="Only passages for this audience (and for everyone).")
def search_command(query: str, k: int, audience: str | None):
    """Show the passages that best answer QUERY, with titles, sections, scores and snippets."""
    knowledge = open_kb(_settings())
    try:
        hits = knowledge.search(query, k=k, audience=audience)
    except KnowledgeError as exc:
        raise click.ClickException(str(exc)) from None
    if not hits:
        click.echo("No passages found." + (" The index is empty: run `flask --app webhook kb ingest PATH`."
                                           if knowledge.is_empty() else ""))
        return
    for n, hit in enumerate(hits, 1):
        click.echo(f"{n}. {hit.citation_title}  (relevance {hit.relevance:.2f}, score {hit.score:.4f})")
        if hit.url:
            click.echo(f"   {hit.url}")
        snippet = " ".join(hit.text.split())
        click.echo(textwrap.indent(textwrap.shorten(snippet, width=240, placeholder=" …"), "   "))
    if hits[0].relevance < RELEVANCE_THRESHOLD:
        click.echo(f"No passage reaches the relevance threshold ({RELEVANCE_THRESHOLD}): "
                   "the agent would hand this question to a person.")


@kb.command("stats")
def stats_command():
    """What the index holds: documents, chunks, embedder, last ingest."""
    knowledge = open_kb(_settings())
    try:
        stats = knowledge.stats()
    except KnowledgeError as exc:
        raise click.ClickException(str(exc)) from None
    for key in ("index_dir", "docs", "chunks", "embedder", "dim", "chunk_chars", "overlap_chars"):
        click.echo(f"{key}: {stats[key]}")
    last = stats.get("last_ingest")
    if last:
        click.echo(f"last ingest: {last['at']} from {last['path']} — {last['files']} files, {last['added']} added, "
                   f"{last['updated']} updated, {last['removed']} removed, {last['unchanged']} unchanged, "
                   f"{last['skipped']} skipped, {last['seconds']:.1f} s")
    elif not stats["chunks"]:
        click.echo("The index is empty: run `flask --app webhook kb ingest PATH`.")
