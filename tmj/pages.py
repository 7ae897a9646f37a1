"""The page contract: front-matter schema, paper registry, citations, figures and generated sections.

Plain Python, used by ``hooks/pages.py`` (MkDocs) and by the tests and the scaffolder.
Every problem is reported as :class:`PageError` with file, line and reason.
"""
from __future__ import annotations

import datetime as _dt
import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCES = ROOT / "data" / "references.yml"

# Folders that hold question pages, in navigation order, with their Chinese names.
TOPICS = {
    "attention": "注意力机制",
    "architecture": "整体架构",
    "embeddings": "嵌入与位置编码",
}
QUESTION_FILE_RE = re.compile(r"^q(\d{2})-[a-z0-9-]+\.md$")
DIFFICULTY = {1: "基础", 2: "进阶", 3: "深入"}

# field -> (required, type check, description)
SCHEMA: dict[str, tuple[bool, str]] = {
    "qid": (True, "题号，正整数，与文件名 qNN 一致"),
    "title": (True, "题目（完整问句）"),
    "nav_title": (False, "导航栏里的短标题"),
    "tags": (True, "标签列表（非空）"),
    "difficulty": (True, "难度：1 基础 / 2 进阶 / 3 深入"),
    "related": (True, "相关题号列表（可为空，关系自动双向）"),
    "refs": (True, "参考文献 key 列表（data/references.yml），正文用 [@key] 引用"),
    "corrections": (False, "更正记录：[{date: YYYY-MM-DD, was: 原来的错误说法, now: 现在的正确说法}]"),
    "notebooks": (False, "对应的动手实现 notebook（相对 docs/ 的路径）"),
}
REQUIRED_SECTIONS = ["30 秒回答", "面试官可能的追问", "常见错误"]
GENERATED_SECTIONS = ["动手实现", "相关问题", "参考文献"]
CITE_RE = re.compile(r"\[@([A-Za-z][\w-]*)(?:,\s*([^\]]+))?\]")
FIGURE_RE = re.compile(r'^!\[(?P<alt>[^\]]*)\]\(fig:(?P<name>[\w-]+)(?:\s+"(?P<caption>[^"]*)")?\)\s*$', re.M)
ARXIV_RE = re.compile(r"^\d{4}\.\d{4,5}$")


class PageError(Exception):
    def __init__(self, file: Path | str, line: int | None, reason: str):
        self.file, self.line, self.reason = str(file), line, reason
        super().__init__(f"{self.file}:{line or 1}: {reason}")

    def github_annotation(self) -> str:
        msg = self.reason.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.file},line={self.line or 1}::{msg}"


