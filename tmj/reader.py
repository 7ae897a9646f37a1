"""Reader features for interview preparation, all generated from the question pages (nothing written twice).

Plain Python, called by ``hooks/reader.py`` (and by ``tmj.pages.generated_sections`` for the related box):

* the self-test bar, difficulty badge and 更新记录 block of a question page;
* ``<!-- tmj:cheatsheet -->``  every question with its 30-second answer, grouped by topic (速查);
* ``<!-- tmj:corrections -->`` every correction of every page, newest first (更新记录);
* ``<!-- tmj:glossary -->``    the abbreviations registry, each term linked to the questions that use it (术语表);
* ``<!-- tmj:difficulty -->``  the questions grouped by difficulty in tabs (home page);
* the 相关问题 box: related questions with the lead sentence of their 30-second answers.

Every output is Markdown that goes through the normal page pipeline (so formulas are rendered by KaTeX at build
time like anywhere else). Answers borrowed from another page lose their citations (the reference list is on that
page) and get their relative links rewritten for the page they are shown on.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from tmj import pages as P

ABBREVIATIONS = P.ROOT / "includes" / "abbreviations.md"
MARKER_RE = re.compile(r"^<!--\s*tmj:(?P<name>[\w-]+)\s*-->\s*$", re.M)
ABBR_RE = re.compile(r"^\*\[(?P<term>[^\]]+)\]:[ \t]*(?P<text>.*)$", re.M)
LINK_RE = re.compile(r"(?<!!)\]\((?P<target>[^)\s#]+\.md)(?P<anchor>#[^)\s]*)?\)")
# Parts of a page's Markdown that never get an abbreviation tooltip: code, math, HTML comments, link targets.
NO_ABBR_RE = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]+\$|<!--.*?-->|\]\([^)]*\)", re.S)

# The self-test bar is in the HTML from the start (hidden under <html class="no-js">, i.e. with JavaScript off)
# and the script only wires it up: a bar the script inserted after the first paint pushed the page down by
# 88 px on a phone, Lighthouse's largest layout shift on question pages. Kept out of the search index.
SELFTEST_BAR = (
    '<div class="tmj-selftest" data-tmj-selftest data-search-exclude>'
    '<button type="button" class="tmj-mode" aria-pressed="false" title="遮住答案，逐节显示；对全站有效">'
    '自测模式：<span class="tmj-mode-state">关</span></button>'
    '<button type="button" class="tmj-selftest-all" hidden>显示全部答案</button>'
    '<span class="tmj-selftest-hint">开启后答案先遮住，自己说一遍再逐节显示。</span>'
    '<span class="tmj-selftest-status" role="status"></span></div>'
)
DRILL_END = '<div class="tmj-drill-end"></div>'


# ---------------------------------------------------------------------------------------------
# Borrowing a 30-second answer
def borrowed_answer(q: P.Question, dest_src: str) -> str:
    """``q``'s 30-second answer as Markdown for the page ``dest_src`` (a path relative to docs/)."""
    md = q.short_answer_md()
    md = P.FIGURE_RE.sub("", md)
    md = re.sub(r"\s*" + P.CITE_RE.pattern, "", md)

    def relink(m: re.Match) -> str:
        target = os.path.normpath(os.path.join(os.path.dirname(q.src), m.group("target"))).replace(os.sep, "/")
        return f"]({P.relurl_md(target, dest_src)}{m.group('anchor') or ''})"

    return LINK_RE.sub(relink, md).strip()


LEAD_MIN_CHARS = 80
LEAD_MAX_CHARS = 160
_SENTENCE_END_RE = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|\[[^\]]*\]\([^)]*\)|[。！？；]", re.S)


def lead(md: str) -> str:
    """The gist of an answer for the related box: its first sentence(s) of at least LEAD_MIN_CHARS characters, cut
    at a 。！？ outside formulas and links; a first sentence longer than LEAD_MAX_CHARS is cut at a ； instead.
    The whole answer is one click away (and on 速查): a page related to six others would otherwise carry six full
    answers, ~7 KB gzip of KaTeX markup out of its 150 KB budget."""
    stops = [m for m in _SENTENCE_END_RE.finditer(md) if len(m.group(0)) == 1 and m.end() >= LEAD_MIN_CHARS]
    full = next((m for m in stops if m.group(0) != "；"), None)
    if full is None or full.end() > LEAD_MAX_CHARS:
        semi = next((m for m in stops if m.group(0) == "；" and (full is None or m.end() < full.end())), None)
        if semi is not None:
            return md[:semi.start()] + "……"
    if full is None:
        return md
    return md[:full.end()] + ("……" if md[full.end():].strip() else "")


