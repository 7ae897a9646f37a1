"""Figure builder: runs every ``figures_src/<name>.py`` and writes light and dark SVGs.

Contract for a figure script (see ``figures_src/README.md``):

* it defines ``make(theme) -> matplotlib.figure.Figure`` and a module-level ``ALT`` string (the alt text);
* it computes its numbers with numpy (seeded) and ``assert``s the numeric claim the figure illustrates;
* Chinese text is allowed in plain labels, never inside mathtext (``$…$``): matplotlib would draw boxes.

SVGs keep text as text (``svg.fonttype = none``), so Chinese labels are drawn by the reader's browser with its
own fonts and never depend on the fonts of the build machine. Output is byte-identical across builds
(fixed hash salt, no date) and cached by a hash of the script, the shared helpers and this builder.

Run without MkDocs: ``python -m tmj.figures [--out DIR] [--force] [NAME ...]``.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import json
import os
import re
import shutil
import sys
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC_DIR = ROOT / "figures_src"
CACHE_DIR = ROOT / ".cache" / "figures"
THEMES = ("light", "dark")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Fonts the reader's browser uses to draw figure text (Latin first, then common CJK system fonts).
FONT_STACK = (
    "'DejaVu Sans', 'Helvetica Neue', Arial, 'PingFang SC', 'Hiragino Sans GB', "
    "'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif"
)


class FigureError(Exception):
    """A figure script failed; ``file``/``line`` point at the culprit."""

    def __init__(self, file: Path, line: int | None, reason: str):
        self.file, self.line, self.reason = file, line, reason
        where = f"{_rel(file)}:{line}" if line else _rel(file)
        super().__init__(f"{where}: {reason}")


def _rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


@dataclass(frozen=True)
class Theme:
    """Colours for one variant. Figures are transparent and sit on the page's own background."""

    name: str
    fg: str
    muted: str
    grid: str
    bg: str
    palette: tuple[str, ...]

    @property
    def dark(self) -> bool:
        return self.name == "dark"


# Palettes chosen for contrast >= 4.5:1 on Material's light (#ffffff) and slate (#1e2129) backgrounds.
LIGHT = Theme("light", fg="#1f2328", muted="#57606a", grid="#d0d7de", bg="#ffffff",
              palette=("#0b5cad", "#c4420f", "#1a7f37", "#8250df", "#9a6700", "#bf3989"))
DARK = Theme("dark", fg="#e6edf3", muted="#aab4be", grid="#3d444d", bg="#1e2129",
             palette=("#6cb6ff", "#f69d50", "#57c785", "#c297ff", "#e3b341", "#f778ba"))
THEME_BY_NAME = {"light": LIGHT, "dark": DARK}


def rc_for(theme: Theme) -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "transformer-mianjing",
        "svg.image_inline": True,
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],
        "mathtext.fontset": "dejavusans",
        "font.size": 10,
        "axes.unicode_minus": False,
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
        "text.color": theme.fg,
        "axes.labelcolor": theme.fg,
        "axes.edgecolor": theme.muted,
        "axes.titlecolor": theme.fg,
        "xtick.color": theme.fg,
        "ytick.color": theme.fg,
        "grid.color": theme.grid,
        "legend.edgecolor": theme.grid,
        "legend.facecolor": theme.bg,
        "legend.framealpha": 0.9,
        "axes.prop_cycle": __import__("cycler").cycler(color=list(theme.palette)),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "figure.dpi": 100,
        "image.cmap": "viridis",
        "path.simplify": True,
    }


# ---------------------------------------------------------------------------------------------
def figure_names(src_dir: Path = SRC_DIR) -> list[str]:
    return sorted(p.stem for p in src_dir.glob("*.py") if not p.name.startswith("_"))


def helper_files(src_dir: Path = SRC_DIR) -> list[Path]:
    """Shared helpers every figure may import: ``figures_src/_*.py`` and this builder."""
    return sorted(src_dir.glob("_*.py")) + [Path(__file__)]


def figure_hash(name: str, src_dir: Path = SRC_DIR) -> str:
    import matplotlib
    import numpy

    h = hashlib.sha256()
    import PIL

    # v: the post-processing of the SVG (compact_svg); bump it when that changes.
    h.update(f"mpl={matplotlib.__version__};np={numpy.__version__};pil={PIL.__version__};v=4".encode())
    for p in [src_dir / f"{name}.py", *helper_files(src_dir)]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _error_from_exception(script: Path, exc: BaseException) -> FigureError:
    """Point at the deepest frame inside the figure script (or its helpers)."""
    tb = traceback.extract_tb(exc.__traceback__)
    line = None
    for frame in tb:
        if Path(frame.filename).resolve() == script.resolve():
            line = frame.lineno
    if line is None and isinstance(exc, SyntaxError) and exc.lineno:
        line = exc.lineno
    msg = f"{type(exc).__name__}: {exc}".strip()
    if isinstance(exc, AssertionError) and not str(exc):
        src = next((f.line for f in reversed(tb) if Path(f.filename).resolve() == script.resolve()), "")
        msg = f"AssertionError: {src}"
    return FigureError(script, line, f"figure script raised {msg}")


