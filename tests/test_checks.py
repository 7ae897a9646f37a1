"""`python -m tmj.checks`: passes on every current page, and catches each kind of problem with file:line:col."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tmj import checks as C

ROOT = Path(__file__).resolve().parent.parent

GOOD = """---
qid: 1
title: 为什么dk要除以根号,真的吗?
nav_title: 标题abc
tags: [注意力, 缩放, softmax]
difficulty: 2
related: []
refs: [vaswani2017]
---

## 30 秒回答

维度 $d_k$ 为 64，公式 $\\text{维度d}$ 和 $a,b$ 不受检查；代码 `x,y` 也不受检查。

$$
\\text{维度d},\\quad x
$$

```python
x = 1  # 中文abc,不检查
```

## 面试官可能的追问

??? question "追问：为什么？"
    回答写在这里。

## 常见错误

- 错误说法。
"""


def _write(tmp_path: Path, text: str, name: str = "page.md") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_all_current_pages_pass():
    proc = subprocess.run([sys.executable, "-m", "tmj.checks"], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_math_code_front_matter_untouched(tmp_path):
    p = _write(tmp_path, GOOD)
    assert C.run([p]) == []


@pytest.mark.parametrize("line, expect", [
    ("中文English混排,好.", "'中文English混排,好.' -> '中文 English 混排，好。'"),
    ("维度是64维。", "'维度是64维。' -> '维度是 64 维。'"),
])
def test_copywriting(tmp_path, line, expect):
    p = _write(tmp_path, GOOD.replace("回答写在这里。", "回答。\n\n" + line))
    found = C.run([p])
    assert [f.check for f in found] == ["copywriting"], found
    assert expect in found[0].reason
    assert found[0].line == GOOD.split("\n").index("    回答写在这里。") + 3


def test_copywriting_inside_followup_blocks(tmp_path):
    p = _write(tmp_path, GOOD.replace("回答写在这里。", "回答写在这里,用abc。"))
    (f,) = C.run([p])
    assert (f.check, f.line, f.col) == ("copywriting", GOOD.split("\n").index("    回答写在这里。") + 1, 5)


def test_copywriting_keeps_math_in_the_message_and_fix(tmp_path):
    p = _write(tmp_path, GOOD.replace("维度 $d_k$ 为 64，", "维度$d_k$为64,"))
    (f,) = C.run([p])
    assert "$d_k$" in f.reason and "64，" in f.reason
    C.run([p], fix=True)
    fixed = p.read_text(encoding="utf-8")
    assert "维度$d_k$为 64，公式 $\\text{维度d}$" in fixed  # math itself untouched
    assert C.run([p]) == []


def test_lookalike(tmp_path):
    p = _write(tmp_path, GOOD.replace("回答写在这里。", "回答写在这\u2f08里\uf900。"))
    found = [f for f in C.run([p]) if f.check == "lookalike"]
    line = GOOD.split("\n").index("    回答写在这里。") + 1
    assert [(f.line, f.col) for f in found] == [(line, 10), (line, 12)]
    assert "U+2F08 KANGXI RADICAL MAN" in found[0].reason and "use '人' (U+4EBA" in found[0].reason
    assert "U+F900" in found[1].reason and "U+8C48" in found[1].reason
    C.run([p], fix=True)
    assert "回答写在这人里豈。" in p.read_text(encoding="utf-8")


def test_lookalike_ranges():
    text = "\u2e8c \u2f00 \ufa10 \U0002f800"  # CJK radicals supplement, Kangxi, compatibility, supplement
    assert [f.col for f in C.lookalikes(text, "x")] == [1, 3, 5, 7]


def test_markdown_lint(tmp_path):
    p = _write(tmp_path, GOOD.replace("## 常见错误\n", "## 常见错误\n\n#没有空格的标题\n"))
    found = [f for f in C.run([p]) if f.check == "markdown"]
    assert found and found[0].reason.startswith("MD018")
    assert found[0].line == GOOD.split("\n").index("## 常见错误") + 3


def test_page_contract(tmp_path):
    docs = tmp_path / "docs" / "attention"
    docs.mkdir(parents=True)
    (docs / "q01-x.md").write_text(GOOD.replace("## 常见错误\n\n- 错误说法。\n", ""), encoding="utf-8")
    old = C.DOCS
    C.DOCS = tmp_path / "docs"
    try:
        found = C.page_contract(docs / "q01-x.md")
    finally:
        C.DOCS = old
    assert len(found) == 1 and "missing required section '## 常见错误'" in found[0].reason


def test_cli_output_and_annotations(tmp_path):
    p = _write(tmp_path, GOOD.replace("回答写在这里。", "回答写在这\u2f08里。"))
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    proc = subprocess.run([sys.executable, "-m", "tmj.checks", str(p)], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", env=env)
    assert proc.returncode == 1
    line = GOOD.split("\n").index("    回答写在这里。") + 1
    assert f"{p}:{line}:10: [lookalike]" in proc.stdout
    assert f"::error file={p},line={line},col=10::[lookalike]" in proc.stdout


def test_pre_commit_config_uses_the_same_entry():
    text = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "entry: .venv/bin/python -m tmj.checks" in text
    proc = subprocess.run([str(Path(sys.executable).parent / "pre-commit"), "validate-config",
                           ".pre-commit-config.yaml"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
