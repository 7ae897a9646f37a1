"""Content checks for pages: one command for contributors, pre-commit, the tests and CI.

    python -m tmj.checks [FILE ...]      # default: every docs/**/*.md and CONTRIBUTING.md

Checks (each finding is printed as ``file:line:col: [check] reason``; exit status 1 if any):

* ``lookalike``  — Kangxi radicals, CJK radicals and CJK compatibility ideographs that look like ordinary
  Chinese characters but are different code points (search does not find them); reports the intended character
  (Unicode NFKC). The build fails on them too (hooks/pages.py).
* ``copywriting`` — Chinese copywriting with autocorrect (rules in ``.autocorrectrc``): spaces between Chinese and
  Latin letters / numbers, full-width punctuation in Chinese prose. Front matter, code, HTML comments and math are
  masked first, keeping line and column numbers, so formulas are never touched.
* ``markdown``   — Markdown lint with pymarkdownlnt (rules in ``.pymarkdown.yml``).
* ``page``       — question pages (docs/<topic>/qNN-slug.md) follow the page contract of :mod:`tmj.pages`:
  front matter fields and the required sections.

Under GitHub Actions (GITHUB_ACTIONS=true) every finding is also printed as an ``::error`` annotation.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
AUTOCORRECT_RC = ROOT / ".autocorrectrc"
PYMARKDOWN_CFG = ROOT / ".pymarkdown.yml"

# Code points that render like ordinary CJK ideographs but are not them.
LOOKALIKE_RANGES = (
    (0x2E80, 0x2EFF, "CJK radicals supplement"),
    (0x2F00, 0x2FDF, "Kangxi radical"),
    (0xF900, 0xFAFF, "CJK compatibility ideograph"),
    (0x2F800, 0x2FA1F, "CJK compatibility ideograph supplement"),
)
_LOOKALIKE_RE = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b, _ in LOOKALIKE_RANGES) + "]")


@dataclass
class Finding:
    file: str
    line: int
    col: int
    check: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: [{self.check}] {self.reason}"

    def annotation(self) -> str:
        msg = f"[{self.check}] {self.reason}".replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.file},line={self.line},col={self.col}::{msg}"


def rel(p: Path | str) -> str:
    try:
        return Path(p).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(p)


# ---------------------------------------------------------------------------------------------
# Look-alike characters
def _describe(ch: str) -> str:
    return f"'{ch}' (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"


def lookalikes(text: str, file: str) -> list[Finding]:
    """Every look-alike code point in ``text`` with line, column and the intended character."""
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        for m in _LOOKALIKE_RE.finditer(line):
            ch = m.group()
            kind = next(k for a, b, k in LOOKALIKE_RANGES if a <= ord(ch) <= b)
            want = unicodedata.normalize("NFKC", ch)
            if want != ch:
                fix = f"use {_describe(want)} instead"
            else:
                fix = "it has no NFKC equivalent: type the ordinary CJK ideograph instead"
            out.append(Finding(file, lineno, m.start() + 1, "lookalike",
                               f"look-alike character {_describe(ch)}, a {kind}; {fix}"))
    return out


# ---------------------------------------------------------------------------------------------
# Chinese copywriting (autocorrect)
_INLINE_MATH_RE = re.compile(r"(?<![\\$])(\$\$?)(?!\s)(.+?)(?<![\\\s])\1(?!\$)")
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")


def mask_markdown(text: str) -> tuple[str, list[int]]:
    """A copy of ``text`` that autocorrect may read: same lines, same columns (plus per-line offsets).

    Front matter, fenced code, display math and HTML comments become empty lines; inline math keeps its ``$``
    delimiters with its content replaced by ``x``; leading indentation is removed (so the bodies of ``???``
    blocks are read as prose, not as indented code) and returned as the per-line column offset.
    """
    lines = text.split("\n")
    out: list[str] = []
    offsets: list[int] = []
    i = 0
    if lines and lines[0] == "---":
        end = next((j for j in range(1, len(lines)) if lines[j] in ("---", "...")), None)
        if end is not None:
            out += [""] * (end + 1)
            offsets += [0] * (end + 1)
            i = end + 1
    fence = None
    in_math = False
    in_comment = False
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        blank = False
        if fence:
            blank = True
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
        elif in_math:
            blank = True
            if stripped.endswith("$$"):
                in_math = False
        elif in_comment:
            blank = True
            if "-->" in line:
                in_comment = False
        elif _FENCE_RE.match(line):
            fence = _FENCE_RE.match(line).group(1)
            blank = True
        elif stripped.startswith("$$") and not (len(stripped) > 2 and stripped.endswith("$$")):
            in_math, blank = True, True
        elif stripped.startswith("<!--") and "-->" not in stripped:
            in_comment, blank = True, True
        if blank:
            out.append("")
            offsets.append(0)
        else:
            line = re.sub(r"<!--.*?-->", lambda m: " " * len(m.group()), line)
            line = _INLINE_MATH_RE.sub(lambda m: m.group(1) + "x" * len(m.group(2)) + m.group(1), line)
            indent = len(line) - len(line.lstrip(" \t"))
            out.append(line[indent:])
            offsets.append(indent)
        i += 1
    return "\n".join(out), offsets


_autocorrect_loaded = False


def _autocorrect():
    global _autocorrect_loaded
    import autocorrect_py

    if not _autocorrect_loaded:
        autocorrect_py.load_config(AUTOCORRECT_RC.read_text(encoding="utf-8"))
        _autocorrect_loaded = True
    return autocorrect_py


_MASKED_MATH_RE = re.compile(r"(\$\$?)x+\1")


def _suggestions(text: str):
    """autocorrect's findings as (line index, start column, old text, new text), in the ORIGINAL text."""
    ac = _autocorrect()
    masked, offsets = mask_markdown(text)
    lines = text.split("\n")
    for r in ac.lint_for(masked, "page.md").lines:
        idx = r.line - 1
        start = r.col - 1 + (offsets[idx] if idx < len(offsets) else 0)
        old = lines[idx][start : start + len(r.old)] if idx < len(lines) else r.old
        # Put the original formulas back into the suggestion (masking kept their lengths).
        maths = [old[m.start():m.end()] for m in _MASKED_MATH_RE.finditer(r.old)]
        it = iter(maths)
        new = _MASKED_MATH_RE.sub(lambda m: next(it, m.group()), r.new)
        yield idx, start, old, new


