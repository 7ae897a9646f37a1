"""Notebooks of the 动手实现 section: execute, cache and turn into Markdown pages.

Notebooks live in ``docs/hands-on/NN-name.py`` as jupytext *percent* scripts (never ``.ipynb`` with outputs).
At every build each one runs in a fresh IPython kernel (nbclient) with errors not allowed: a cell that raises,
or writes to stderr (a warning), fails the build naming notebook, line, cell index and the cell's first line.

The executed notebook is turned into an ordinary Markdown page (code cells as fenced ``python`` blocks, text
output as ``<pre>``, figures as inline SVG), so the page goes through the site's own pipeline: arithmatex and
build-time KaTeX for math, MkDocs' link validation for ``../attention/q05-padding-mask.md`` links, the site's
heading slugs, search and Material's light/dark code styles. No script, stylesheet or font from another host.

Figures: matplotlib's inline backend writes SVG with text kept as text (``svg.fonttype: none``), so Chinese
labels are drawn by the reader's browser. Text and axes are drawn in a sentinel colour that becomes
``currentColor``: inline SVG then takes the page's text colour in light and dark mode; data colours are
mid-tones readable on both backgrounds.

Executed notebooks are cached under ``.cache/notebooks`` by a hash of the notebook source, this module
(which holds the kernel setup code) and the versions of Python, NumPy and matplotlib, so ``mkdocs serve``
re-runs only the notebooks that changed.

Run without MkDocs: ``python -m tmj.notebooks [--force] [--jobs N] [NAME ...]``.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "docs" / "hands-on"
CACHE_DIR = ROOT / ".cache" / "notebooks"
NAME_RE = re.compile(r"^\d\d-[a-z0-9-]+$")
CELL_TIMEOUT = 60  # seconds; the whole section is meant to run in well under 15 s
SENTINEL = "#010203"  # text/axes colour in the kernel; becomes currentColor in the page
PALETTE = ("#3b82f6", "#f97316", "#16a34a", "#a855f7", "#e11d48", "#ca8a04")  # mid-tones: light and dark
FONT_STACK = (
    "'DejaVu Sans', 'Helvetica Neue', Arial, 'PingFang SC', 'Hiragino Sans GB', "
    "'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif"
)

# Run in the kernel before the notebook's own cells; not shown on the page. It configures matplotlib's inline
# backend to emit SVG without importing matplotlib (a notebook without plots does not pay for it): the
# backend comes from MPLBACKEND and the style from the matplotlibrc written by write_matplotlibrc().
# Readers who copy a cell get matplotlib's default look, and the same numbers.
SETUP = r"""
import warnings
warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
%config InlineBackend.figure_formats = ['svg']
%config InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'metadata': {'Date': None, 'Creator': None}}
del warnings
"""

RC = {
    "backend": "module://matplotlib_inline.backend_inline",
    "svg.fonttype": "none", "svg.hashsalt": "tmj-notebooks", "font.family": "sans-serif",
    "font.sans-serif": "DejaVu Sans", "mathtext.fontset": "dejavusans", "font.size": "10",
    "axes.unicode_minus": "False", "figure.dpi": "100", "figure.figsize": "6.4, 3.6",
    "figure.facecolor": "none", "axes.facecolor": "none", "savefig.facecolor": "none", "savefig.transparent": "True",
    "text.color": SENTINEL, "axes.labelcolor": SENTINEL, "axes.titlecolor": SENTINEL,
    "axes.edgecolor": SENTINEL, "xtick.color": SENTINEL, "ytick.color": SENTINEL,
    "grid.color": "#8b949e", "grid.alpha": "0.35", "legend.frameon": "False",
    "axes.spines.top": "False", "axes.spines.right": "False", "image.cmap": "viridis",
    "axes.prop_cycle": "cycler('color', [%s])" % ", ".join(repr(c[1:]) for c in PALETTE),
}


def write_matplotlibrc(cache_dir: Path) -> Path:
    """The matplotlibrc the kernels use (colours without '#': it starts a comment in that format)."""
    path = cache_dir / "matplotlibrc"
    text = "".join(f"{k}: {v.lstrip('#')}\n" for k, v in RC.items())
    cache_dir.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


class NotebookError(Exception):
    """A notebook failed; ``file``/``line`` point at the culprit (``file`` relative to the repository)."""

    def __init__(self, file: str, line: int | None, reason: str):
        self.file, self.line, self.reason = file, line, reason
        super().__init__(f"{file}:{line or 1}: {reason}")


def _rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def notebook_paths(nb_dir: Path = NB_DIR) -> list[Path]:
    """Every notebook of the section: ``NN-name.py`` directly in the folder (``_*.py`` are not notebooks)."""
    return sorted(p for p in nb_dir.glob("*.py") if not p.name.startswith("_"))


def is_notebook_uri(src_uri: str) -> bool:
    """True for the docs-relative path of a notebook (``hands-on/01-attention.py``)."""
    parent, _, name = src_uri.rpartition("/")
    return parent == NB_DIR.name and name.endswith(".py") and not name.startswith("_")


def read_notebook(path: Path):
    import jupytext

    return jupytext.read(path, fmt="py:percent")


def cell_lines(text: str) -> list[int]:
    """1-based line numbers of the ``# %%`` markers: cell i of the notebook starts at line cell_lines[i]."""
    return [i for i, line in enumerate(text.splitlines(), 1) if line.startswith("# %%")]


