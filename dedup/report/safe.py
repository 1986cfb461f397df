r"""Make crawled values safe to show: escaping, link filtering, broken Unicode.

Crawled text is hostile input. Every value from the data (text, titles, URLs,
ids) passes through one of these functions before it reaches a report:

* :func:`clean` replaces what a browser or terminal must not be handed raw:
  lone surrogates, control characters and Unicode non-characters become
  U+FFFD;
* :func:`esc` is :func:`clean` plus HTML escaping (quotes included, so the
  result is safe in text *and* in quoted attribute values);
* :func:`esc_id` also makes bidirectional controls visible, so an id or a URL
  cannot be displayed reversed (``U+202E`` "RIGHT-TO-LEFT OVERRIDE" spoofing);
* :func:`safe_url` returns a link target only for ``http``/``https`` URLs, read
  the way a browser reads them (tabs and newlines inside the scheme removed,
  leading control characters and spaces ignored);
* :func:`md_escape` is the Markdown counterpart of :func:`esc`.

    >>> esc('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> safe_url(" java\tscript:alert(1)") is None
    True
    >>> safe_url("https://example.com/a?b=1")
    'https://example.com/a?b=1'
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

#: Lone surrogates, C0/C1 controls except tab, newline and carriage return,
#: DEL and the non-characters U+FFFE/U+FFFF. Browsers treat NUL and some of
#: these as parse errors or render them as nothing, which hides content.
_BROKEN = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

#: Bidirectional embedding, override and isolate controls (and the marks).
#: Legitimate in right-to-left prose, so article text keeps them (inside an
#: isolating element); identifiers and URLs show them as visible codes.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Tabs and line breaks: shown as codes in ids and URLs, where they hide.
_LINE_BREAKS = re.compile("[\t\n\r]")

#: What browsers drop from anywhere in a URL before parsing it (WHATWG URL).
_URL_DROPPED = re.compile("[\t\n\r]")
#: What browsers strip from both ends of a URL: C0 controls and space.
_URL_STRIPPED = "".join(chr(c) for c in range(0x21))

ALLOWED_SCHEMES = ("http", "https")

#: Markdown punctuation that can start emphasis, links, code, HTML, tables or
#: headings. Escaped with a backslash (CommonMark allows it for any ASCII
#: punctuation), after ``&``, ``<`` and ``>`` became entities.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


#: Block markers that only count at the start of a line: ``-``, ``+``, ``=``
#: and ordered-list numbers (``1.``, ``2)``).
_MD_LINE_START = re.compile(r"^(\d{0,9})([-+=]|(?<=\d)[.)])")


def clean(text: str) -> str:
    r"""*text* with broken or invisible-but-harmful characters as U+FFFD.

    Example:
        >>> clean("ok\x00\ud800 still ok\n")
        'ok\ufffd\ufffd still ok\n'

    """
    return _BROKEN.sub("\ufffd", text)


def esc(value: object) -> str:
    r"""*value* as text that is safe inside HTML elements and quoted attributes.

    ``None`` is the empty string; anything else is ``str()``-ed first.

    Example:
        >>> esc("<script>x</script> & 'y'")
        '&lt;script&gt;x&lt;/script&gt; &amp; &#x27;y&#x27;'

    """
    if value is None:
        return ""
    return html.escape(clean(str(value)), quote=True)


def show_controls(text: str) -> str:
    r"""*text* with bidirectional controls written as visible ``⟨U+202E⟩`` codes.

    Example:
        >>> show_controls("invoice\u202egpj.exe")
        'invoice⟨U+202E⟩gpj.exe'

    """
    return _BIDI.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def esc_id(value: object) -> str:
    r"""Like :func:`esc`, with bidi controls and line breaks shown (for ids, URLs).

    Example:
        >>> esc_id("a\u202e<b>")
        'a⟨U+202E⟩&lt;b&gt;'

    """
    if value is None:
        return ""
    text = show_controls(clean(str(value)))
    return esc(_LINE_BREAKS.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text))


def safe_url(url: object) -> str | None:
    r"""*url* when it is an absolute ``http``/``https`` URL with a host, else None.

    The check reads the URL the way a browser would: tabs and newlines anywhere
    are dropped and control characters or spaces at either end are ignored, so
    ``"java\nscript:"`` or ``"\x01javascript:"`` cannot sneak through.
    Relative URLs are refused too: a report opened from disk would resolve them
    against ``file://``. The returned URL still needs :func:`esc` in an
    attribute.

    Example:
        >>> [safe_url(u) for u in ["HTTPS://a.org", "javascript:x", "//a.org"]]
        ['HTTPS://a.org', None, None]

    """
    if not isinstance(url, str):
        return None
    candidate = _URL_DROPPED.sub("", url).strip(_URL_STRIPPED)
    if not candidate or _BROKEN.search(candidate) or _BIDI.search(candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.netloc:
        return None
    return candidate


def md_escape(value: object, *, max_chars: int | None = None) -> str:
    r"""*value* as one line of Markdown text: no HTML, links, emphasis or tables.

    Newlines become spaces (so the value fits a table cell or a list item) and
    the text is cut to *max_chars* with an ellipsis.

    Example:
        >>> md_escape("<b>[click](javascript:x)</b> | *bold*")
        '&lt;b&gt;\\[click\\]\\(javascript:x\\)&lt;/b&gt; \\| \\*bold\\*'

    """
    if value is None:
        return ""
    text = " ".join(show_controls(clean(str(value))).split())
    if max_chars is not None and len(text) > max_chars:
        text = text[: max(0, max_chars - 1)].rstrip() + "…"
    text = _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    # A list item, thematic break or setext underline starts at the start of a
    # line; escaping its first character keeps the value a plain paragraph.
    return _MD_LINE_START.sub(r"\1\\\2", text, count=1)
