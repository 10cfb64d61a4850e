"""Chunking: never mid-sentence, heading path kept, FAQ questions stay with their answers."""

from __future__ import annotations

import re

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
