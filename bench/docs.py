"""docs/benchmarks.md, where every benchmark writes its table between two markers of its own."""

from __future__ import annotations

from bench.database import ROOT

DOCS = ROOT / "docs" / "benchmarks.md"


def section_write(start: str, end: str, body: str, *, heading: str = "", after: str = "") -> None:
    """Put ``body`` between the markers ``start`` and ``end``, keeping the rest of the file.
    Markers not there yet are added: below the first line of ``after`` when the file has that
    text (a section's heading, or another benchmark's end marker), else at the end of the
    file, under ``heading`` if one is given."""
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if start not in text:
        markers = f"{start}\n{end}"
        if after and after in text:
            head, _, rest = text.partition(after)
            line_end = rest.find("\n") + 1 if "\n" in rest else len(rest)
            text = f"{head}{after}{rest[:line_end]}\n{markers}\n{rest[line_end:]}"
        else:
            title = f"{heading}\n\n" if heading else ""
            text = f"{text.rstrip(chr(10))}\n\n{title}{markers}\n"
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    DOCS.write_text(f"{head}{start}\n{body}\n{end}{tail}")
