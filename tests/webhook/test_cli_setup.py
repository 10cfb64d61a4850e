"""`flask --app webhook setup`: what `make run` calls before starting the processes."""

import config
from knowledge import KnowledgeBase
from knowledge.embeddings import load_embedder
from webhook import create_app


def make_app(redis_url, tmp_path, **overrides):
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "downloads.md").write_text("---\ntitle: Downloads\n---\n# Downloads\n\n## Limits\n\nEach file can be downloaded five times.\n")
    settings = config.load(environ={}, dotenv=False, redis_url=redis_url, data_dir=str(tmp_path / "data"), docs_dir=str(docs), embedder="hash", **overrides)
    return create_app(settings), settings


def test_setup_indexes_the_docs_then_skips_unchanged_ones(redis_url, tmp_path):
    """First run indexes the docs folder; a second run finds nothing to do."""
    app, settings = make_app(redis_url, tmp_path)
    first = app.test_cli_runner().invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "1 added" in first.output and "offline answerer" in first.output and "not configured" in first.output
    assert KnowledgeBase(settings.index_dir, load_embedder("hash")).search("download limit")[0].title == "Downloads"
    second = app.test_cli_runner().invoke(args=["setup"])
    assert second.exit_code == 0 and "1 unchanged" in second.output


def test_setup_with_a_broken_rules_file_says_what_to_fix(redis_url, tmp_path):
    """A rules file with a TOML error stops setup with the line, not a traceback."""
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rule]]\nname = "x"\nthis is not toml\n')
    app, _ = make_app(redis_url, tmp_path, rules_path=str(rules))
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 1
    assert "rules.toml:3:" in result.output and "Traceback" not in result.output


def test_setup_without_redis_says_how_to_fix_it(tmp_path):
    """An unreachable Redis is a one-line error naming REDIS_URL."""
    from tests.conftest import free_port

    app, _ = make_app(f"redis://127.0.0.1:{free_port()}/0", tmp_path)
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 1 and "REDIS_URL" in result.output
