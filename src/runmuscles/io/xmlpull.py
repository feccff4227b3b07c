"""Safe, damage-tolerant XML reading shared by the GPX and TCX readers.

Safety: documents that declare entities (``<!ENTITY``: "billion laughs", external entity attacks)
are refused before parsing, which is what defusedxml's default policy also forbids; the stdlib
expat parser used here never fetches external resources.

Tolerance: the document is parsed incrementally (``XMLPullParser``), so when it breaks part way
(an unbound namespace prefix, a cut-off file) every element completed before the break has already
been handed to the caller; the error is returned so the reader can report what was recovered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from runmuscles.errors import FileFormatError

__all__ = ["child", "child_float", "local", "pull"]

_CHUNK = 1 << 16


def local(tag: str) -> str:
    """The tag name without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def child(elem: Element, *names: str) -> Element | None:
    """Follow a path of local names below ``elem`` (first match at each step)."""
    node: Element | None = elem
    for name in names:
        if node is None:
            return None
        node = next((c for c in node if local(c.tag) == name), None)
    return node


def child_float(elem: Element, *names: str) -> float | None:
    """The text of a descendant (path of local names) as a float, or None if absent/invalid."""
    node = child(elem, *names)
    if node is None or node.text is None:
        return None
    try:
        value = float(node.text.strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def pull(
    path: Path,
    data: bytes,
    on_end: Callable[[Element, list[Element]], None],
    on_start: Callable[[Element, list[Element]], None] | None = None,
) -> str | None:
    """Parse ``data``, calling ``on_end(elem, ancestors)`` as each element closes.

    Returns None for a well-formed document, else the parser's error message (elements closed
    before the error were delivered). Raises :class:`FileFormatError` for entity declarations.
    """
    if b"<!ENTITY" in data:
        raise FileFormatError(
            f"{path.name}: the XML declares entities (<!ENTITY ...>), which activity files never "
            "need and which can be used to attack the reader; refused, nothing was read"
        )
    parser: Any = XMLPullParser(events=("start", "end"))
    stack: list[Element] = []
    try:
        for i in range(0, len(data), _CHUNK):
            parser.feed(data[i : i + _CHUNK])
            for event, elem in parser.read_events():
                if event == "start":
                    assert isinstance(elem, Element)
                    if on_start is not None:
                        on_start(elem, stack)
                    stack.append(elem)
                else:
                    assert isinstance(elem, Element)
                    stack.pop()
                    on_end(elem, stack)
        parser.close()
        for event, elem in parser.read_events():
            if event == "end":
                assert isinstance(elem, Element)
                if stack:
                    stack.pop()
                on_end(elem, stack)
    except ParseError as exc:
        return f"malformed XML ({exc})"
    except (LookupError, ValueError) as exc:  # unknown encoding, bad characters
        return f"unreadable XML ({type(exc).__name__}: {exc})"
    return None


def recovered_note(name: str, error: str | None, n_rows: int) -> str | None:
    """The warning for XML damaged at some point: what was kept, or a FileFormatError when
    nothing came before the damage. None when the XML was whole."""
    if error is None:
        return None
    if not n_rows:
        raise FileFormatError(
            f"{name}: {error}; no timed track point came before the damage, nothing was recovered"
        )
    return f"{error}: kept the {n_rows} track points read before it"