def card(q: P.Question, dest_src: str, heading: str | None = None, gist: bool = False) -> str:
    """A question with its 30-second answer (``gist``: only its lead sentence); the answer can be hidden in
    self-test mode (by the script only)."""
    link = f"[Q{q.qid} {q.title}]({P.relurl_md(q.src, dest_src)})"
    title = f"{heading} {link}" if heading else f'<p class="tmj-card-title" markdown="span">{link}</p>'
    meta = f"{P.DIFFICULTY[q.meta['difficulty']]} · {'、'.join(q.meta['tags'])}"
    return "\n".join([
        f'<div class="tmj-card" data-qid="{q.qid}" markdown="block">', "", title, "",
        '<div class="tmj-card-answer" markdown="block">', "",
        lead(borrowed_answer(q, dest_src)) if gist else borrowed_answer(q, dest_src), "", "</div>", "",
        f'<p class="tmj-card-meta">难度：{meta}</p>', "", "</div>", "",
    ])


def related_box(q: P.Question, questions: dict[int, P.Question]) -> str:
    """Body of the 相关问题 section: each related question (both directions) with the lead of its 30-second
    answer (see lead())."""
    ids = P.related_of(q.qid, questions)
    if not ids:
        return "暂无。"
    cards = "\n".join(card(questions[r], q.src, gist=True) for r in ids)
    # The answers belong to other pages: keep them out of this page's search entry. The wrapper is a <section>
    # because Material's search parser ends an excluded block at the first closing tag of the same name.
    return f'<section class="tmj-related" data-search-exclude markdown="block">\n\n{cards}\n</section>'


# ---------------------------------------------------------------------------------------------
# Question pages: badges, self-test bar, corrections
def corrections_of(q: P.Question) -> list[dict]:
    return sorted(q.meta.get("corrections", []), key=lambda c: str(c["date"]), reverse=True)


def corrections_block(q: P.Question) -> str:
    entries = corrections_of(q)
    if not entries:
        return ""
    out = [f'??? info "更新记录：本页更正过 {len(entries)} 处（最近一次 {entries[0]["date"]}）"', ""]
    for c in entries:
        out += [f"    **{c['date']}**", "",
                f"    - 原来的说法：{c['was'].strip()}", f"    - 现在的说法：{c['now'].strip()}", ""]
    return "\n".join(out)


def question_header(q: P.Question) -> str:
    """What follows the H1 of a question page: the difficulty badge, the self-test bar, the 更新记录 block."""
    d = q.meta["difficulty"]
    badge = (f'<p class="tmj-badges"><span class="tmj-badge tmj-badge--d{d}">难度：{P.DIFFICULTY[d]}</span> '
             f'<span class="tmj-badge tmj-badge--topic">{P.TOPICS[q.topic]}</span></p>')
    return "\n\n".join(x for x in (badge, SELFTEST_BAR, corrections_block(q)) if x) + "\n\n"


def decorate_question(markdown: str, q: P.Question) -> str:
    """Insert the header after the H1 and mark where the drillable sections end (before the generated ones)."""
    h1 = re.search(r"^# .*\n", markdown, re.M)
    if not h1:
        raise P.PageError(P.rel(q.path), q.body_line, "question page has no title heading")
    markdown = markdown[: h1.end()] + "\n" + question_header(q) + markdown[h1.end():]
    gen = re.search(r"^## (?:" + "|".join(P.GENERATED_SECTIONS) + r")\s*$", markdown, re.M)
    if gen:
        markdown = markdown[: gen.start()] + DRILL_END + "\n\n" + markdown[gen.start():]
    return markdown


# ---------------------------------------------------------------------------------------------
# Generated pages
def by_topic(questions: dict[int, P.Question]):
    for topic, name in P.TOPICS.items():
        qs = sorted((q for q in questions.values() if q.topic == topic), key=lambda q: q.qid)
        if qs:
            yield topic, name, qs


def cheatsheet(questions: dict[int, P.Question], dest_src: str) -> str:
    out = [SELFTEST_BAR, ""]
    for topic, name, qs in by_topic(questions):
        out += [f"## {name} {{: .tmj-topic }}", "", '<section class="tmj-cheat" data-search-exclude markdown="block">', ""]
        out += [card(q, dest_src, heading="###") for q in qs]
        out += ["</section>", ""]
    return "\n".join(out)


