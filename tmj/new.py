"""Scaffold a new question page: the next free id, the page, a figure-script stub and the navigation entry.

    python -m tmj.new --topic attention --title "为什么注意力要用 softmax？" \\
        --nav-title "为什么用 softmax" --slug why-softmax [--tags 注意力,softmax] [--difficulty 2]

creates ``docs/<topic>/qNN-<slug>.md`` (from ``templates/question.md``), ``figures_src/qNN_<slug>.py`` (a stub
that runs, asserts a claim and draws a figure) and adds ``- QNN <nav title>: <topic>/qNN-<slug>.md`` at the end of
the topic's section of ``nav:`` in ``mkdocs.yml`` (a text edit: the rest of the file is left as it is).
The new page builds at once with ``mkdocs build --strict`` and passes ``python3 run.py check``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

from tmj import pages as P

ROOT = P.ROOT
TEMPLATE = ROOT / "templates" / "question.md"
MKDOCS_YML = ROOT / "mkdocs.yml"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

FIGURE_STUB = '''"""Q{qid} 图 1：{title}

Claim (checked below): TODO — write the numeric claim this figure shows, then compute and assert it.
Contract: see CONTRIBUTING.md「添加图」(ALT, make(theme), assert, no Chinese inside $...$).
"""
import functools

import numpy as np

from _common import rng

ALT = "示例图：一条随机游走曲线，待替换为本题真正要说明的结论。"


@functools.lru_cache(maxsize=None)
def compute():
    g = rng({qid})
    steps = g.standard_normal(200)
    walk = np.cumsum(steps)
    # The claim the figure shows (replace it): the sample mean of the steps is close to 0.
    assert abs(steps.mean()) < 0.3, steps.mean()
    return walk


def make(theme):
    import matplotlib.pyplot as plt

    walk = compute()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(walk, color=theme.palette[0], lw=1.4, label="随机游走")
    ax.axhline(0, color=theme.muted, lw=1, ls="--")
    ax.set_xlabel("步数 t")
    ax.set_ylabel("位置")
    ax.grid(True, alpha=0.6)
    ax.legend(fontsize=9)
    return fig
'''


class ScaffoldError(Exception):
    pass


def yaml_scalar(value: str) -> str:
    """``value`` as it must be written after ``key: `` so YAML reads it back unchanged."""
    try:
        if yaml.safe_load(f"k: {value}") == {"k": value} and value.strip() == value:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def next_qid(docs_dir: Path) -> int:
    ids = [int(P.QUESTION_FILE_RE.match(p.name).group(1))
           for topic in P.TOPICS for p in (docs_dir / topic).glob("q*.md") if P.QUESTION_FILE_RE.match(p.name)]
    qid = max(ids, default=0) + 1
    if qid > 99:
        raise ScaffoldError("question ids are two digits (q01-q99); all are taken")
    return qid


def nav_insert(mkdocs_text: str, topic: str, entry: str, file_src: str) -> str:
    """Add ``entry`` (a ``- key: path`` line, unindented) at the end of the nav section holding <topic>/index.md."""
    if file_src in mkdocs_text:
        raise ScaffoldError(f"mkdocs.yml already lists {file_src}")
    lines = mkdocs_text.split("\n")
    idx = next((i for i, l in enumerate(lines) if re.match(rf"^\s*- (?:[^:]+:\s*)?{re.escape(topic)}/index\.md\s*$", l)),
               None)
    if idx is None:
        raise ScaffoldError(f"mkdocs.yml: no nav entry '{topic}/index.md' to put the new page under")
    indent = len(lines[idx]) - len(lines[idx].lstrip())
    last = idx
    for j in range(idx + 1, len(lines)):
        line = lines[j]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip()) < indent:
            break
        last = j
    lines.insert(last + 1, " " * indent + entry)
    return "\n".join(lines)


def scaffold(topic: str, title: str, nav_title: str, slug: str, tags: list[str], difficulty: int = 2,
             root: Path = ROOT) -> dict[str, Path]:
    docs_dir = root / "docs"
    if topic not in P.TOPICS:
        raise ScaffoldError(f"unknown topic {topic!r}; known: {', '.join(P.TOPICS)}")
    if not SLUG_RE.match(slug):
        raise ScaffoldError(f"slug {slug!r} must be lowercase English words joined by '-' (e.g. why-softmax)")
    if not title.strip() or not nav_title.strip():
        raise ScaffoldError("title and nav title must not be empty")
    if difficulty not in P.DIFFICULTY:
        raise ScaffoldError("difficulty is 1, 2 or 3")
    tags = [t.strip() for t in tags if t.strip()] or [P.TOPICS[topic]]
    qid = next_qid(docs_dir)
    page = docs_dir / topic / f"q{qid:02d}-{slug}.md"
    figure = f"q{qid:02d}_{slug.replace('-', '_')}"
    script = root / "figures_src" / f"{figure}.py"
    for p in (page, script):
        if p.exists():
            raise ScaffoldError(f"{p.relative_to(root)} already exists")

    text = (root / "templates" / "question.md").read_text(encoding="utf-8")
    values = {
        "qid": str(qid),
        "title": yaml_scalar(title.strip()),
        "nav_title": yaml_scalar(nav_title.strip()),
        "tags": ", ".join(yaml_scalar(t) for t in tags),
        "figure": figure,
    }
    for key, val in values.items():
        text = text.replace("{" + key + "}", val)
    text = re.sub(r"^difficulty: \d+$", f"difficulty: {difficulty}", text, count=1, flags=re.M)

    src = f"{topic}/{page.name}"
    key = f"Q{qid} {nav_title.strip()}"
    yml = root / "mkdocs.yml"
    new_yml = nav_insert(yml.read_text(encoding="utf-8"), topic, f"- {yaml_scalar(key)}: {src}", src)

    page.write_text(text, encoding="utf-8")
    script.write_text(FIGURE_STUB.format(qid=qid, title=title.strip()), encoding="utf-8")
    yml.write_text(new_yml, encoding="utf-8")
    # The page must satisfy the contract straight away.
    P.parse_question(page, docs_dir)
    return {"page": page, "figure": script, "mkdocs": yml}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tmj.new", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--topic", required=True, choices=list(P.TOPICS), help="folder under docs/")
    ap.add_argument("--title", required=True, help="the full question (H1), e.g. 为什么注意力要用 softmax？")
    ap.add_argument("--nav-title", required=True, help="short title for the navigation")
    ap.add_argument("--slug", required=True, help="English slug for the file name, e.g. why-softmax")
    ap.add_argument("--tags", default="", help="comma-separated tags, e.g. 注意力,softmax")
    ap.add_argument("--difficulty", type=int, default=2, choices=[1, 2, 3], help="1 基础 / 2 进阶 / 3 深入")
    args = ap.parse_args(argv)
    try:
        out = scaffold(args.topic, args.title, args.nav_title, args.slug,
                       re.split(r"[,，]", args.tags), args.difficulty)
    except (ScaffoldError, P.PageError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for what, p in out.items():
        verb = "updated" if what == "mkdocs" else "created"
        print(f"{verb} {p.relative_to(ROOT)}")
    print("next: write the page and the figure, then `python3 run.py serve` to preview and "
          "`python3 run.py check` and `python3 run.py build` to check (see CONTRIBUTING.md).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
