"""动手实现: the notebooks run (through the module the build uses), and a failing cell fails the real build."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tmj import notebooks as N  # noqa: E402

NOTEBOOKS = N.notebook_paths()
BROKEN = """# %% [markdown]
# # 坏掉的 notebook
#
# 用来验证：任何一格出错都会让构建失败。

# %%
import numpy as np

# %%
x = np.arange(3)
assert x.sum() == 4, "故意失败"
"""


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Every notebook executed from scratch (empty cache), as the build does it."""
    cache = tmp_path_factory.mktemp("nb-cache")
    t0 = time.perf_counter()
    results = N.execute_all(NOTEBOOKS, cache_dir=cache, force=True)
    return results, cache, time.perf_counter() - t0


def test_the_section_has_the_five_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01-attention.py", "02-multi-head.py", "03-positional-encoding.py", "04-encoder-decoder.py", "05-training.py",
    ]
    for p in NOTEBOOKS:  # stored as text only: no .ipynb beside them
        assert not p.with_suffix(".ipynb").exists()


def test_every_notebook_executes_and_its_checks_pass(executed):
    results, _, seconds = executed
    assert set(results) == set(NOTEBOOKS)
    for path, r in results.items():
        last_code = [c for c in r.nb.cells if c.cell_type == "code"][-1]
        assert "assert" in last_code.source, f"{path.name}: the last code cell must be the checks"
        text = "".join(o.get("text", "") for o in last_code.outputs)
        assert "全部检查通过" in text, f"{path.name}: checks cell printed {text!r}"
    print(f"section executed cold in {seconds:.1f} s")


def test_outputs_are_deterministic(executed, tmp_path):
    """A second run from scratch gives the same page, byte for byte (seeded, no dates, stable SVG ids)."""
    results, _, _ = executed
    path = N.NB_DIR / "02-multi-head.py"
    again = N.execute_all([path], cache_dir=tmp_path, force=True)[path]
    src = f"hands-on/{path.name}"
    assert N.to_markdown(again.nb, src) == N.to_markdown(results[path].nb, src)


def test_pages_have_no_script_and_no_other_host(executed):
    results, _, _ = executed
    figures = 0
    for path, r in results.items():
        md = N.to_markdown(r.nb, f"hands-on/{path.name}")
        html_part = "\n".join(re.findall(r"<(?:pre|div|svg)[\s\S]*?</(?:pre|div|svg)>", md))
        assert "<script" not in html_part.lower()
        hosts = set(re.findall(r"https?://[^\s\"')]+", html_part)) - {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
        assert not hosts, f"{path.name}: {hosts}"
        for svg in re.findall(r"<svg[\s\S]*?</svg>", md):
            figures += 1
            assert N.SENTINEL not in svg and "currentColor" in svg  # text follows the page's colour
            assert "<text" in svg  # svg.fonttype none: labels are text, drawn with the reader's fonts
            assert re.search(r"<style[^>]*>#nb[\w-]+ \*\{", svg)  # matplotlib's global rule is scoped
    assert figures >= 3


def test_cache_hit_does_not_execute(executed):
    _, cache, _ = executed
    t0 = time.perf_counter()
    results = N.execute_all(NOTEBOOKS, cache_dir=cache)
    assert all(r.cached for r in results.values())
    assert time.perf_counter() - t0 < 5


def test_cache_key_covers_notebook_and_helpers(tmp_path):
    nb = tmp_path / "01-x.py"
    nb.write_text("# %% [markdown]\n# # t\n\n# %%\nx = 1\n", encoding="utf-8")
    h1 = N.notebook_hash(nb)
    nb.write_text("# %% [markdown]\n# # t\n\n# %%\nx = 2\n", encoding="utf-8")
    assert N.notebook_hash(nb) != h1


def test_failing_cell_is_named(tmp_path):
    nb = tmp_path / "99-broken.py"
    nb.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(N.NotebookError) as info:
        N.execute(nb, cache_dir=tmp_path / "cache")
    e = info.value
    assert e.line == 11 and "cell 2 (`x = np.arange(3)`)" in e.reason and "AssertionError: 故意失败" in e.reason


def test_warning_fails_too(tmp_path):
    nb = tmp_path / "98-warns.py"
    nb.write_text("# %% [markdown]\n# # t\n\n# %%\nimport numpy as np\nnp.log(np.zeros(1))\n", encoding="utf-8")
    with pytest.raises(N.NotebookError, match=r"cell 1 .* wrote to stderr .*divide by zero"):
        N.execute(nb, cache_dir=tmp_path / "cache")


def _copy_repo(dest: Path) -> None:
    ignore = shutil.ignore_patterns(".git", ".venv", "node_modules", "site", "__pycache__", ".pytest_cache")
    for item in ROOT.iterdir():
        if item.name in {".git", ".venv", "node_modules", "site", ".pytest_cache"}:
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name, ignore=ignore, symlinks=True)
        else:
            shutil.copy2(item, dest / item.name)
    (dest / "node_modules").symlink_to((ROOT / "node_modules").resolve())


def test_a_failing_notebook_fails_the_real_build(tmp_path):
    """`mkdocs build --strict` on a copy of the repository with one broken notebook: the build fails naming
    notebook, line and cell, and leaves no site behind (not even an older one)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _copy_repo(repo)
    (repo / "docs" / "hands-on" / "99-broken.py").write_text(BROKEN, encoding="utf-8")
    site = repo / "site"
    site.mkdir()
    (site / "index.html").write_text("an older build", encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, log[-3000:]
    assert "docs/hands-on/99-broken.py:11: cell 2 (`x = np.arange(3)`) raised AssertionError: 故意失败" in log, log[-3000:]
    assert not site.exists()