def notebook_hash(path: Path) -> str:
    from importlib.metadata import version  # not importing numpy/matplotlib keeps a cache hit cheap

    h = hashlib.sha256()
    h.update(f"py={sys.version_info[:3]};np={version('numpy')};mpl={version('matplotlib')};v=1".encode())
    for p in (path, Path(__file__)):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _first_line(source: str) -> str:
    first = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
    return first if len(first) <= 80 else first[:77] + "..."


_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _check_structure(path: Path, nb, lines: list[int]) -> None:
    file = _rel(path)
    if not NAME_RE.match(path.stem):
        raise NotebookError(file, 1, "notebook file names look like NN-name.py (lower case, digits, hyphens)")
    if len(lines) != len(nb.cells) or not lines or lines[0] != 1:
        raise NotebookError(file, 1, "notebooks are jupytext percent scripts whose first line is a '# %%' marker "
                                     "and whose every cell starts with one ('# %%' or '# %% [markdown]')")
    first = nb.cells[0]
    if first.cell_type != "markdown" or not re.match(r"#\s+\S", first.source.lstrip()):
        raise NotebookError(file, 1, "the first cell must be a markdown cell starting with the page title ('# 标题')")
    if not any(c.cell_type == "code" for c in nb.cells):
        raise NotebookError(file, 1, "a notebook without code cells belongs in a Markdown page")


