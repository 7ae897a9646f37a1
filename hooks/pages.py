"""MkDocs hook: enforce the page contract and generate the parts of a question page that are data.

* validates every question page's front matter and sections, the paper registry and cross references;
* turns ``[@key]`` into citations, ``![alt](fig:name "caption")`` into light/dark figures;
* appends the 相关问题 (symmetric) and 参考文献 sections, and sets the page description.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tmj package beside hooks/

import re

from tmj import pages as P
from tmj import state
from tmj.checks import lookalikes
from tmj.errors import fail


def _raise(e: P.PageError):
    raise fail(e.file, e.line, e.reason) from None


def on_files(files, config, **kwargs):
    try:
        state.references = P.load_references()
        state.questions = P.load_questions()
        P.check_cross_refs(state.questions, state.references)
    except P.PageError as e:
        _raise(e)
    return files


def on_page_markdown(markdown, page, config, files, **kwargs):
    src = page.file.src_uri
    q = next((q for q in state.questions.values() if q.src == src), None)
    file = "docs/" + src
    found = lookalikes(page.file.content_string, file)  # Kangxi radicals etc. break search: refuse them
    if found:
        raise fail(file, found[0].line, f"column {found[0].col}: {found[0].reason}") from None
    # Authoring notes in HTML comments (the template has some; generated-block markers excepted) are not shipped and not parsed for
    # figures or citations; blank them line for line so reported line numbers stay right.
    markdown = re.sub(r"<!--(?!\s*(?:questions\b|tmj:|material/)).*?-->", lambda m: "\n" * m.group(0).count("\n"), markdown, flags=re.S)
    try:
        # Figures and citations are allowed on every page (home page, topic indexes, notebooks' neighbours).
        markdown = P.transform_figures(markdown, page.url, state.figures, file, q.body_line if q else 1)
        for m in P.CITE_RE.finditer(markdown):
            if m.group(1) not in state.references:
                line = (q.body_line if q else 1) + markdown.count("\n", 0, m.start())
                raise P.PageError(file, line, f"citation [@{m.group(1)}] is not in data/references.yml")
        markdown = P.transform_citations(markdown, state.references)
        markdown = P.expand_lists(markdown, state.questions, src, file)
    except P.PageError as e:
        _raise(e)
    if q is None:
        return markdown
    page.meta["description"] = P.plain_description(q.short_answer_md())
    header = f"# {q.title}\n\n"
    try:
        notebooks = P.notebooks_section(q)
    except P.PageError as e:
        _raise(e)
    return header + markdown + notebooks + P.generated_sections(q, state.questions, state.references, page.url)
