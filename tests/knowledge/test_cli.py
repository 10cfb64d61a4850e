"""`flask --app webhook kb ingest|search|stats` on a real app, a real Redis and real LanceDB."""

from __future__ import annotations

import pytest

import config
from webhook import create_app


@pytest.fixture
def app(tmp_path, redis_url):
    """The Baton app with its data in tmp (and the real offline model: five small docs embed in a blink)."""
    settings = config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"),
                           docs_base_url="https://help.pixelpress.test")
    return create_app(settings)


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def test_kb_ingest_indexes_a_folder_and_prints_a_summary(cli, docs_dir):
    """`kb ingest PATH` prints one summary line; run again, everything is unchanged."""
    result = cli.invoke(args=["kb", "ingest", str(docs_dir), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "5 files → 5 docs" in result.output and "5 added" in result.output
    again = cli.invoke(args=["kb", "ingest", str(docs_dir)])
    assert "0 added, 0 updated, 0 removed, 5 unchanged" in again.output


def test_kb_ingest_lists_each_skipped_file_and_ingests_the_rest(cli, docs_dir):
    """A broken file gets one 'skipped' line with its reason; the command still succeeds."""
    (docs_dir / "broken.md").write_text("---\ntitle: [oops\n---\nText.\n")
    result = cli.invoke(args=["kb", "ingest", str(docs_dir)])
    assert result.exit_code == 0
    assert "broken.md: broken front matter at line 3" in result.output
    assert "5 added" in result.output and "1 skipped" in result.output


def test_kb_ingest_of_a_missing_folder_is_a_clean_error(cli, tmp_path):
    """No traceback: an 'Error:' line naming the path and the fix, exit code 1."""
    result = cli.invoke(args=["kb", "ingest", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "Error: No docs at" in result.output and "Traceback" not in result.output


def test_kb_search_shows_titles_sections_scores_links_and_snippets(cli, docs_dir):
    """Search prints numbered hits: 'Title › Section', relevance and score, the link and a snippet."""
    cli.invoke(args=["kb", "ingest", str(docs_dir)])
    result = cli.invoke(args=["kb", "search", "license key rejected, copied with spaces", "-k", "2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("1. License keys › Troubleshooting  (relevance ")
    assert lines[1] == "   https://help.pixelpress.test/license-keys"
    assert "copied it without spaces" in lines[2]
    assert any(line.startswith("2. ") for line in lines)


def test_kb_search_filters_by_audience(cli, docs_dir):
    """--audience customer never shows creator-only docs."""
    cli.invoke(args=["kb", "ingest", str(docs_dir)])
    result = cli.invoke(args=["kb", "search", "paid every Friday", "--audience", "customer", "-k", "10"])
    assert "Getting paid" not in result.output
    assert "Getting paid" in cli.invoke(args=["kb", "search", "paid every Friday", "-k", "10"]).output


def test_kb_search_on_an_empty_index_says_what_to_do(cli):
    """Before any ingest, search explains that the index is empty and how to fill it."""
    result = cli.invoke(args=["kb", "search", "refund"])
    assert result.exit_code == 0
    assert "The index is empty: run `flask --app webhook kb ingest PATH`." in result.output


def test_kb_stats_shows_docs_chunks_embedder_and_last_ingest(cli, docs_dir, app):
    """Stats list the index folder, counts, the embedder and the last ingest."""
    assert "The index is empty" in cli.invoke(args=["kb", "stats"]).output
    cli.invoke(args=["kb", "ingest", str(docs_dir)])
    output = cli.invoke(args=["kb", "stats"]).output
    assert f"index_dir: {app.extensions['baton'].settings.index_dir}" in output
    assert "docs: 5" in output and "embedder: all-MiniLM-L6-v2-int8-onnx" in output
    assert "last ingest:" in output and "5 files, 5 added" in output


def test_the_reindex_job_ingests_the_configured_docs(tmp_path, docs_dir, monkeypatch):
    """jobs.ingest.reindex (the RQ job) reads settings from the environment and returns the report."""
    from jobs.ingest import reindex

    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path / "jobdata"))
    monkeypatch.setenv("BATON_DOCS_DIR", str(docs_dir))
    report = reindex("")
    assert report["added"] == 5 and report["docs"] == 5 and report["skipped"] == []
    assert reindex(str(docs_dir))["unchanged"] == 5