def execute(path: Path, timeout: int = CELL_TIMEOUT, cache_dir: Path = CACHE_DIR):
    """Run every code cell of ``path`` in a fresh kernel; return the executed notebook.

    Raises :class:`NotebookError` naming the cell (index, line in the script, first source line) that raised
    or wrote to stderr.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    file = _rel(path)
    text = path.read_text(encoding="utf-8")
    try:
        nb = read_notebook(path)
    except Exception as exc:  # noqa: BLE001 - jupytext's parse errors are reported as they are
        raise NotebookError(file, 1, f"jupytext cannot read the notebook: {exc}") from None
    lines = cell_lines(text)
    _check_structure(path, nb, lines)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}

    env = dict(os.environ)
    # One BLAS thread per kernel: notebooks run side by side on small matrices; same numbers everywhere.
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0",
               MPLBACKEND=RC["backend"], MATPLOTLIBRC=str(write_matplotlibrc(cache_dir)),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    # Local sockets instead of TCP on 127.0.0.1 (no open ports, and no "running over TCP" warning).
    ipc_dir = tempfile.mkdtemp(prefix="tmj-kernel-")
    client.km = client.kernel_manager_class(kernel_name="python3", transport="ipc", ip=os.path.join(ipc_dir, "k"))

    def where(index: int, cell) -> str:
        return f"cell {index} (`{_first_line(cell.source)}`)"

    # The setup cell runs first, as cell 0 of the executed copy (nbclient writes outputs by index); it is
    # removed again below, so the notebook's cell i is nb.cells[i + 1] while executing.
    nb.cells.insert(0, nbformat.v4.new_code_cell(SETUP))
    try:
        with client.setup_kernel(env=env, cwd=str(path.parent)):
            for pos, cell in enumerate(nb.cells):
                index = pos - 1
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, pos)
                except CellTimeoutError:
                    raise NotebookError(file, lines[index] if index >= 0 else 1,
                                        f"{where(index, cell)} did not finish within {timeout} s") from None
                except CellExecutionError as exc:
                    err = next((o for o in cell.outputs if o.output_type == "error"), None)
                    reason = f"{err.ename}: {err.evalue}" if err else str(exc).strip().splitlines()[-1]
                    if index < 0:
                        raise NotebookError("tmj/notebooks.py", 1, f"the kernel setup code failed for {file}: {reason}") from None
                    if err is not None and err.ename == "AssertionError" and not err.evalue:
                        tb = _ANSI_RE.sub("", "\n".join(err.traceback))
                        arrow = [ln for ln in tb.splitlines() if ln.lstrip().startswith("---->")]
                        if arrow:
                            reason = "AssertionError: " + re.sub(r"^\s*---->\s*\d*\s*", "", arrow[-1]).strip()
                    line = lines[index] + _error_line_in_cell(err)
                    raise NotebookError(file, line, f"{where(index, cell)} raised {reason}") from None
                stderr = "".join(o.get("text", "") for o in cell.outputs
                                 if o.output_type == "stream" and o.name == "stderr")
                if stderr.strip():
                    raise NotebookError(file, lines[max(index, 0)], f"{where(index, cell)} wrote to stderr (warnings are "
                                                                   f"not allowed): {_ANSI_RE.sub('', stderr).strip()[:500]}")
    except DeadKernelError as exc:
        raise NotebookError(file, 1, f"the kernel died: {exc}") from None
    finally:
        shutil.rmtree(ipc_dir, ignore_errors=True)
    del nb.cells[0]
    return nb


def _error_line_in_cell(err) -> int:
    """Offset of the failing line inside the cell (IPython marks it with '---->'), 0 if unknown."""
    if err is None:
        return 0
    tb = _ANSI_RE.sub("", "\n".join(err.get("traceback", [])))
    # The first frame is the cell itself ("Cell In[N], line L").
    m = re.search(r"Cell In\[\d+\], line (\d+)", tb)
    return int(m.group(1)) if m else 0


@dataclass
class Result:
    path: Path
    nb: object
    cached: bool
    seconds: float
    digest: str = ""
    extra: dict = field(default_factory=dict)


def load_or_execute(path: Path, cache_dir: Path = CACHE_DIR, force: bool = False) -> Result:
    import nbformat

    digest = notebook_hash(path)
    entry = cache_dir / f"{path.stem}.{digest}.ipynb"
    if not force and entry.is_file():
        return Result(path, nbformat.reads(entry.read_text(encoding="utf-8"), as_version=4), True, 0.0, digest)
    t0 = time.perf_counter()
    nb = execute(path, cache_dir=cache_dir)
    seconds = time.perf_counter() - t0
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = entry.with_suffix(".tmp")
    tmp.write_text(nbformat.writes(nb), encoding="utf-8")
    os.replace(tmp, entry)
    for old in cache_dir.glob(f"{path.stem}.*.ipynb"):  # older versions of this notebook
        if old != entry:
            old.unlink(missing_ok=True)
    return Result(path, nb, False, seconds, digest)


def execute_all(paths: list[Path] | None = None, cache_dir: Path = CACHE_DIR, force: bool = False,
                jobs: int | None = None) -> dict[Path, Result]:
    """Load or run every notebook, ``jobs`` kernels at a time; the first failure (in file order) is raised."""
    paths = notebook_paths() if paths is None else list(paths)
    jobs = jobs or min(2, os.cpu_count() or 1)
    if not paths:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(paths)))) as pool:
        futures = [pool.submit(load_or_execute, p, cache_dir, force) for p in paths]
        results, first_error = {}, None
        for p, fut in zip(paths, futures):
            try:
                results[p] = fut.result()
            except NotebookError as e:
                first_error = first_error or e
    if first_error:
        raise first_error
    return results


# --------------------------------------------------------------------------------------------------------
# Markdown rendering of an executed notebook


def clean_svg(svg: str, prefix: str) -> str:
    """Make matplotlib's SVG fit for inlining: no XML prolog, unique ids, theme-following text colour."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for i in sorted(ids, key=len, reverse=True):
        svg = re.sub(rf'(\bid="|#){re.escape(i)}(?=["\)])', rf"\g<1>{prefix}-{i}", svg)
    svg = svg.replace(SENTINEL, "currentColor")
    # matplotlib's global "*{stroke-…}" rule would reach every SVG on the page: scope it to this figure.
    svg = re.sub(r"<svg ", f'<svg id="{prefix}" ', svg, count=1)
    svg = svg.replace("<style type=\"text/css\">*{", f"<style type=\"text/css\">#{prefix} *{{")
    svg = svg.replace("font-family: 'DejaVu Sans', sans-serif", f"font-family: {FONT_STACK}")
    svg = re.sub(r'font: ([\d.]+px) \'DejaVu Sans\'', rf"font: \1 {FONT_STACK}", svg)
    # Scale with the column: keep the viewBox, let CSS size it.
    svg = re.sub(r'<svg ([^>]*?)width="([\d.]+)pt" height="([\d.]+)pt"',
                 r'<svg \1width="\2pt" height="\3pt" role="img"', svg, count=1)
    # An image needs a name (axe: svg-img-alt): the figure's own words (titles, axis labels), in drawing order.
    words = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", t))).strip()
             for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)]
    words = [w for w in words if w and not re.fullmatch(r"[\d.,+\-−eE ]+", w)]  # tick numbers say nothing
    label = "代码输出的图：" + ("，".join(dict.fromkeys(words))[:150] or "见上方代码")
    svg = svg.replace('role="img"', f'role="img" aria-label="{html.escape(label, quote=True)}"', 1)
    return "\n".join(ln for ln in svg.strip().splitlines() if ln.strip())


