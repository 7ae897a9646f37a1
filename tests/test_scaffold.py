"""The scaffolder creates a page that builds at once (strict), passes the content checks and is in nav and search."""
from __future__ import annotations

import json
import subprocess
import sys

from repo_tree import copy_tree, mkdocs_build

TITLE = "解码器里的交叉注意力: Q、K、V 各从哪里来？"  # a ':' on purpose: must be quoted in YAML
NAV = "交叉注意力: Q 从哪来"


def _new(tree, *args):
    return subprocess.run([sys.executable, "-m", "tmj.new", *args], cwd=tree, capture_output=True, text=True,
                          encoding="utf-8")


def test_scaffold_builds_checks_and_is_listed(tmp_path):
    tree = copy_tree(tmp_path / "repo")
    ids = [int(p.name[1:3]) for p in (tree / "docs").glob("*/q[0-9][0-9]-*.md")]
    qid = max(ids) + 1
    before = (tree / "mkdocs.yml").read_text(encoding="utf-8").split("\n")

    proc = _new(tree, "--topic", "architecture", "--title", TITLE, "--nav-title", NAV,
                "--slug", "cross-attention", "--tags", "架构,注意力")
    assert proc.returncode == 0, proc.stderr
    page = tree / "docs" / "architecture" / f"q{qid:02d}-cross-attention.md"
    script = tree / "figures_src" / f"q{qid:02d}_cross_attention.py"
    assert page.is_file() and script.is_file(), proc.stdout

    # mkdocs.yml: exactly one line added, inside the 整体架构 section, everything else byte-identical.
    after = (tree / "mkdocs.yml").read_text(encoding="utf-8").split("\n")
    added = [line for line in after if line not in before]
    assert added == [f'      - "Q{qid} {NAV}": architecture/q{qid:02d}-cross-attention.md'], added
    assert [line for line in after if line != added[0]] == before
    section = after[after.index("  - 整体架构:"):]
    assert added[0] in section[: section.index("  - 嵌入与位置编码:")]

    # The content checks pass on the new page as created.
    checks = subprocess.run([sys.executable, "-m", "tmj.checks", str(page.relative_to(tree))], cwd=tree,
                            capture_output=True, text=True, encoding="utf-8")
    assert checks.returncode == 0, checks.stdout + checks.stderr

    build = mkdocs_build(tree)
    assert build.returncode == 0, build.stdout[-4000:]
    html = (tree / "site" / "architecture" / f"q{qid:02d}-cross-attention" / "index.html").read_text(encoding="utf-8")
    assert "各从哪里来" in html and f"q{qid:02d}_cross_attention-light.svg" in html
    assert (tree / "site" / "figures" / f"q{qid:02d}_cross_attention-dark.svg").is_file()
    home = (tree / "site" / "index.html").read_text(encoding="utf-8")
    assert f"architecture/q{qid:02d}-cross-attention/" in home  # navigation (and the home page's list)
    index = json.loads((tree / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert any(d["location"].startswith(f"architecture/q{qid:02d}-cross-attention/") for d in index["docs"])

    # The next one gets the next id; bad input is refused without touching anything.
    proc = _new(tree, "--topic", "embeddings", "--title", "RoPE 如何外推？", "--nav-title", "RoPE 外推",
                "--slug", "rope-extrapolation")
    assert proc.returncode == 0, proc.stderr
    assert (tree / "docs" / "embeddings" / f"q{qid + 1:02d}-rope-extrapolation.md").is_file()
    snapshot = (tree / "mkdocs.yml").read_text(encoding="utf-8")
    for bad in (["--slug", "Bad_Slug"], ["--slug", "x", "--topic", "nope"]):
        args = ["--topic", "attention", "--title", "题", "--nav-title", "题", *bad]
        assert _new(tree, *args).returncode != 0
    assert (tree / "mkdocs.yml").read_text(encoding="utf-8") == snapshot
