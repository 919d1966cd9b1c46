"""Output safety: the one place where text from process files, deal data, git history and file
names is made harmless for the format it is written in. Every reporter and the handbook
templates go through these functions; none escapes on its own.

- terminal: control characters (C0, DEL, C1) and whole escape sequences (CSI, OSC, DCS, ...)
  become U+FFFD, so nothing from the input can move the cursor, clear the screen, set the window
  title or write the clipboard (OSC 52); bidirectional overrides go too. `terminal_line` also
  turns line breaks into spaces, for fields that must stay on one line (a cell cannot forge a
  second line, such as a `::error` workflow command).
- markdown: text is backslash-escaped wherever CommonMark/GFM could read markup into it (links,
  images, raw HTML, emphasis, code, headings, lists, quotes, table cells), on one line; link
  targets are only http(s) and mailto URLs, percent-encoded so that nothing in them can end the
  link; anything else is dropped (the text is then shown without a link).
- HTML: `html.escape` with quotes.
- CSV: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
  `'` (OWASP), so that a spreadsheet shows it as text instead of running it as a formula;
  numbers that salesflow computed are written as numbers.
- mermaid: a label for `["..."]`, with quotes, `#`, `%` (directives such as `%%{init}%%`), `<`,
  `>`, `&` and backticks written as mermaid entity codes, on one line.
- comments: text for inside an HTML/markdown comment (`<!-- ... -->`), which no file name can
  close.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

REPLACEMENT = "\ufffd"

# ESC followed by a CSI, OSC, DCS, SOS, PM or APC sequence (up to its terminator, or to the end
# of the text when it has none), or by one more character (a two-character escape such as ESC c).
# The 8-bit forms (U+009B CSI, U+009D OSC, ...) likewise.
ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"  # CSI
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC etc.
    r"|\x1b[ -~]?"  # any other escape
)
# C0 except tab and line feed, DEL, C1, and the bidirectional controls (Trojan Source).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile(r"[\t\n\x0b\x0c\r\x85\u2028\u2029]+")


def terminal_text(text: object) -> str:
    """Text for a terminal that may span lines: escape sequences and control characters (but
    not tab and line feed) shown as U+FFFD; a carriage return too, so a line cannot be
    overwritten."""
    return CONTROL.sub(REPLACEMENT, ESCAPE_SEQUENCE.sub(REPLACEMENT, str(text)))


def terminal_line(text: object) -> str:
    """Text for a terminal field that must stay on one line: line breaks and tabs become
    spaces, everything else as `terminal_text`."""
    return terminal_text(LINE_BREAKS.sub(" ", str(text)))


def workflow_data(text: object) -> str:
    """A GitHub Actions workflow-command value (`::error ...::DATA`): `%`, CR and LF
    percent-encoded as the syntax requires (so the value stays on one line and cannot start a
    command of its own), and escape sequences and other control characters removed."""
    encoded = str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return terminal_text(encoded)


# Markdown ------------------------------------------------------------------------------------

# ASCII punctuation that can start or end markup in CommonMark or GFM inline text, or end a
# table cell. CommonMark lets any ASCII punctuation be backslash-escaped, so over-escaping is
# harmless.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~&$])")
# At the start of a line: a heading, quote, list item, thematic break or setext underline.
LEADING_SIGN = re.compile(r"^([+\-=])")
# GFM turns bare `https://...` and `www.` text into links; an escaped `:` or `.` does not.
BARE_LINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<=\bwww)(\.)")
LEADING_NUMBER = re.compile(r"^(\d+)([.)])")
URL_SCHEMES = ("http", "https", "mailto")
# Left as they are in a URL: RFC 3986 unreserved and reserved characters, and `%` (an existing
# escape). Everything else - spaces, line breaks, `<`, `>`, `(`, `)`, quotes, backslashes,
# backticks, control and non-ASCII characters - is percent-encoded.
URL_SAFE = "-._~:/?#[]@!$&'*+,;=%"


def md_text(text: object) -> str:
    """Text safe in a markdown paragraph, heading, list item, link text or table cell: on one
    line (whitespace runs become one space), control characters removed, and every character
    that could start markup backslash-escaped (so it cannot make a link, an image, raw HTML,
    emphasis, code, a heading, a list or a new table cell)."""
    line = " ".join(terminal_line(text).split())
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", line)
    escaped = BARE_LINK.sub(lambda found: "\\" + found.group(), escaped)
    escaped = LEADING_SIGN.sub(r"\\\1", escaped)
    return LEADING_NUMBER.sub(r"\1\\\2", escaped)


def md_code(text: object) -> str:
    """Text for inside a markdown code span (`` `...` ``): one line, no backticks, and no `|`
    (a code span in a table cell would still end the cell)."""
    line = " ".join(terminal_line(text).split())
    return line.replace("`", "'").replace("|", "/") or " "


def safe_url(url: object) -> str | None:
    """A link target that can be written in markdown or HTML, or None: only `http(s)://` and
    `mailto:` URLs, percent-encoded so that no character can end the link or the line; every
    other scheme (`javascript:`, `data:`, `file:`), a relative path and an empty URL give None."""
    text = str(url).strip()
    scheme, sep, rest = text.partition(":")
    if not sep or scheme.lower() not in URL_SCHEMES:
        return None
    if scheme.lower() != "mailto" and not rest.startswith("//"):
        return None
    if not rest.strip("/"):
        return None
    return scheme.lower() + ":" + quote(rest, safe=URL_SAFE)


# HTML ----------------------------------------------------------------------------------------


def html_text(text: object) -> str:
    """Text safe in HTML content and in a quoted attribute."""
    return html.escape(terminal_text(text), quote=True)


def comment_text(text: object) -> str:
    """Text safe inside an HTML or markdown comment: one line, `<`, `>` and `&` as character
    references and no `--`, so that `-->`, `--!>` or `<!--` cannot appear."""
    line = html.escape(terminal_line(text), quote=False)
    return line.replace("--", "-&#45;")


# CSV -----------------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str | int | float | None) -> str:
    """A CSV field: a number as Python writes it (a negative number stays a number), a missing
    value empty, and text that a spreadsheet would run as a formula prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = terminal_text(value)
    return "'" + text if value.startswith(FORMULA_START) else text


# Mermaid -------------------------------------------------------------------------------------

MERMAID_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "%": "#37;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
}
MERMAID_SPECIAL = re.compile("[" + re.escape("".join(MERMAID_ENTITIES)) + "]")


def mermaid_label(text: object) -> str:
    """The inside of a quoted mermaid label (`["..."]`): one line, and every character that
    could end the string, start a directive (`%%{init}%%`), HTML, a markdown string or close the
    code fence written as a mermaid entity code."""
    line = " ".join(terminal_line(text).split())
    return MERMAID_SPECIAL.sub(lambda found: MERMAID_ENTITIES[found.group()], line)
