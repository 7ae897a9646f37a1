"""MkDocs hook: the 动手实现 section. Every ``docs/hands-on/NN-name.py`` (jupytext percent script) is executed
(or taken from the cache when unchanged) before the build and becomes an ordinary Markdown page at
``hands-on/NN-name/``; a failing cell fails the build naming notebook and cell. The logic is in tmj/notebooks.py.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tmj package beside hooks/

import logging

from mkdocs.structure.files import File, Files

from tmj import notebooks as N
from tmj.errors import fail

log = logging.getLogger("mkdocs.hooks.notebooks")
_results: dict[str, N.Result] = {}  # src_uri -> executed notebook


class NotebookFile(File):
    """A notebook script that MkDocs treats as a Markdown page (its content is the generated Markdown)."""

    def is_documentation_page(self) -> bool:
        return True


def _downloads(stem: str) -> dict[str, str]:
    return {f"{stem}.py（jupytext 脚本）": f"../{stem}.py", f"{stem}.ipynb（含输出）": f"../{stem}.ipynb"}


def on_pre_build(config, **kwargs):
    global _results
    nb_dir = Path(config["docs_dir"]) / N.NB_DIR.name
    try:
        results = N.execute_all(N.notebook_paths(nb_dir))
    except N.NotebookError as e:
        raise fail(e.file, e.line, e.reason) from None
    _results = {f"{N.NB_DIR.name}/{p.name}": r for p, r in results.items()}
    ran = [r for r in results.values() if not r.cached]
    if ran:
        log.info("notebooks executed: " + ", ".join(f"{r.path.stem} ({r.seconds:.1f} s)" for r in ran))


def on_files(files: Files, config, **kwargs):
    out = []
    for f in files:
        if N.is_notebook_uri(f.src_uri) and f.src_uri in _results:
            nbf = NotebookFile(f.src_uri, f.src_dir, f.dest_dir, f.use_directory_urls, inclusion=f.inclusion)
            stem = f.src_uri.rsplit("/", 1)[-1][:-3]
            nbf._content = N.to_markdown(_results[f.src_uri].nb, f.src_uri, _downloads(stem))  # keeps abs_src_path
            out.append(nbf)
        else:
            out.append(f)
    return Files(out)


def on_post_build(config, **kwargs):
    # The script and the executed .ipynb, for download beside the page.
    site = Path(config["site_dir"])
    for src_uri, r in _results.items():
        dest = site / src_uri
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(r.path.read_bytes())
        dest.with_suffix(".ipynb").write_text(N.to_ipynb(r.nb), encoding="utf-8")
