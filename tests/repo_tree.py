"""Helpers for tests that build a throw-away copy of the site (no .git: like a tarball)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a build needs; node_modules is symlinked, the figure cache copied (only to save time).
TREE = ["docs", "figures_src", "data", "includes", "hooks", "tmj", "templates", "overrides", "mkdocs.yml",
        ".autocorrectrc", ".pymarkdown.yml"]


def copy_tree(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in TREE:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    (dest / "node_modules").symlink_to((ROOT / "node_modules").resolve(), target_is_directory=True)
    for kind in ("figures", "notebooks"):  # executed outputs, keyed by source hashes: copied only to save time
        cache = ROOT / ".cache" / kind
        if cache.is_dir():
            shutil.copytree(cache, dest / ".cache" / kind)
    return dest


def mkdocs_build(tree: Path, env: dict | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
    """The real `mkdocs build --strict` in ``tree``; stdout and stderr merged into ``.stdout``."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore"}
    full_env.pop("GITHUB_ACTIONS", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tree / "site")],
        cwd=tree, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        encoding="utf-8", errors="replace", timeout=timeout,
    )


def line_index(text: str, prefix: str) -> int:
    """0-based index of the first line starting with ``prefix``."""
    for i, line in enumerate(text.split("\n")):
        if line.startswith(prefix):
            return i
    raise AssertionError(f"no line starts with {prefix!r}")
