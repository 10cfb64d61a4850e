"""Chunking: never mid-sentence, heading path kept, FAQ questions stay with their answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.chunking import chunk_markdown, split_sentences

GUIDE = """\
# Installing fonts

Fonts come as a ZIP file. Unzip it before you install anything. Mr. Smith from support says e.g. macOS unzips by itself.

## Windows

Right-click each .otf file and choose Install. If Windows says the font is already installed, remove the old version first. Then restart the app you design in, so it sees the new font. Some apps, e.g. older versions of Word, need a full restart of the computer.

### Windows on ARM

Nothing is different on ARM computers. The same files work everywhere.

## Mac

Double-click the file and press Install Font in Font Book. Font Book checks the file for problems before it installs it.

## FAQ

**Can I install the font on two computers?**

Yes, the desktop license covers two computers that you own.

**Can my colleague use it?**

No, each person needs their own license.
"""


def sentences_ends(text: str) -> bool:
    """A chunk ends like a sentence, a list item, a bold question or a code block would."""
    return bool(re.search(r"([.!?:)\"'`*]|```)$", text.strip()))


def block_ends(text: str) -> bool:
    """Like sentences_ends, or a whole list item ('- …;') or table row ('| … |') ends the chunk."""
    last = text.rstrip().splitlines()[-1]
    return sentences_ends(text) or bool(re.match(r"\s*([-*+]|\d+[.)])\s", last)) or last.endswith("|")


@pytest.mark.parametrize("size", [120, 200, 400, 1000])
def test_chunks_never_end_mid_sentence_at_any_size(size):
    """Whatever the target size, every chunk ends at the end of a sentence."""
    chunks = chunk_markdown(GUIDE, "Installing fonts", chunk_chars=size)
    assert chunks
    for chunk in chunks:
        assert sentences_ends(chunk.text), chunk.text
        assert chunk.text[0].isupper() or chunk.text[0] in "*-`", chunk.text
    body = " ".join(c.text for c in chunks)
    for sentence in split_sentences("Then restart the app you design in, so it sees the new font."):
        assert sentence in body


def test_every_chunk_keeps_the_heading_path_it_sits_under():
    """A chunk under '### Windows on ARM' is cited as 'Windows › Windows on ARM', not by the doc title."""
    chunks = chunk_markdown(GUIDE, "Installing fonts", chunk_chars=300)
    by_section = {c.section: c.text for c in chunks}
    assert by_section[""].startswith("Fonts come as a ZIP file.")  # the intro, under the title only
    assert "Nothing is different on ARM computers." in by_section["Windows › Windows on ARM"]
    assert "Font Book" in by_section["Mac"]
    assert "Installing fonts" not in by_section  # the title heading is not a section


def test_a_faq_question_stays_in_the_chunk_with_its_answer():
    """A bold FAQ question never closes a chunk, so the answer is retrieved with its question."""
    for size in (60, 90, 150):
        chunks = chunk_markdown(GUIDE, "Installing fonts", chunk_chars=size)
        for chunk in chunks:
            assert not chunk.text.rstrip().endswith("?**"), chunk.text


def test_a_sentence_longer_than_the_target_is_kept_whole():
    """A single long sentence becomes one oversized chunk rather than being cut."""
    long_sentence = "This sentence " + "keeps going and going " * 30 + "until it finally ends."
    chunks = chunk_markdown(f"# Doc\n\n{long_sentence} Short one.", "Doc", chunk_chars=100)
    assert chunks[0].text == long_sentence
    assert chunks[1].text == "Short one."


def test_abbreviations_and_initials_do_not_end_a_sentence():
    """'e.g.', 'Mr.' and initials are not sentence ends."""
    assert split_sentences("Use e.g. Font Book. Ask Mr. Smith or J. Doe today. Done!") == [
        "Use e.g. Font Book.", "Ask Mr. Smith or J. Doe today.", "Done!"]


def test_code_blocks_are_never_split_or_mistaken_for_headings():
    """A '# comment' inside a fenced block is code, and the block stays in one piece."""
    text = "# Setup\n\nRun this:\n\n```sh\n# install\npip install pixel\npixel --activate KEY\n```\n\nThat is all."
    chunks = chunk_markdown(text, "Setup", chunk_chars=40)
    joined = "\n".join(c.text for c in chunks)
    assert "```sh\n# install\npip install pixel\npixel --activate KEY\n```" in joined
    assert all(c.section == "" for c in chunks)


def test_overlap_repeats_the_last_sentence_of_the_previous_chunk():
    """With overlap on, the next chunk of a section starts with the previous chunk's last sentence."""
    text = "# Doc\n\n" + " ".join(f"Sentence number {n} is here." for n in range(1, 13))
    chunks = chunk_markdown(text, "Doc", chunk_chars=120, overlap_chars=40)
    assert len(chunks) > 2
    for before, after in zip(chunks, chunks[1:], strict=False):
        last = split_sentences(before.text)[-1]
        assert after.text.startswith(last)


