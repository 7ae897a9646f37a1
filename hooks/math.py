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

from tmj.errors import fail
from tmj import katex
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


def _line_of(page, tex: str) -> int:
    """Line of the page source where formula ``tex`` starts (front matter skipped; every line of a multi-line
    formula must match, so an earlier formula with the same first line, e.g. ``\\begin{aligned}``, is not taken)."""
    try:
        lines = Path(page.file.abs_src_path).read_text(encoding="utf-8").split("\n")
    except (OSError, TypeError):
        return 1
    want = [w.strip() for w in tex.strip().split("\n") if w.strip()] or [tex]
    start = 0
    if lines and lines[0] == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i] in ("---", "...")), 0)
    for i in range(start, len(lines)):
        if all(i + j < len(lines) and w in lines[i + j] for j, w in enumerate(want)):
            return i + 1
    for i in range(start, len(lines)):  # formula rewritten by Markdown (e.g. escapes): first line only
        if want[0] in lines[i]:
            return i + 1
    return 1


def on_pre_build(config, **kwargs):
    katex.USED_CHARS.clear()


def on_post_page(output, page, config, **kwargs):
    out, errors = render_html(_get(), output)
    if errors:
        e = errors[0]
        more = f" (and {len(errors) - 1} more formula(s))" if len(errors) > 1 else ""
        raise fail("docs/" + page.file.src_uri, _line_of(page, e.tex), f"KaTeX cannot render ${e.tex}$: {e.message}{more}")
    return out


def on_post_build(config, **kwargs):
    # Fonts subset to the characters this build's formulas use (a few KB each instead of 5-28 KB).
    install_assets(Path(config["site_dir"]), {k: set(v) for k, v in katex.USED_CHARS.items()})


def on_shutdown(**kwargs):
    global _renderer
    if _renderer is not None:
        _renderer.close()
        _renderer = None
