"""MkDocs hook: render every formula to HTML with KaTeX at build time (one long-lived node process).

Runs on the finished page (on_post_page), after the search plugin has read the page, so the search index
holds TeX source, not KaTeX's spans. A formula KaTeX rejects fails the build with page, line and formula.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tmj package beside hooks/

import shutil
from pathlib import Path

from tmj import state
from tmj.errors import fail
from tmj import katex
from tmj.pages import rel
from tmj.katex import KatexRenderer, install_assets, render_html

_renderer: KatexRenderer | None = None

# Macros available on every page.
MACROS = {
    r"\dmodel": r"d_{\text{model}}",
    r"\softmax": r"\operatorname{softmax}",
    r"\Var": r"\operatorname{Var}",
    r"\E": r"\mathbb{E}",
}


def _get() -> KatexRenderer:
    global _renderer
    if _renderer is None:
        _renderer = KatexRenderer(MACROS)
    return _renderer


def _line_in(path, tex: str, loose: bool = False) -> int | None:
    """Line of the file ``path`` where formula ``tex`` starts (front matter skipped; every line of a multi-line
    formula must match, so an earlier formula with the same first line, e.g. ``\\begin{aligned}``, is not taken)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except (OSError, TypeError):
        return None
    want = [w.strip() for w in tex.strip().split("\n") if w.strip()] or [tex]
    start = 0
    if lines and lines[0] == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i] in ("---", "...")), 0)
    for i in range(start, len(lines)):
        if all(i + j < len(lines) and w in lines[i + j] for j, w in enumerate(want)):
            return i + 1
    for i in range(start, len(lines) if loose else 0):  # formula rewritten by Markdown (escapes): first line only
        if want[0] in lines[i]:
            return i + 1
    return None


def _where(page, tex: str) -> tuple[str, int]:
    """File and line to blame for a formula: the page's own source, else the question page it was borrowed from
    (速查 and the 相关问题 boxes show other pages' 30-second answers), else line 1 of the page."""
    own = "docs/" + page.file.src_uri
    sources = [(own, page.file.abs_src_path)] + [(rel(q.path), q.path) for q in sorted(state.questions.values(), key=lambda q: q.qid)]
    for loose in (False, True):
        for file, path in sources:
            line = _line_in(path, tex, loose)
            if line:
                return file, line
    return own, 1


def on_pre_build(config, **kwargs):
    katex.USED_CHARS.clear()


def on_post_page(output, page, config, **kwargs):
    out, errors = render_html(_get(), output)
    if errors:
        e = errors[0]
        more = f" (and {len(errors) - 1} more formula(s))" if len(errors) > 1 else ""
        file, line = _where(page, e.tex)
        raise fail(file, line, f"KaTeX cannot render ${e.tex}$: {e.message}{more}")
    return out


def on_post_build(config, **kwargs):
    # Fonts subset to the characters this build's formulas use (a few KB each instead of 5-28 KB).
    install_assets(Path(config["site_dir"]), {k: set(v) for k, v in katex.USED_CHARS.items()})


def on_shutdown(**kwargs):
    global _renderer
    if _renderer is not None:
        _renderer.close()
        _renderer = None