SEATS = """\
# Licenses

## Seats

A **seat** is one person who may install and use the product. Every license includes one seat. If several people in your team use the product, buy a license with more seats at checkout. For more than ten seats, contact support for a team license.

Freelancers working alone need one seat, however many computers they use. A seat cannot be shared between people, even if they never use the product at the same time.

**Can a colleague use the font or template I bought?** Only if your license has a seat for them. A colleague who installs the files needs a seat of their own.

Does the seat follow me to a new job? No, the seat belongs to whoever paid for the license.
"""

STANDARD = """\
# Licenses

## What the Standard license allows

The Standard license is our commercial license and the one most customers need. It allows you to:

- use the product in **unlimited commercial projects** for yourself or for clients: logos, branding, packaging, ads and websites;
- use fonts on **websites and web apps** with up to 250,000 page views a month in total;
- sell **printed products** (books, posters, cards) made with the product, up to 10,000 copies in total;
- deliver finished work to clients, such as a logo or a printed brochure. The client may use the finished work, but not the font files.

The Standard license does **not** allow you to:

- resell, share or give away the files themselves, even modified;
- sell products where our asset is the main thing being sold;
- embed fonts in an app, a game or an e-book that you sell;
- let more people use the product than you have seats for.
"""


@pytest.mark.parametrize("size", [150, 250, 400, 700])
def test_an_inline_faq_question_is_retrieved_with_the_start_of_its_answer(size):
    """'**Can a colleague …?** Only if …': the question never ends a chunk, bold or not."""
    chunks = chunk_markdown(SEATS, "Licenses", chunk_chars=size)
    for question, answer in [("**Can a colleague use the font or template I bought?**", "Only if your license has a seat"),
                             ("Does the seat follow me to a new job?", "No, the seat belongs")]:
        holding = [c.text for c in chunks if question in c.text]
        assert holding, question
        assert all(answer in text for text in holding), holding
    for chunk in chunks:
        assert not re.search(r"\?[*_]*$", chunk.text.strip()), chunk.text


@pytest.mark.parametrize("size", [150, 250, 400, 700])
def test_a_chunk_that_starts_inside_a_list_repeats_the_lists_intro(size):
    """A chunk holding list items but not their intro line starts with that intro, so it reads on its own."""
    chunks = chunk_markdown(STANDARD, "Licenses", chunk_chars=size)
    allows = "The Standard license is our commercial license and the one most customers need. It allows you to:"
    forbids = "The Standard license does **not** allow you to:"
    for chunk in chunks:
        items = [line for line in chunk.text.splitlines() if line.startswith("- ")]
        if not items:
            continue
        intro = forbids if STANDARD.index(items[0]) > STANDARD.index(forbids) else allows
        assert chunk.text.startswith(intro) or intro in chunk.text.split(items[0])[0], chunk.text
        assert block_ends(chunk.text), chunk.text


@pytest.mark.parametrize("size", [150, 250, 400, 700])
def test_a_list_intro_never_ends_a_chunk_apart_from_its_first_item(size):
    """'It allows you to:' sits in the same chunk as at least the list's first item."""
    for chunk in chunk_markdown(STANDARD, "Licenses", chunk_chars=size):
        assert not chunk.text.rstrip().endswith(":"), chunk.text
    first = "- use the product in **unlimited commercial projects**"
    assert any("It allows you to:\n\n" + first in c.text for c in chunk_markdown(STANDARD, "Licenses", chunk_chars=size))


def test_a_chunk_that_starts_inside_a_table_repeats_its_header_row():
    """Rows split off a long table keep the header row, so 'Standard | ✓' still says what it means."""
    rows = "\n".join(f"| Feature number {n} with a long description | ✓ | – |" for n in range(12))
    text = f"# Plans\n\n## Compare\n\n| Feature | Standard | Extended |\n|---|---|---|\n{rows}\n"
    chunks = chunk_markdown(text, "Plans", chunk_chars=200)
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.text.startswith("| Feature | Standard | Extended |"), chunk.text


@pytest.mark.parametrize("size", [120, 200, 400, 700])
def test_demo_docs_never_end_a_chunk_mid_sentence_or_on_a_question(size):
    """On every demo doc, each chunk ends at a sentence end and never on a question or an intro."""
    from knowledge.documents import find_files, load

    root = Path(__file__).resolve().parents[2] / "demo" / "docs"
    for path, key in find_files(root):
        doc = load(path, key)
        for chunk in chunk_markdown(doc.body, doc.title, chunk_chars=size):
            end = chunk.text.rstrip()
            assert block_ends(end), (key, end[-80:])
            assert not re.search(r"(\?[*_\"'”’)]*|:)$", end), (key, end[-80:])
