"""Each benchmark owns one `## ` section of docs/benchmarks.md: a rerun replaces it, leaves the rest."""

from __future__ import annotations

from pathlib import Path


def write_section(target: Path, heading: str, section: str) -> None:
    """Replace the section that starts with `heading` (up to the next `## `), or append it."""
    text = target.read_text()
    start = text.find(heading)
    if start < 0:
        target.write_text(text.rstrip("\n") + "\n\n" + section.lstrip("\n"))
        return
    end = text.find("\n## ", start + len(heading))
    rest = text[end:] if end >= 0 else ""
    target.write_text(text[:start] + section.strip("\n") + "\n" + rest)