def _load_module(script: Path):
    spec = importlib.util.spec_from_file_location(f"figures_src_{script.stem}", script)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(script.parent))
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    finally:
        sys.path.remove(str(script.parent))
    return module


def _text_line(script: Path, text: str) -> int | None:
    """Best effort: the line of the script where a label's text appears."""
    needle = text.split("$")[0].strip() or text
    for i, line in enumerate(script.read_text(encoding="utf-8").splitlines(), 1):
        if needle and needle in line:
            return i
    return None


def _check_texts(script: Path, fig) -> None:
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        s = t.get_text()
        if not s:
            continue
        # matplotlib parses the WHOLE string as mathtext once it holds an unescaped pair of $.
        dollars = len(re.findall(r"(?<!\\)\$", s))
        if dollars >= 2 and CJK_RE.search(s):
            raise FigureError(
                script,
                _text_line(script, s),
                f"label {s!r} mixes Chinese with mathtext ($…$); matplotlib would draw boxes. "
                "Put the Chinese and the math in separate labels, or write the symbol in plain text "
                "(e.g. 'd_k' -> 'dₖ').",
            )


def _svg_size(svg: str) -> tuple[int, int]:
    m = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    return (round(float(m.group(1))), round(float(m.group(2)))) if m else (640, 400)


def render_svgs(script: Path) -> tuple[dict[str, str], str]:
    """Load the script once and render every theme; return ({theme: svg text}, alt text)."""
    import matplotlib

    matplotlib.use("svg", force=True)
    import matplotlib.pyplot as plt
    import numpy as np

    svgs: dict[str, str] = {}
    module = None
    for theme in (LIGHT, DARK):
        with matplotlib.rc_context(rc_for(theme)), warnings.catch_warnings():
            # Text is kept as text: missing CJK glyphs in the build machine's fonts do not matter.
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
            np.random.seed(0)
            try:
                if module is None:
                    module = _load_module(script)
                    if not callable(getattr(module, "make", None)):
                        raise FigureError(script, 1, "figure script defines no make(theme) function")
                    alt = getattr(module, "ALT", None)
                    if not isinstance(alt, str) or len(alt.strip()) < 8:
                        raise FigureError(script, 1, "figure script needs a module-level ALT string (alt text, >= 8 characters)")
                fig = module.make(theme)
            except FigureError:
                plt.close("all")
                raise
            except Exception as exc:  # noqa: BLE001 - any failure of a script is reported with its line
                plt.close("all")
                raise _error_from_exception(script, exc) from exc
            try:
                _check_texts(script, fig)
                buf = io.StringIO()
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
            finally:
                plt.close("all")
        svg = buf.getvalue()
        svg = svg.replace("font-family: 'DejaVu Sans', sans-serif", f"font-family: {FONT_STACK}")
        # Drop the comment naming matplotlib's version so upgrades do not churn outputs needlessly.
        svg = re.sub(r"<!-- Created with matplotlib.*?-->\n?", "", svg)
        svgs[theme.name] = compact_svg(svg)
    return svgs, module.ALT.strip()


_LONG_DECIMAL_RE = re.compile(r"(?<![\w.])(-?\d+)\.(\d)\d+")
_METADATA_RE = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_PNG_RE = re.compile(r"(data:image/png;base64,)([A-Za-z0-9+/=\s]+)")


def _palette_png(match: re.Match) -> str:
    """An embedded RGBA PNG (heatmaps drawn with imshow) re-encoded as an indexed PNG when it has at most 256
    colours: lossless (checked pixel by pixel), typically a third of the size. Otherwise left as it is."""
    import base64
    import io

    from PIL import Image

    data = base64.b64decode(match.group(2))
    im = Image.open(io.BytesIO(data))
    im.load()
    colors = im.getcolors(256)
    if colors is None:
        return match.group(0)
    if im.mode == "RGBA" and all(c[1][3] == 255 for c in colors):
        im = im.convert("RGB")
    if im.mode not in ("RGB", "RGBA"):
        return match.group(0)
    q = im.quantize(colors=len(colors), method=Image.Quantize.FASTOCTREE if im.mode == "RGBA" else Image.Quantize.MEDIANCUT,
                    dither=Image.Dither.NONE)
    if q.convert(im.mode).tobytes() != im.tobytes():
        return match.group(0)
    buf = io.BytesIO()
    q.save(buf, "PNG", optimize=True)
    if buf.tell() >= len(data):
        return match.group(0)
    return match.group(1) + base64.b64encode(buf.getvalue()).decode("ascii")