def _pre(text: str, cls: str) -> str:
    return f'<pre class="{cls}"><code>{html.escape(text.rstrip())}</code></pre>'


def _fence(code: str) -> str:
    ticks = "```"
    while ticks in code:
        ticks += "`"
    return f"{ticks}python\n{code.rstrip()}\n{ticks}"


def _outputs_md(cell, prefix: str) -> list[str]:
    blocks: list[str] = []
    text: list[str] = []

    def flush():
        if text:
            blocks.append(_pre("".join(text), "tmj-nb-output"))
            text.clear()

    for k, out in enumerate(cell.get("outputs", [])):
        kind = out.output_type
        if kind == "stream":
            text.append(_ANSI_RE.sub("", out.text))
            continue
        data = out.get("data", {})
        if "image/svg+xml" in data:
            flush()
            svg = data["image/svg+xml"]
            svg = "".join(svg) if isinstance(svg, list) else svg
            blocks.append(f'<div class="tmj-nb-figure">\n{clean_svg(svg, f"{prefix}-{k}")}\n</div>')
        elif "text/plain" in data:
            text.append(_ANSI_RE.sub("", data["text/plain"]).rstrip("\n") + "\n")
    flush()
    return blocks


def to_markdown(nb, src_uri: str, downloads: dict[str, str] | None = None) -> str:
    """The page for an executed notebook. ``downloads`` maps a label to a URL relative to the page."""
    stem = src_uri.rsplit("/", 1)[-1][:-3]
    parts: list[str] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            md = cell.source.strip()
            if index == 0 and downloads:
                title, _, rest = md.partition("\n")
                links = " · ".join(f'<a href="{url}" download>{html.escape(label)}</a>' for label, url in downloads.items())
                note = ("!!! info \"可运行的代码\"\n"
                        f"    本页由 `docs/{src_uri}` 生成：网站每次构建都会从头执行全部代码，输出与图都是这次执行的结果，"
                        f"任何一个断言失败都会让构建失败。只依赖 NumPy（画图用 matplotlib）。下载：{links}")
                md = f"{title}\n\n{note}\n\n{rest.strip()}".rstrip()
            parts.append(md)
        elif cell.cell_type == "code":
            if cell.source.strip():
                parts.append(_fence(cell.source))
            parts.extend(_outputs_md(cell, f"nb{stem}-c{index}"))
    return "\n\n".join(parts) + "\n"


def to_ipynb(nb) -> str:
    """The executed notebook as .ipynb text for download (kernel metadata only, no timing noise)."""
    import copy

    import nbformat

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    return nbformat.writes(nb)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tmj.notebooks", description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="notebook stems, e.g. 01-attention (default: all)")
    ap.add_argument("--force", action="store_true", help="ignore the cache")
    ap.add_argument("--jobs", type=int, default=None, help="kernels at a time (default: 2)")
    ap.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    ap.add_argument("--markdown", type=Path, default=None, help="also write the generated pages to this folder")
    args = ap.parse_args(argv)
    paths = [NB_DIR / f"{n}.py" for n in args.names] if args.names else notebook_paths()
    t0 = time.perf_counter()
    try:
        results = execute_all(paths, args.cache_dir, args.force, args.jobs)
    except NotebookError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for p, r in results.items():
        print(f"{'cached  ' if r.cached else 'executed'} {p.stem} ({r.seconds:.2f} s)")
        if args.markdown:
            args.markdown.mkdir(parents=True, exist_ok=True)
            (args.markdown / f"{p.stem}.md").write_text(to_markdown(r.nb, f"hands-on/{p.name}"), encoding="utf-8")
    print(f"total {time.perf_counter() - t0:.2f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