def copywriting(text: str, file: str) -> list[Finding]:
    return [Finding(file, idx + 1, start + 1, "copywriting", f"{old!r} -> {new!r}")
            for idx, start, old, new in _suggestions(text)]


def fix_copywriting(text: str) -> str:
    """Apply autocorrect's suggestions (right to left within a line, so columns stay valid)."""
    lines = text.split("\n")
    for idx, start, old, new in sorted(_suggestions(text), key=lambda t: (t[0], -t[1])):
        if lines[idx][start : start + len(old)] == old:
            lines[idx] = lines[idx][:start] + new + lines[idx][start + len(old):]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Markdown lint (pymarkdownlnt)
def markdown_lint(paths: list[Path]) -> list[Finding]:
    from pymarkdown.api import PyMarkdownApi

    if not paths:
        return []
    api = PyMarkdownApi().configuration_file_path(str(PYMARKDOWN_CFG))
    out = []
    for p in paths:
        res = api.scan_path(str(p))
        for f in res.scan_failures:
            extra = f" {f.extra_error_information}" if f.extra_error_information else ""
            out.append(Finding(rel(f.scan_file), f.line_number, f.column_number, "markdown",
                               f"{f.rule_id} {f.rule_name}: {f.rule_description}{extra}"))
        for e in list(res.pragma_errors) + list(res.critical_errors):
            out.append(Finding(rel(p), getattr(e, "line_number", 1) or 1, 1, "markdown", str(e)))
    return out


# ---------------------------------------------------------------------------------------------
# Page contract (question pages)
def page_contract(path: Path) -> list[Finding]:
    from tmj import pages as P

    try:
        src = path.resolve().relative_to(DOCS).as_posix()
    except ValueError:
        return []
    if not P.is_question_path(src):
        return []
    try:
        P.parse_question(path.resolve(), DOCS)
    except P.PageError as e:
        return [Finding(rel(path), e.line or 1, 1, "page", e.reason)]
    return []


# ---------------------------------------------------------------------------------------------
def default_files() -> list[Path]:
    files = sorted(DOCS.rglob("*.md"))
    if (ROOT / "CONTRIBUTING.md").is_file():
        files.append(ROOT / "CONTRIBUTING.md")
    return files


def run(paths: list[Path], fix: bool = False) -> list[Finding]:
    paths = [p for p in paths if p.suffix == ".md" and p.is_file()]
    findings: list[Finding] = []
    for p in paths:
        text = p.read_text(encoding="utf-8")
        if fix:
            new = fix_copywriting(text)
            new = _LOOKALIKE_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), new)
            if new != text:
                p.write_text(new, encoding="utf-8")
                text = new
        findings += lookalikes(text, rel(p))
        findings += copywriting(text, rel(p))
        findings += page_contract(p)
    findings += markdown_lint(paths)
    return sorted(findings, key=lambda f: (f.file, f.line, f.col, f.check))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tmj.checks", description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", type=Path, help="Markdown files (default: docs/**/*.md, CONTRIBUTING.md)")
    ap.add_argument("--fix", action="store_true", help="apply autocorrect's copywriting fixes and replace look-alike characters")
    args = ap.parse_args(argv)
    files = args.files or default_files()
    findings = run(files, fix=args.fix)
    gha = os.environ.get("GITHUB_ACTIONS") == "true"
    for f in findings:
        print(f)
        if gha:
            print(f.annotation())
    n = len([p for p in files if p.suffix == ".md"])
    if findings:
        print(f"{len(findings)} problem(s) in {len({f.file for f in findings})} file(s); "
              "see CONTRIBUTING.md「检查与报错」", file=sys.stderr)
        return 1
    print(f"checked {n} Markdown file(s): no problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())