def rel(p: Path | str) -> str:
    try:
        return str(Path(p).resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


# ---------------------------------------------------------------------------------------------
# Paper registry
@dataclass
class Reference:
    key: str
    title: str
    authors: str
    year: int
    arxiv: str | None = None
    venue: str | None = None
    url: str | None = None

    @property
    def link(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else (self.url or "")

    @property
    def short(self) -> str:
        first = re.split(r",| and |，", self.authors)[0].strip()
        surname = first.split()[-1] if " " in first else first
        etal = " 等" if ("," in self.authors or " and " in self.authors) else ""
        return f"{surname}{etal}, {self.year}"

    def html_entry(self) -> str:
        authors = self.authors.rstrip()
        parts = [html.escape(authors) + ("" if authors.endswith(".") else "."), f"<em>{html.escape(self.title)}</em>."]
        if self.venue:
            parts.append(f"{html.escape(self.venue)},")
        parts.append(f"{self.year}.")
        if self.arxiv:
            parts.append(f'<a href="{self.link}">arXiv:{self.arxiv}</a>')
        elif self.url:
            parts.append(f'<a href="{html.escape(self.url)}">{html.escape(self.url)}</a>')
        return " ".join(parts)


def _line_of_key(text: str, key: str) -> int | None:
    m = re.search(rf"^{re.escape(key)}\s*:", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


def load_references(path: Path = REFERENCES) -> dict[str, Reference]:
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise PageError(rel(path), mark.line + 1 if mark else None, f"invalid YAML: {e}") from None
    seen: dict[str, int] = {}
    for i, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^([A-Za-z][\w-]*)\s*:", line)
        if m:
            if m.group(1) in seen:
                raise PageError(rel(path), i, f"reference key {m.group(1)!r} is defined twice (first on line {seen[m.group(1)]})")
            seen[m.group(1)] = i
    refs = {}
    for key, entry in data.items():
        line = _line_of_key(text, key)
        if not isinstance(entry, dict):
            raise PageError(rel(path), line, f"reference {key!r} must be a mapping")
        unknown = set(entry) - {"title", "authors", "year", "arxiv", "venue", "url"}
        if unknown:
            raise PageError(rel(path), line, f"reference {key!r} has unknown field(s) {sorted(unknown)}")
        for need in ("title", "authors", "year"):
            if not entry.get(need):
                raise PageError(rel(path), line, f"reference {key!r} lacks {need!r}")
        arxiv = str(entry["arxiv"]) if entry.get("arxiv") else None
        if arxiv and not ARXIV_RE.match(arxiv):
            raise PageError(rel(path), line, f"reference {key!r}: arxiv id {arxiv!r} is not of the form 1706.03762")
        if not arxiv and not entry.get("url"):
            raise PageError(rel(path), line, f"reference {key!r} needs an arxiv id or a url")
        authors = entry["authors"]
        if isinstance(authors, list):
            authors = ", ".join(authors)
        same = next((r.key for r in refs.values() if arxiv and r.arxiv == arxiv), None)
        if same:
            raise PageError(rel(path), line, f"reference {key!r} repeats arXiv {arxiv} of {same!r}: cite {same!r} instead")
        refs[key] = Reference(key, str(entry["title"]), str(authors), int(entry["year"]), arxiv,
                              entry.get("venue"), entry.get("url"))
    return refs


# ---------------------------------------------------------------------------------------------
# Question pages
@dataclass
class Question:
    path: Path  # absolute
    src: str  # path relative to docs/
    meta: dict
    body: str
    body_line: int  # 1-based line in the file where the body starts
    meta_lines: dict[str, int] = field(default_factory=dict)

    @property
    def qid(self) -> int:
        return self.meta["qid"]

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def nav_title(self) -> str:
        return self.meta.get("nav_title") or self.meta["title"]

    @property
    def topic(self) -> str:
        return self.src.split("/")[0]

    @property
    def url(self) -> str:  # with use_directory_urls
        return self.src[:-3] + "/"

    def short_answer_md(self) -> str:
        return section_text(self.body, "30 秒回答")


def is_question_path(src: str) -> bool:
    parts = src.replace(os.sep, "/").split("/")
    return len(parts) == 2 and parts[0] in TOPICS and bool(QUESTION_FILE_RE.match(parts[1]))


class _MetaLoader(yaml.SafeLoader):
    """Front matter loader that keeps dates as text: a YYYY-MM-DD that is no real date (2026-02-30) would make
    PyYAML raise a bare ValueError with no line; the contract checks the text and names the line instead."""


_MetaLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text: str, file: str) -> tuple[dict, str, int, dict[str, int]]:
    if not text.startswith("---\n"):
        raise PageError(file, 1, "question page must start with YAML front matter (---)")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise PageError(file, 1, "front matter is not closed by a line '---'")
    raw = text[4:end]
    try:
        meta = yaml.load(raw, Loader=_MetaLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as e:
        # The context mark is where the broken construct starts (an unclosed [ or quote): usually the
        # line to fix. The problem mark is where the parser gave up; name both.
        ctx, mark = getattr(e, "context_mark", None), getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        line = (ctx or mark).line + 2 if (ctx or mark) else 1
        detail = f" ({e.context}, parser stopped on line {mark.line + 2})" if ctx and mark and getattr(e, "context", None) else ""
        raise PageError(file, line, f"invalid front matter YAML: {problem}{detail}") from None
    if not isinstance(meta, dict):
        raise PageError(file, 2, "front matter must be a mapping of fields")
    lines = {}
    for i, line in enumerate(raw.splitlines(), 2):
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if m:
            lines[m.group(1)] = i
    body_line = raw.count("\n") + 4
    return meta, text[end + 5 :], body_line, lines


def section_text(body: str, heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", body, re.M | re.S)
    return m.group(1).strip() if m else ""


def parse_question(path: Path, docs_dir: Path = DOCS) -> Question:
    src = path.relative_to(docs_dir).as_posix()
    file = rel(path)
    text = path.read_text(encoding="utf-8")
    meta, body, body_line, lines = split_front_matter(text, file)
    q = Question(path, src, meta, body, body_line, lines)
    validate_meta(q, file)
    validate_body(q, file)
    return q


def _field_line(q: Question, name: str) -> int:
    return q.meta_lines.get(name, 2)


def validate_meta(q: Question, file: str) -> None:
    meta = q.meta
    for name in meta:
        if name not in SCHEMA:
            raise PageError(file, _field_line(q, name),
                            f"unknown front-matter field {name!r}; allowed: {', '.join(SCHEMA)}")
    for name, (required, desc) in SCHEMA.items():
        if required and name not in meta:
            raise PageError(file, 2, f"missing required front-matter field {name!r} ({desc})")
    num = int(QUESTION_FILE_RE.match(Path(q.src).name).group(1))
    if not isinstance(meta["qid"], int) or isinstance(meta["qid"], bool) or meta["qid"] < 1:
        raise PageError(file, _field_line(q, "qid"), "field 'qid' must be a positive integer")
    if meta["qid"] != num:
        raise PageError(file, _field_line(q, "qid"), f"field 'qid' is {meta['qid']} but the file name says q{num:02d}")
    for name in ("title", "nav_title"):
        if name in meta and (not isinstance(meta[name], str) or not meta[name].strip()):
            raise PageError(file, _field_line(q, name), f"field {name!r} must be a non-empty string")
    if not isinstance(meta["tags"], list) or not meta["tags"] or not all(isinstance(t, str) and t for t in meta["tags"]):
        raise PageError(file, _field_line(q, "tags"), "field 'tags' must be a non-empty list of strings")
    if meta["difficulty"] not in DIFFICULTY:
        raise PageError(file, _field_line(q, "difficulty"), "field 'difficulty' must be 1, 2 or 3")
    if not isinstance(meta["related"], list) or not all(isinstance(r, int) and not isinstance(r, bool) for r in meta["related"]):
        raise PageError(file, _field_line(q, "related"), "field 'related' must be a list of question ids (integers)")
    if meta["qid"] in meta["related"]:
        raise PageError(file, _field_line(q, "related"), "a question cannot be related to itself")
    if not isinstance(meta["refs"], list) or not all(isinstance(r, str) for r in meta["refs"]):
        raise PageError(file, _field_line(q, "refs"), "field 'refs' must be a list of reference keys")
    if "corrections" in meta:
        validate_corrections(q, file)
    if "notebooks" in meta and not (isinstance(meta["notebooks"], list) and all(isinstance(n, str) for n in meta["notebooks"])):
        raise PageError(file, _field_line(q, "notebooks"), "field 'notebooks' must be a list of paths")


CORRECTION_FIELDS = {"date": "YYYY-MM-DD", "was": "原来的错误说法", "now": "现在的正确说法"}


def validate_corrections(q: Question, file: str) -> None:
    """``corrections``: a list of {date, was, now}; each problem is reported on the entry's own line."""
    c = q.meta["corrections"]
    start = _field_line(q, "corrections")
    if not isinstance(c, list) or not c:
        raise PageError(file, start, "field 'corrections' must be a non-empty list of {date, was, now}")
    text = q.path.read_text(encoding="utf-8").split("\n")
    entry_lines = []
    for i in range(start, len(text)):
        if text[i] == "---" or re.match(r"^[A-Za-z_]", text[i]):  # end of front matter, or the next field
            break
        if re.match(r"^\s*-\s", text[i]):
            entry_lines.append(i + 1)
    for n, x in enumerate(c):
        line = entry_lines[n] if n < len(entry_lines) else start
        if not isinstance(x, dict):
            raise PageError(file, line, "each correction must be a mapping {date, was, now}")
        missing = [k for k in CORRECTION_FIELDS if k not in x]
        unknown = sorted(set(x) - set(CORRECTION_FIELDS))
        if missing or unknown:
            detail = (f"missing {missing}" if missing else "") + ("; " if missing and unknown else "") + \
                     (f"unknown {unknown}" if unknown else "")
            raise PageError(file, line, f"correction {detail}; write date: YYYY-MM-DD, was: ..., now: ...")
        d = x["date"]
        ok = isinstance(d, _dt.date) and not isinstance(d, _dt.datetime)
        if not ok and isinstance(d, str):
            try:
                ok = bool(re.match(r"^\d{4}-\d{2}-\d{2}$", d)) and bool(_dt.date.fromisoformat(d))
            except ValueError:
                ok = False
        if not ok:
            raise PageError(file, line, f"correction date {d!r} is not a real date written YYYY-MM-DD")
        for k in ("was", "now"):
            if not isinstance(x[k], str) or not x[k].strip():
                raise PageError(file, line, f"correction field {k!r} must be a non-empty string ({CORRECTION_FIELDS[k]})")


def validate_body(q: Question, file: str) -> None:
    headings = [(m.group(1).strip(), q.body.count("\n", 0, m.start()) + q.body_line)
                for m in re.finditer(r"^## (.+)$", q.body, re.M)]
    names = [h for h, _ in headings]
    for need in REQUIRED_SECTIONS:
        if need not in names:
            raise PageError(file, q.body_line, f"missing required section '## {need}'")
    if names and names[0] != "30 秒回答":
        raise PageError(file, headings[0][1], "the first section must be '## 30 秒回答'")
    for gen in GENERATED_SECTIONS:
        if gen in names:
            line = dict(headings)[gen]
            raise PageError(file, line, f"section '## {gen}' is generated from the front matter; remove it")
    if not q.short_answer_md():
        raise PageError(file, q.body_line, "section '## 30 秒回答' is empty")


def load_questions(docs_dir: Path = DOCS) -> dict[int, Question]:
    questions: dict[int, Question] = {}
    for topic in TOPICS:
        for path in sorted((docs_dir / topic).glob("*.md")):
            if path.name == "index.md":
                continue
            src = path.relative_to(docs_dir).as_posix()
            if not is_question_path(src):
                raise PageError(rel(path), 1, "question pages are named qNN-english-slug.md (e.g. q04-scaled-attention.md)")
            q = parse_question(path, docs_dir)
            if q.qid in questions:
                raise PageError(rel(path), _field_line(q, "qid"),
                                f"qid {q.qid} is already used by {questions[q.qid].src}")
            questions[q.qid] = q
    return questions


def check_cross_refs(questions: dict[int, Question], refs: dict[str, Reference]) -> None:
    for q in questions.values():
        file = rel(q.path)
        for r in q.meta["related"]:
            if r not in questions:
                raise PageError(file, _field_line(q, "related"),
                                f"related id {r} does not exist (known: {sorted(questions)})")
        for key in q.meta["refs"]:
            if key not in refs:
                raise PageError(file, _field_line(q, "refs"), f"reference key {key!r} is not in data/references.yml")
        for m in CITE_RE.finditer(q.body):
            if m.group(1) not in refs:
                line = q.body_line + q.body.count("\n", 0, m.start())
                raise PageError(file, line, f"citation [@{m.group(1)}] is not in data/references.yml")


def related_of(qid: int, questions: dict[int, Question]) -> list[int]:
    """Symmetric closure: A lists B, or B lists A."""
    out = set(questions[qid].meta["related"])
    out |= {o.qid for o in questions.values() if qid in o.meta["related"]}
    return sorted(out - {qid})


# ---------------------------------------------------------------------------------------------
# Markdown transformation (on_page_markdown)
def relurl(target: str, page_url: str) -> str:
    """Relative URL from a page (directory URL like 'attention/q04-x/') to a site path."""
    depth = page_url.strip("/").count("/") + 1 if page_url.strip("/") else 0
    return "../" * depth + target


def cited_keys(q: Question) -> list[str]:
    keys = []
    for k in [m.group(1) for m in CITE_RE.finditer(q.body)] + list(q.meta["refs"]):
        if k not in keys:
            keys.append(k)
    return keys


def transform_citations(markdown: str, refs: dict[str, Reference]) -> str:
    """``[@key, §3]`` -> a link to the reference list. The paper's title is the link's tooltip where the page first
    cites it, not on every citation: each title is a tooltip Material mounts at start-up (tmj/perf.py)."""
    titled: set[str] = set()

    def sub(m: re.Match) -> str:
        ref = refs[m.group(1)]
        loc = f"，{html.escape(m.group(2).strip())}" if m.group(2) else ""
        title = "" if ref.key in titled else f' title="{html.escape(ref.title)}"'
        titled.add(ref.key)
        return f'<a class="tmj-cite" href="#ref-{ref.key}"{title}>[{html.escape(ref.short)}{loc}]</a>'

    return CITE_RE.sub(sub, markdown)


def transform_figures(markdown: str, page_url: str, figures: dict, file: str, body_line: int,
                      figure_dir: str = "figures") -> str:
    """``![alt](fig:name "caption")`` on a line of its own -> a <figure> with light and dark SVGs."""
    from tmj.figures import output_name

    def sub(m: re.Match) -> str:
        name = m.group("name")
        if name not in figures:
            line = body_line + markdown.count("\n", 0, m.start())
            raise PageError(file, line, f"figure 'fig:{name}' has no script figures_src/{name}.py")
        fig = figures[name]
        alt = (m.group("alt") or fig.alt).strip()
        if len(alt) < 8:
            line = body_line + markdown.count("\n", 0, m.start())
            raise PageError(file, line, f"figure 'fig:{name}' needs alt text that describes what it shows")
        alt = html.escape(alt, quote=True)
        imgs = "".join(
            f'<img class="tmj-fig-{t}" src="{relurl(figure_dir + "/" + output_name(name, t), page_url)}" '
            f'alt="{alt}" width="{fig.width}" height="{fig.height}" loading="lazy" decoding="async">'
            for t in ("light", "dark")
        )
        cap = m.group("caption")
        figcap = f'\n<figcaption markdown="span">{cap}</figcaption>\n' if cap else ""
        return f'<figure class="tmj-figure" id="fig-{name}" markdown="block">\n{imgs}{figcap}</figure>'

    out = FIGURE_RE.sub(sub, markdown)
    stray = re.search(r"\]\(fig:[^)]*\)", out)
    if stray:  # a figure reference the pattern above did not accept (e.g. "]" inside the alt text)
        line = body_line + out.count("\n", 0, stray.start())
        raise PageError(file, line, "malformed figure reference: write it alone on a line as "
                        '![alt text without square brackets](fig:name "caption")')
    return out


def generated_sections(q: Question, questions: dict[int, Question], refs: dict[str, Reference], page_url: str) -> str:
    out = ["", "## 相关问题", ""]
    from tmj.reader import related_box  # the box shows each related question with its 30-second answer

    out.append(related_box(q, questions))
    out += ["", "## 参考文献", "", '<ol class="tmj-refs">']
    for key in cited_keys(q):
        out.append(f'<li id="ref-{key}">{refs[key].html_entry()}</li>')
    out += ["</ol>", ""]
    return "\n".join(out)


def notebook_title(path: Path) -> str:
    """The first Markdown heading of a jupytext percent-format notebook ('# # Title')."""
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^# #\s+(.+)$", line)
        if m:
            return m.group(1).strip()
    return path.stem


def notebooks_section(q: Question, docs_dir: Path = DOCS) -> str:
    """'动手实现' links from a question page to the notebooks that implement it (front matter `notebooks`)."""
    items = []
    for nb in q.meta.get("notebooks", []):
        path = docs_dir / nb
        if not path.is_file():
            raise PageError(rel(q.path), _field_line(q, "notebooks"), f"notebook {nb!r} does not exist under docs/")
        items.append(f"- [{notebook_title(path)}]({relurl_md(nb, q.src)})：可运行的 NumPy 实现，构建时执行并自检")
    if not items:
        return ""
    return "\n".join(["", "## 动手实现", "", *items, ""])


def relurl_md(target_src: str, from_src: str) -> str:
    """Relative Markdown link between two source files (MkDocs validates and rewrites it)."""
    return os.path.relpath(target_src, os.path.dirname(from_src) or ".").replace(os.sep, "/")


# ---------------------------------------------------------------------------------------------
# Generated lists: "<!-- questions -->" (every topic) or "<!-- questions:attention -->" (one topic)
LIST_MARKER_RE = re.compile(r"^<!--\s*questions(?::(?P<topic>[a-z]+))?\s*-->\s*$", re.M)


def question_table(questions: dict[int, Question], from_src: str, topic: str | None) -> str:
    out = []
    for t, t_name in TOPICS.items():
        if topic and t != topic:
            continue
        qs = [q for q in sorted(questions.values(), key=lambda q: q.qid) if q.topic == t]
        if not topic:
            out += [f"### {t_name}", ""]
        if not qs:
            out += ["（本节题目正在编写中。）", ""]
            continue
        out += ["| # | 题目 | 难度 | 标签 |", "|---|------|------|------|"]
        for q in qs:
            tags = "、".join(q.meta["tags"])
            out.append(f"| Q{q.qid} | [{q.title}]({relurl_md(q.src, from_src)}) | {DIFFICULTY[q.meta['difficulty']]} | {tags} |")
        out.append("")
    return "\n".join(out)


def expand_lists(markdown: str, questions: dict[int, Question], from_src: str, file: str) -> str:
    def sub(m: re.Match) -> str:
        topic = m.group("topic")
        if topic and topic not in TOPICS:
            line = markdown.count("\n", 0, m.start()) + 1
            raise PageError(file, line, f"unknown topic {topic!r} in question-list marker; known: {', '.join(TOPICS)}")
        return question_table(questions, from_src, topic)

    # The lists repeat every title; keep them out of the search index so a query lands on the page itself.
    return LIST_MARKER_RE.sub(lambda m: f'<div data-search-exclude markdown="block">\n\n{sub(m)}\n\n</div>', markdown)


# --------------------------------------------------------------------------------------------------------
# <meta name="description"> (search engines, link previews): the 30-second answer as plain text.

TEX_WORDS = {
    r"\dmodel": "d_model", r"\softmax": "softmax", r"\Var": "Var", r"\E": "E", r"\cdot": "·", r"\times": "×",
    r"\in": "∈", r"\approx": "≈", r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥", r"\neq": "≠",
    r"\to": "→", r"\infty": "∞", r"\sum": "Σ", r"\prod": "Π", r"\top": "ᵀ", r"\sqrt": "√", r"\ldots": "…",
    r"\cdots": "⋯", r"\dots": "…", r"\pm": "±", r"\sim": "~", r"\alpha": "α", r"\beta": "β", r"\gamma": "γ",
    r"\epsilon": "ε", r"\varepsilon": "ε", r"\theta": "θ", r"\lambda": "λ", r"\mu": "μ", r"\sigma": "σ",
    r"\tanh": "tanh", r"\exp": "exp", r"\log": "log", r"\max": "max", r"\min": "min", r"\sin": "sin",
    r"\cos": "cos", r"\mid": "|", r"\lVert": "‖", r"\rVert": "‖", r"\|": "‖",
}
DESCRIPTION_MAX = 150


def tex_to_text(tex: str) -> str:
    """A formula as readable plain text: ``q\\cdot k=\\sum_{i=1}^{d_k}`` -> ``q·k=Σ_(i=1)^(d_k)``."""
    s = re.sub(r"\\mathbb\{R\}", "ℝ", tex)
    s = re.sub(r"\\(?:text|mathrm|operatorname|mathbf|boldsymbol|mathit|mathcal|textbf)\s*\{([^{}]*)\}", r"\1", s)
    s = re.sub(r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"\1/\2", s)
    s = re.sub(r"\\(?:left|right|big|Big|bigg|Bigg)\b", "", s)
    s = re.sub(r"\\[,;:! ]", " ", s)
    s = re.sub(r"\\[A-Za-z]+|\\\|", lambda m: TEX_WORDS.get(m.group(0), m.group(0)[1:]), s)
    s = re.sub(r"([_^])\{([^{}]*)\}", lambda m: m.group(1) + (m.group(2) if len(m.group(2)) <= 1 or re.fullmatch(r"\w+", m.group(2)) else f"({m.group(2)})"), s)
    s = s.replace("{", "").replace("}", "")
    s = re.sub(r"\s*([·×∈≈≤≥≠→±=])\s*", r"\1", s)  # TeX spacing around operators means nothing in plain text
    return re.sub(r"\s+", " ", s).strip()


def plain_description(md: str, limit: int = DESCRIPTION_MAX) -> str:
    """Markdown (with $math$, [@citations], links, HTML) -> one line of plain text of at most ``limit`` chars."""
    text = re.sub(r"\s*\[@[^\]]*\]", "", md)                       # citations
    text = re.sub(r"<[^>]+>", "", text)                            # HTML
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)          # links, images
    text = re.sub(r"\$\$(.+?)\$\$|\$(.+?)\$", lambda m: tex_to_text(m.group(1) or m.group(2)), text, flags=re.S)
    text = re.sub(r"\\\((.+?)\\\)", lambda m: tex_to_text(m.group(1)), text, flags=re.S)
    text = re.sub(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)|`|^\s*[>#]+|^\s*[-+] ", "", text, flags=re.M)
    text = re.sub(r"\s+", " ", text).strip().replace('"', "”")
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    stop = max(cut.rfind(c) for c in "。；！？")  # end on a sentence when one ends late enough
    return (cut[: stop + 1] if stop >= limit * 0.6 else cut.rstrip("，、；： ") + "…")
