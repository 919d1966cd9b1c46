"""Word wrapping (reporters/wrap.py, terminal.unbroken): lines broken at spaces only, never
inside a word, a hyphenated name or an amount; a hanging indent under the first line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from salesflow.reporters.terminal import NO_BREAK, render_to_text, unbroken
from salesflow.reporters.wrap import glue, wrap


def test_wrap_breaks_at_spaces_under_a_hanging_indent() -> None:
    text = "planned conversion of Technical-Validation: 75% → 80% (+5 pts), a stricter exit"
    assert wrap(text, 40, first=11, hanging=11).split("\n") == [
        "planned conversion of",
        "           Technical-Validation: 75% →",
        "           80% (+5 pts), a stricter exit",
    ]


def test_without_a_width_nothing_wraps() -> None:
    assert wrap("a b c " * 50, None) == "a b c " * 50


def test_a_word_longer_than_the_line_stays_whole() -> None:
    assert wrap("see https://example.com/a/very/long/path/to/the/docs now", 20).split("\n") == [
        "see",
        "https://example.com/a/very/long/path/to/the/docs",
        "now",
    ]


def test_amounts_are_glued() -> None:
    sentence = "≈ 43 wins, ≈ USD 1,054,253 (80% interval USD 821,881 to 1,292,266) P90 13"
    assert glue(sentence, "_") == (
        "≈_43 wins, ≈_USD_1,054,253 (80% interval USD_821,881 to 1,292,266) P90_13"
    )
    assert glue("CRPS 35,555 · USDX 5 · AB 3", "_") == "CRPS 35,555 · USDX 5 · AB 3"


def test_unbroken_amounts_stay_on_one_line_in_rich() -> None:
    sentence = "reaching it would add ≈ 43 wins, ≈ USD 1,054,253 (80% interval USD 821,881)"
    for width in range(40, 90):
        out = render_to_text([Text(unbroken(sentence))], width, color=False)
        assert NO_BREAK not in out
        assert " ".join(out.split()) == sentence
        for amount in ("≈ 43", "≈ USD 1,054,253", "USD 821,881"):
            assert any(amount in line for line in out.splitlines()), (width, out)


amounts = st.integers(0, 10**9).map(lambda n: f"USD {n:,}")
words = st.text(alphabet="abcdefghij-", min_size=1, max_size=14)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(words, amounts), min_size=1, max_size=30), st.integers(10, 90))
def test_wrapped_text_keeps_every_word_and_amount(pieces: list[str], width: int) -> None:
    text = " ".join(pieces)
    lines = wrap(text, width, hanging=4).split("\n")
    assert " ".join(" ".join(lines).split()) == text
    for piece in pieces:
        assert any(piece in line for line in lines)
    longest = max(map(len, pieces))
    assert all(len(line) <= max(width, longest + 4) for line in lines)
