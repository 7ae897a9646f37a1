"""Build-time math rendering: one long-lived ``node`` process running KaTeX.

The MkDocs hook ``hooks/math.py`` hands every page's formulas to :class:`KatexRenderer`;
readers then receive plain HTML plus KaTeX's CSS and fonts, and no math script.
"""
from __future__ import annotations

import hashlib
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
                    self._cache[(f.tex, f.display)] = results[i] = slim_mathml(reply["html"])
        return results  # type: ignore[return-value]

    def render(self, tex: str, display: bool = False) -> str:
        out = self.render_many([Formula(tex, display)])[0]
        if isinstance(out, KatexError):
            raise out
        return out


TEX_ANNOTATION_RE = re.compile(r'<annotation encoding="application/x-tex">.*?</annotation>', re.S)


def slim_mathml(katex_html: str) -> str:
    """KaTeX's output without what readers never use (~2 KB gzip per question page): the TeX copy it adds to the
    MathML as <annotation> (only copy-as-TeX tools read it; the site ships none), the <semantics> wrapper that
    then wraps nothing else, and the xmlns (in HTML the <math> element is MathML by itself). The presentation
    MathML that screen readers read stays."""
    out = TEX_ANNOTATION_RE.sub("", katex_html)
    out = out.replace('<math xmlns="http://www.w3.org/1998/Math/MathML"', "<math")
    return out.replace("<semantics>", "").replace("</semantics>", "")


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
    for r in rendered:  # characters each font must draw (subset_font)
        for font, chars in chars_by_font(r).items():
            USED_CHARS.setdefault(font, set()).update(chars)
    out, last = [], 0
    for m, f, r in zip(matches, formulas, rendered):
        out.append(page_html[last : m.start()])
        tag = "div" if f.display else "span"
        out.append(f'<{tag} class="arithmatex">{r}</{tag}>')
        last = m.end()
    out.append(page_html[last:])
    return "".join(out), []


# KaTeX class -> the woff2 file it draws with (KaTeX 0.16 CSS); text under none of these uses Main-Regular.
FONT_OF_CLASS = {
    "mathnormal": "KaTeX_Math-Italic", "mathit": "KaTeX_Main-Italic", "textit": "KaTeX_Main-Italic",
    "mathbf": "KaTeX_Main-Bold", "textbf": "KaTeX_Main-Bold", "boldsymbol": "KaTeX_Math-BoldItalic",
    "amsrm": "KaTeX_AMS-Regular", "mathbb": "KaTeX_AMS-Regular", "textbb": "KaTeX_AMS-Regular",
    "mathcal": "KaTeX_Caligraphic-Regular", "mathfrak": "KaTeX_Fraktur-Regular", "textfrak": "KaTeX_Fraktur-Regular",
    "mathscr": "KaTeX_Script-Regular", "textscr": "KaTeX_Script-Regular",
    "mathsf": "KaTeX_SansSerif-Regular", "textsf": "KaTeX_SansSerif-Regular",
    "mathtt": "KaTeX_Typewriter-Regular", "texttt": "KaTeX_Typewriter-Regular",
    "size1": "KaTeX_Size1-Regular", "small-op": "KaTeX_Size1-Regular", "delim-size1": "KaTeX_Size1-Regular",
    "size2": "KaTeX_Size2-Regular", "large-op": "KaTeX_Size2-Regular",
    "size3": "KaTeX_Size3-Regular", "size4": "KaTeX_Size4-Regular", "delim-size4": "KaTeX_Size4-Regular",
}
_TOKEN_RE = re.compile(r"<(/?)([a-zA-Z]+)([^>]*?)(/?)>|([^<]+)")
# "size1".."size4" also name KaTeX's text *sizing* classes (sizing reset-size6 size3); only delimiters use the fonts.
_SIZE_FONT_NEEDS = {"size1": "delimsizing", "size2": "delimsizing", "size3": "delimsizing", "size4": "delimsizing"}


def _font_of(classes: list[str]) -> str | None:
    for cls in classes:
        font = FONT_OF_CLASS.get(cls)
        if font and (cls not in _SIZE_FONT_NEEDS or _SIZE_FONT_NEEDS[cls] in classes):
            return font
    return None


def chars_by_font(katex_html: str) -> dict[str, set[str]]:
    """Which characters of KaTeX's HTML are drawn in which KaTeX font (the innermost font class wins)."""
    out: dict[str, set[str]] = {}
    stack: list[str | None] = []  # per open element: its font, "" for none, None inside MathML/SVG (no text drawn)
    for close, tag, attrs, selfclose, text in _TOKEN_RE.findall(katex_html):
        if text:
            if None in stack:
                continue
            font = next((f for f in reversed(stack) if f), "KaTeX_Main-Regular")
            chars = set(html.unescape(text)) - {" ", "\n"}
            if chars:
                out.setdefault(font, set()).update(chars)
        elif close:
            if stack:
                stack.pop()
        elif not selfclose:
            m = re.search(r'class="([^"]*)"', attrs)
            classes = m.group(1).split() if m else []
            if tag in ("svg", "math") or "katex-mathml" in classes:
                stack.append(None)
            else:
                stack.append(_font_of(classes) or "")
    return out


# Characters each KaTeX font draws in this build (filled by render_html, cleared by hooks/math.py).
USED_CHARS: dict[str, set[str]] = {}
FONT_CACHE = ROOT / ".cache" / "katex-fonts"


def subset_font(src: Path, chars: set[str], cache_dir: Path = FONT_CACHE) -> bytes:
    """``src`` (a KaTeX woff2) cut down to ``chars`` (and digits), as woff2, without hinting; cached by content.

    KaTeX's fonts cover far more than a site uses (Main-Regular is 26 KB, AMS-Regular 28 KB); the subsets are
    a few KB each, which keeps a page's cold visit inside its byte budget (tests/test_budgets.py)."""
    keep = "".join(sorted(set(chars) | set(" 0123456789()")))
    key = hashlib.sha256(src.read_bytes() + keep.encode("utf-8") + b"v2").hexdigest()[:20]
    cached = cache_dir / f"{src.stem}-{key}.woff2"
    if cached.is_file():
        return cached.read_bytes()
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # browsers on high-density screens ignore TrueType hints; they are a third of the bytes
    font = subset.load_font(str(src), options)
    sub = subset.Subsetter(options)
    sub.populate(text=keep)
    sub.subset(font)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    subset.save_font(font, str(tmp), options)
    tmp.replace(cached)
    return cached.read_bytes()


def install_assets(site_dir: Path, chars: dict[str, set[str]] | None = None) -> list[Path]:
    """Copy KaTeX's CSS (rewritten to reference woff2 only) and its woff2 fonts into the site; with ``chars``,
    every font (by stem name) is subset to the characters drawn in it; unused fonts keep only digits."""
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
        if chars is not None:
            target.write_bytes(subset_font(font, chars.get(font.stem, set())))
        else:
            shutil.copyfile(font, target)
        written.append(target)
    return written
