"""Build-time math rendering: one long-lived ``node`` process running KaTeX.

The MkDocs hook ``hooks/math.py`` hands every page's formulas to :class:`KatexRenderer`;
readers then receive plain HTML plus KaTeX's CSS and fonts, and no math script.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_JS = Path(__file__).with_name("katex_server.js")
KATEX_DIST = ROOT / "node_modules" / "katex" / "dist"

# pymdownx.arithmatex (generic mode) wraps inline math as \( … \) and display math as \[ … \]
# inside these two elements. Nothing else on a page produces them.
MATH_RE = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<body>.*?)</(?P=tag)>', re.S
)


class KatexError(Exception):
    """A formula KaTeX refuses (parse error or strict-mode warning)."""

    def __init__(self, tex: str, message: str):
        super().__init__(message)
        self.tex = tex
        self.message = message


@dataclass
class Formula:
    tex: str
    display: bool


def parse_arithmatex(body: str, tag: str) -> Formula:
    """Turn arithmatex's generic markup back into TeX source."""
    text = html.unescape(body).strip()
    if text.startswith("\\(") and text.endswith("\\)"):
        return Formula(text[2:-2].strip(), False)
    if text.startswith("\\[") and text.endswith("\\]"):
        return Formula(text[2:-2].strip(), True)
    # arithmatex may also keep $…$ / $$…$$ delimiters, depending on configuration
    if text.startswith("$$") and text.endswith("$$"):
        return Formula(text[2:-2].strip(), True)
    if text.startswith("$") and text.endswith("$"):
        return Formula(text[1:-1].strip(), False)
    return Formula(text, tag == "div")


class KatexRenderer:
    """A KaTeX ``node`` process, started once and fed a formula at a time.

    Rendered formulas are memoised, so ``mkdocs serve`` rebuilds only pay for new formulas.
    """

    def __init__(self, macros: dict[str, str] | None = None, node: str | None = None):
        self.macros = dict(macros or {})
        self.node = node or shutil.which("node")
        if not self.node:
            raise RuntimeError("node (>= 20) is required to render math at build time; see README")
        if not (ROOT / "node_modules" / "katex").is_dir():
            raise RuntimeError("KaTeX is not installed: run `npm ci` (python3 run.py setup does it)")
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._next_id = 0
        self._cache: dict[tuple[str, bool], str] = {}

    # -- process management -------------------------------------------------
    def _ensure(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                [self.node, str(SERVER_JS)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        return self._proc

    def close(self) -> None:
        if self._proc is not None:
            try:
                self._proc.stdin.close()
                self._proc.wait(timeout=5)
            except Exception:  # pragma: no cover - best effort
                self._proc.kill()
            self._proc = None

    # -- rendering ----------------------------------------------------------
    def render_many(self, formulas: list[Formula]) -> list[str | KatexError]:
        """Render formulas in one round trip; errors are returned, not raised."""
        results: list[str | KatexError | None] = [None] * len(formulas)
        pending: dict[int, int] = {}
        with self._lock:
            proc = self._ensure()
            for i, f in enumerate(formulas):
                key = (f.tex, f.display)
                if key in self._cache:
                    results[i] = self._cache[key]
                    continue
                self._next_id += 1
                pending[self._next_id] = i
                proc.stdin.write(
                    json.dumps({"id": self._next_id, "tex": f.tex, "display": f.display, "macros": self.macros})
                    + "\n"
                )
            proc.stdin.flush()
            for _ in range(len(pending)):
                line = proc.stdout.readline()
                if not line:
                    raise RuntimeError("the KaTeX node process exited unexpectedly")
                reply = json.loads(line)
                i = pending[reply["id"]]
                f = formulas[i]
                if "error" in reply:
                    results[i] = KatexError(f.tex, reply["error"])
                else:
                    self._cache[(f.tex, f.display)] = reply["html"]
                    results[i] = reply["html"]
        return results  # type: ignore[return-value]

    def render(self, tex: str, display: bool = False) -> str:
        out = self.render_many([Formula(tex, display)])[0]
        if isinstance(out, KatexError):
            raise out
        return out


def render_html(renderer: KatexRenderer, page_html: str) -> tuple[str, list[KatexError]]:
    """Replace every arithmatex element in ``page_html`` by KaTeX's HTML.

    Returns the new HTML and the list of formulas KaTeX refused (the caller fails the build).
    """
    matches = list(MATH_RE.finditer(page_html))
    if not matches:
        return page_html, []
    formulas = [parse_arithmatex(m.group("body"), m.group("tag")) for m in matches]
    rendered = renderer.render_many(formulas)
    errors = [r for r in rendered if isinstance(r, KatexError)]
    if errors:
        return page_html, errors
    out, last = [], 0
    for m, f, r in zip(matches, formulas, rendered):
        out.append(page_html[last : m.start()])
        tag = "div" if f.display else "span"
        out.append(f'<{tag} class="arithmatex">{r}</{tag}>')
        last = m.end()
    out.append(page_html[last:])
    return "".join(out), []


def install_assets(site_dir: Path) -> list[Path]:
    """Copy KaTeX's CSS (rewritten to reference woff2 only) and its woff2 fonts into the site."""
    dest = site_dir / "assets" / "katex"
    (dest / "fonts").mkdir(parents=True, exist_ok=True)
    css = (KATEX_DIST / "katex.min.css").read_text(encoding="utf-8")
    # Every @font-face lists woff2, woff and ttf; every browser we target takes woff2, so ship only those.
    css = re.sub(
        r'src:url\((fonts/[^)]+\.woff2)\) format\("woff2"\)(?:,url\([^)]+\) format\("[a-z]+"\))*',
        r'src:url(\1) format("woff2")',
        css,
    )
    if re.search(r"\.(woff|ttf)\)", css):
        raise RuntimeError("KaTeX CSS still references woff/ttf fonts: update tmj/katex.py for this KaTeX version")
    (dest / "katex.min.css").write_text(css, encoding="utf-8")
    written = [dest / "katex.min.css"]
    for font in sorted((KATEX_DIST / "fonts").glob("*.woff2")):
        target = dest / "fonts" / font.name
        shutil.copyfile(font, target)
        written.append(target)
    return written
