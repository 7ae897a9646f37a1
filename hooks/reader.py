"""MkDocs hook: reader features for interview preparation (logic in tmj/reader.py).

* question pages: difficulty badge, self-test bar and 更新记录 block after the title; the drillable sections end
  before the generated ones (the 相关问题 box itself is built by tmj.pages via tmj.reader);
* any page: ``<!-- tmj:cheatsheet -->``, ``<!-- tmj:corrections -->``, ``<!-- tmj:glossary -->``,
  ``<!-- tmj:difficulty -->`` are replaced by Markdown generated from the question pages.

Runs after hooks/pages.py and before hooks/math.py, so every formula it emits is rendered by KaTeX at build time.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tmj package beside hooks/

from tmj import pages as P
from tmj import reader as R
from tmj import state
from tmj.errors import fail


def on_files(files, config, **kwargs):
    try:
        R.load_abbreviations()  # a broken registry fails the build with file and line
    except P.PageError as e:
        raise fail(e.file, e.line, e.reason) from None
    return files


def on_page_markdown(markdown, page, config, files, **kwargs):
    src = page.file.src_uri
    file = "docs/" + src
    try:
        q = next((q for q in state.questions.values() if q.src == src), None)
        if q is not None:
            markdown = R.decorate_question(markdown, q)
        return R.expand_markers(markdown, state.questions, src, file, page.file.content_string)
    except P.PageError as e:
        raise fail(e.file, e.line, e.reason) from None