def compact_svg(svg: str) -> str:
    """Page weight: matplotlib writes coordinates in pt with 6 decimals; 1 (1/10 pt, about 0.13 CSS px at the
    figure's own size) looks the same and makes SVGs with many markers or path points much smaller. Base64 image
    data has no '.', so it is never touched by that; embedded PNGs are re-encoded losslessly with a palette (_palette_png), and
    the RDF <metadata> block (creator, date) is dropped."""
    svg = _METADATA_RE.sub("", svg)
    svg = _PNG_RE.sub(_palette_png, svg)
    # Scale factors (image transforms) keep full precision: 0.5184 -> 0.51 would shrink a picture by 1.6 %.
    parts = re.split(r"(matrix\([^)]*\))", svg)
    svg = "".join(p if p.startswith("matrix(") else _LONG_DECIMAL_RE.sub(r"\1.\2", p) for p in parts)
    return _minify_tree(svg)


_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"


def _minify_tree(svg: str) -> str:
    """Structure-only savings, about a fifth of a figure's gzip size: no XML declaration or DOCTYPE (the file is
    only ever used as an <img>), no indentation between elements (text content is left as it is), path data
    without spaces around commands, no ``id`` that nothing references (matplotlib names every group), and
    groups left with no attributes unwrapped. What is drawn does not change (tests/test_units.py compares pixels)."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", _XLINK_NS)
    root = ET.fromstring(svg)
    refs = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'href="#([^"]+)"', svg))
    text_tags = {f"{{{_SVG_NS}}}text", f"{{{_SVG_NS}}}tspan", f"{{{_SVG_NS}}}style"}
    for parent in root.iter():  # whitespace inside <text> (between tspans) is content: keep it
        if parent.tag not in text_tags:
            for child in parent:
                if child.tail is not None and not child.tail.strip():
                    child.tail = None
    for el in root.iter():
        if el.attrib.get("id") is not None and el.attrib["id"] not in refs:
            del el.attrib["id"]
        if "d" in el.attrib:
            d = re.sub(r"\s+", " ", el.attrib["d"]).strip()
            el.attrib["d"] = re.sub(r" ?([MLCQZzHVAS]) ?", r"\1", d)
        if el.tag not in text_tags and el.text is not None and not el.text.strip():
            el.text = None

    def unwrap(parent) -> None:
        i = 0
        while i < len(parent):
            child = parent[i]
            unwrap(child)
            if child.tag == f"{{{_SVG_NS}}}g" and not child.attrib:
                kids = list(child)
                parent.remove(child)
                for k, kid in enumerate(kids):
                    parent.insert(i + k, kid)
                i += len(kids)
            else:
                i += 1

    unwrap(root)
    return ET.tostring(root, encoding="unicode") + "\n"


@dataclass
class BuiltFigure:
    name: str
    alt: str
    width: int
    height: int
    files: dict[str, Path]  # theme -> cached svg
    cached: bool


def build_figure(name: str, src_dir: Path = SRC_DIR, cache_dir: Path = CACHE_DIR, force: bool = False) -> BuiltFigure:
    script = src_dir / f"{name}.py"
    if not NAME_RE.match(name):
        raise FigureError(script, None, "figure names are lower_snake_case")
    if not script.is_file():
        raise FigureError(script, None, "no such figure script")
    digest = figure_hash(name, src_dir)
    entry = cache_dir / name / digest
    meta_path = entry / "meta.json"
    if not force and meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        files = {t: entry / f"{t}.svg" for t in THEMES}
        if all(f.is_file() for f in files.values()):
            return BuiltFigure(name, meta["alt"], meta["width"], meta["height"], files, cached=True)
    svgs, module_alt = render_svgs(script)
    tmp = entry.with_name(digest + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for t, svg in svgs.items():
        (tmp / f"{t}.svg").write_text(svg, encoding="utf-8")
    width, height = _svg_size(svgs["light"])
    (tmp / "meta.json").write_text(json.dumps({"alt": module_alt, "width": width, "height": height}), encoding="utf-8")
    if entry.exists():
        shutil.rmtree(entry)
    os.replace(tmp, entry)
    for old in (cache_dir / name).iterdir():  # drop entries of older versions of this script
        if old.name != digest:
            shutil.rmtree(old, ignore_errors=True)
    return BuiltFigure(name, module_alt, width, height, {t: entry / f"{t}.svg" for t in THEMES}, cached=False)


def output_name(name: str, theme: str) -> str:
    return f"{name}-{theme}.svg"


def install(fig: BuiltFigure, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for theme, path in fig.files.items():
        shutil.copyfile(path, out_dir / output_name(fig.name, theme))


def build_all(names: list[str] | None = None, out_dir: Path | None = None, force: bool = False,
              src_dir: Path = SRC_DIR, cache_dir: Path = CACHE_DIR) -> dict[str, BuiltFigure]:
    built = {}
    for name in names or figure_names(src_dir):
        fig = build_figure(name, src_dir, cache_dir, force)
        if out_dir is not None:
            install(fig, out_dir)
        built[name] = fig
    return built


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tmj.figures", description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="figure names (default: all scripts in figures_src/)")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "figures", help="output folder")
    ap.add_argument("--force", action="store_true", help="ignore the cache")
    args = ap.parse_args(argv)
    try:
        built = build_all(args.names or None, args.out, args.force)
    except FigureError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for name, fig in built.items():
        print(f"{'cached ' if fig.cached else 'rendered'} {name} ({fig.width}x{fig.height}) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