def all_corrections(questions: dict[int, P.Question]) -> list[tuple[str, P.Question, dict]]:
    rows = [(str(c["date"]), q, c) for q in questions.values() for c in q.meta.get("corrections", [])]
    return sorted(rows, key=lambda r: (r[0], -r[1].qid), reverse=True)


def corrections_page(questions: dict[int, P.Question], dest_src: str) -> str:
    rows = all_corrections(questions)
    if not rows:
        return "目前还没有更正记录。"
    out = ['<div class="tmj-corrections-log" markdown="block">', ""]
    for date, q, c in rows:
        out += [f'<div class="tmj-correction" markdown="block">', "",
                f'<p class="tmj-correction-head" markdown="span"><time datetime="{date}">{date}</time> · '
                f'[Q{q.qid} {q.title}]({P.relurl_md(q.src, dest_src)})</p>', "",
                f"- 原来的说法：{c['was'].strip()}", f"- 现在的说法：{c['now'].strip()}", "", "</div>", ""]
    out += ["</div>"]
    return "\n".join(out)


def load_abbreviations(path: Path = ABBREVIATIONS) -> list[tuple[str, str, int]]:
    """(term, explanation, line) for every ``*[TERM]: text`` line of the registry."""
    text = path.read_text(encoding="utf-8")
    out, seen = [], {}
    for m in ABBR_RE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        term, expl = m.group("term").strip(), m.group("text").strip()
        if term in seen:
            raise P.PageError(P.rel(path), line, f"abbreviation {term!r} is defined twice (first on line {seen[term]})")
        if not expl:
            raise P.PageError(P.rel(path), line, f"abbreviation {term!r} has no explanation")
        seen[term] = line
        out.append((term, expl, line))
    return out


def term_users(term: str, questions: dict[int, P.Question]) -> list[P.Question]:
    """Questions whose text shows ``term`` where Python-Markdown's abbr extension would mark it (same \\b rule)."""
    pat = re.compile(rf"\b{re.escape(term)}\b")
    return [q for q in sorted(questions.values(), key=lambda q: q.qid)
            if pat.search(q.title) or pat.search(NO_ABBR_RE.sub(" ", q.body))]


def glossary(questions: dict[int, P.Question], dest_src: str, path: Path = ABBREVIATIONS) -> str:
    out = []
    for term, expl, _ in sorted(load_abbreviations(path), key=lambda t: t[0].lower()):
        users = term_users(term, questions)
        links = "、".join(f"[Q{q.qid} {q.nav_title}]({P.relurl_md(q.src, dest_src)})" for q in users)
        out += [term, f":   {expl}", "", f"    用到它的题目：{links or '暂无'}", ""]
    return '<div class="tmj-glossary" markdown="block">\n\n' + "\n".join(out) + "\n</div>"


def difficulty_tabs(questions: dict[int, P.Question], dest_src: str) -> str:
    out = ['<section class="tmj-by-difficulty" data-search-exclude markdown="block">', ""]
    for d, name in P.DIFFICULTY.items():
        qs = sorted((q for q in questions.values() if q.meta["difficulty"] == d), key=lambda q: q.qid)
        out += [f'=== "{name}（{len(qs)} 题）"', ""]
        out += [f"    - [Q{q.qid} {q.title}]({P.relurl_md(q.src, dest_src)})（{P.TOPICS[q.topic]}）" for q in qs]
        if not qs:
            out.append("    暂无。")
        out.append("")
    return "\n".join(out + ["</section>"])


GENERATORS = {
    "cheatsheet": lambda qs, src: cheatsheet(qs, src),
    "corrections": lambda qs, src: corrections_page(qs, src),
    "glossary": lambda qs, src: glossary(qs, src),
    "difficulty": lambda qs, src: difficulty_tabs(qs, src),
}


def expand_markers(markdown: str, questions: dict[int, P.Question], src: str, file: str, source: str = "") -> str:
    """Replace every ``<!-- tmj:NAME -->`` line; an unknown NAME fails with its line in ``source`` (the file)."""
    def sub(m: re.Match) -> str:
        name = m.group("name")
        if name not in GENERATORS:
            at = source.find(m.group(0).strip())
            line = source.count("\n", 0, at) + 1 if at >= 0 else markdown.count("\n", 0, m.start()) + 1
            raise P.PageError(file, line, f"unknown generated block <!-- tmj:{name} -->; known: {', '.join(GENERATORS)}")
        return GENERATORS[name](questions, src)

    return MARKER_RE.sub(sub, markdown)
