"""Every bad input fails the real `mkdocs build --strict` with file, line and reason, and leaves no site behind.

Each case copies the repository (no .git, like a tarball) to a temp dir, breaks a copy of a real page
(docs/attention/q04-scaled-attention.md) or of its figure script, runs the real build and checks the message.
The builds run in parallel (one fixture), each test asserts one class.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from repo_tree import ROOT, copy_tree, line_index, mkdocs_build

PAGE = "docs/attention/q04-scaled-attention.md"


@dataclass
class Case:
    file: str  # expected file in the message
    line: int  # expected line number
    reason: str  # expected substring of the reason
    env: dict | None = None


def _edit(tree: Path, rel: str, fn) -> None:
    p = tree / rel
    p.write_text(fn(p.read_text(encoding="utf-8")), encoding="utf-8")


def _replace_field(tree: Path, field: str, new_line: str | None) -> int:
    """Replace (or delete, if None) the front-matter line ``field: …``; return its 1-based line number."""
    lines = (tree / PAGE).read_text(encoding="utf-8").split("\n")
    i = line_index("\n".join(lines), f"{field}:")
    if new_line is None:
        del lines[i]
    else:
        lines[i] = new_line
    (tree / PAGE).write_text("\n".join(lines), encoding="utf-8")
    return i + 1


def _insert_body(tree: Path, *new: str) -> int:
    """Insert lines right after '## 30 秒回答' (after a blank line); return the 1-based line of the first one."""
    text = (tree / PAGE).read_text(encoding="utf-8")
    lines = text.split("\n")
    h = line_index(text, "## 30 秒回答")
    lines[h + 1 : h + 1] = ["", *new, ""]
    (tree / PAGE).write_text("\n".join(lines), encoding="utf-8")
    return h + 3


def _page_figure(tree: Path) -> str:
    """The figure script the model page uses (or any figure script)."""
    m = re.search(r"\(fig:([\w-]+)", (tree / PAGE).read_text(encoding="utf-8"))
    if m and (tree / "figures_src" / f"{m.group(1)}.py").is_file():
        return m.group(1)
    return sorted(p.stem for p in (tree / "figures_src").glob("q*.py"))[0]


def _append_script(tree: Path, name: str, code: str, marker: str) -> int:
    """Append ``code`` to figures_src/<name>.py; return the 1-based line holding ``marker``."""
    p = tree / "figures_src" / f"{name}.py"
    text = p.read_text(encoding="utf-8").rstrip("\n") + "\n\n\n" + code
    p.write_text(text, encoding="utf-8")
    return next(i for i, line in enumerate(text.split("\n")) if marker in line) + 1


# ---------------------------------------------------------------------------------------------
# The breakages: each returns the Case it expects.
def invalid_yaml(tree):
    line = _replace_field(tree, "title", "title: 为什么: 要除以根号")
    return Case(PAGE, line, "invalid front matter YAML")


def unknown_field(tree):
    lines = (tree / PAGE).read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)  # the line closing the front matter
    lines.insert(end, "author: 某人")
    (tree / PAGE).write_text("\n".join(lines), encoding="utf-8")
    return Case(PAGE, end + 1, "unknown front-matter field 'author'")


def missing_field(tree):
    _replace_field(tree, "difficulty", None)
    return Case(PAGE, 2, "missing required front-matter field 'difficulty'")


def unknown_related(tree):
    line = _replace_field(tree, "related", "related: [99]")
    return Case(PAGE, line, "related id 99 does not exist")


def unknown_ref_front_matter(tree):
    line = _replace_field(tree, "refs", "refs: [vaswani2017, nosuchkey2099]")
    return Case(PAGE, line, "reference key 'nosuchkey2099' is not in data/references.yml")


def unknown_ref_inline(tree):
    line = _insert_body(tree, "见 [@nosuchkey2099, §1]。")
    return Case(PAGE, line, "citation [@nosuchkey2099] is not in data/references.yml")


def katex_inline(tree):
    line = _insert_body(tree, r"公式 $a + \notacommand{x}$ 写错了。")
    return Case(PAGE, line, "KaTeX cannot render")


def katex_display(tree):
    line = _insert_body(tree, "$$", r"b = \alsonotacommand{y}", "$$")
    return Case(PAGE, line + 1, "KaTeX cannot render")


def katex_second_of_two(tree):
    """Two display formulas with the same first line: the broken (second) one is reported."""
    first = _insert_body(tree, "$$", r"\begin{aligned}", r"a &= b \\", r"\end{aligned}", "$$", "",
                         "$$", r"\begin{aligned}", r"c &= \brokencommand{d} \\", r"\end{aligned}", "$$")
    return Case(PAGE, first + 7, "KaTeX cannot render")


def figure_raises(tree):
    name = _page_figure(tree)
    line = _append_script(tree, name, "def make(theme):\n    raise ValueError('broken on purpose')\n",
                          "    raise ValueError")
    return Case(f"figures_src/{name}.py", line, "figure script raised ValueError: broken on purpose")


def figure_cjk_mathtext(tree):
    name = _page_figure(tree)
    code = ("_make_before_break = make\n\n\ndef make(theme):\n    fig = _make_before_break(theme)\n"
            "    fig.text(0.5, 0.5, '坏标签 $d_k$')\n    return fig\n")
    line = _append_script(tree, name, code, "    fig.text(0.5, 0.5, '坏标签")
    return Case(f"figures_src/{name}.py", line, "mixes Chinese with mathtext")


def dead_link(tree):
    line = _insert_body(tree, "见 [Q99](../attention/q99-no-such-page.md)。")
    return Case(PAGE, line, "is not found among documentation files")


def dead_anchor(tree):
    line = _insert_body(tree, "见 [Q5 的某节](q05-padding-mask.md#没有这个小节)。")
    return Case(PAGE, line, "does not contain an anchor '#没有这个小节'")


def lookalike(tree):
    line = _insert_body(tree, "多头注意力让每个\u2f08头各看一部分。")  # U+2F08 KANGXI RADICAL MAN
    return Case(PAGE, line, "look-alike character '\u2f08' (U+2F08 KANGXI RADICAL MAN)")


def annotation(tree):
    case = unknown_related(tree)
    case.env = {"GITHUB_ACTIONS": "true"}
    return case


CASES = {f.__name__: f for f in [invalid_yaml, unknown_field, missing_field, unknown_related,
                                 unknown_ref_front_matter, unknown_ref_inline, katex_inline, katex_display,
                                 katex_second_of_two,
                                 figure_raises, figure_cjk_mathtext, dead_link, dead_anchor, lookalike,
                                 annotation]}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Build every broken tree (two or three at a time) and keep (case, tree, completed process)."""
    base = tmp_path_factory.mktemp("bad-inputs")

    def run(name):
        tree = copy_tree(base / name)
        case = CASES[name](tree)
        (tree / "site").mkdir()  # a stale site from an earlier build must not survive a failed one either
        (tree / "site" / "stale.html").write_text("old", encoding="utf-8")
        return name, (case, tree, mkdocs_build(tree, case.env))

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(run, CASES))


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_fails_with_file_line_reason(results, name):
    case, tree, proc = results[name]
    out = proc.stdout
    assert proc.returncode != 0, f"{name}: the build passed:\n{out[-3000:]}"
    assert f"{case.file}:{case.line}:" in out, f"{name}: no '{case.file}:{case.line}:' in:\n{out[-3000:]}"
    assert case.reason in out, f"{name}: reason {case.reason!r} not in:\n{out[-3000:]}"
    assert not (tree / "site").exists(), f"{name}: a failed build left {tree / 'site'} behind"
    if case.env and case.env.get("GITHUB_ACTIONS") == "true":
        assert re.search(rf"^::error file={re.escape(case.file)},line={case.line}::.*{re.escape(case.reason)}",
                         out, re.M), f"{name}: no GitHub annotation in:\n{out[-3000:]}"
    else:
        assert "::error" not in out


def test_unbroken_copy_builds_without_git(tmp_path):
    """The same copy, unbroken, builds (no .git: the last-updated date falls back to the build date)."""
    tree = copy_tree(tmp_path / "ok")
    proc = mkdocs_build(tree)
    assert proc.returncode == 0, proc.stdout[-3000:]
    html = (tree / "site" / "attention" / "q04-scaled-attention" / "index.html").read_text(encoding="utf-8")
    assert "git-revision-date-localized-plugin-date" in html
    assert 'rel="edit"' in html and "edit/main/docs/attention/q04-scaled-attention.md" in html
