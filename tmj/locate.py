"""Find the source line of a problem MkDocs reports without one (its link and anchor validation warnings).

MkDocs says "Doc file 'a/b.md' contains a link 'x.md#y', but …" and nothing more; ``hooks/guard.py`` feeds every
such warning to :func:`locate` and prints ``docs/a/b.md:LINE: reason`` (and a GitHub annotation under Actions).
"""
from __future__ import annotations

import re
from pathlib import Path

LINK_WARNING_RE = re.compile(
    r"^Doc file '(?P<src>[^']+)' contains (?:a link|an unrecognized relative link|an absolute link) "
    r"'(?P<link>[^']+)'"
)
NAV_WARNING_RE = re.compile(r"^A reference to '(?P<link>[^']+)' is included in the 'nav' configuration")


def line_of(text: str, needles: list[str]) -> int | None:
    for needle in needles:
        idx = text.find(needle)
        if idx >= 0:
            return text.count("\n", 0, idx) + 1
    return None


def locate(message: str, docs_dir: Path, config_file: Path | None, project_dir: Path) -> tuple[str, int | None] | None:
    """(file relative to the project, line) for a MkDocs validation warning, or None if it is not one."""
    m = LINK_WARNING_RE.match(message)
    if m:
        path = docs_dir / m.group("src")
        link = m.group("link")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return _rel(path, project_dir), None
        return _rel(path, project_dir), line_of(text, [f"]({link}", f"(<{link}>", f"({link} ", f'"{link}"', link])
    m = NAV_WARNING_RE.match(message)
    if m and config_file is not None:
        try:
            text = config_file.read_text(encoding="utf-8")
        except OSError:
            return _rel(config_file, project_dir), None
        return _rel(config_file, project_dir), line_of(text, [m.group("link")])
    return None


def _rel(path: Path, project_dir: Path) -> str:
    try:
        return path.resolve().relative_to(project_dir.resolve()).as_posix()
    except ValueError:
        return str(path)
