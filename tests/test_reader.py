"""Reader features (issue 8): self-test mode, 速查 (with print), tags and badges, related boxes, corrections log,
glossary, and a new question showing up everywhere with no other edit. Browser tests use the built site."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from repo_tree import copy_tree, mkdocs_build
from test_site import RAW_TEX_RE

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tmj import pages as P  # noqa: E402
from tmj import reader as R  # noqa: E402

Q6 = "attention/q06-head-dimension/"
REVIEW_PAGES = ["review/cheatsheet/", "review/tags/", "review/corrections/", "review/glossary/"]
CARD_IDS_RE = re.compile(r'class="tmj-card" data-qid="(\d+)"')


def disk_questions() -> dict[int, dict]:
    """Every question page on disk: qid -> front matter (read here, independently of the build)."""
    out = {}
    for path in sorted((ROOT / "docs").glob("*/q[0-9][0-9]-*.md")):
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("\n---\n", 1)[0][4:])
        out[meta["qid"]] = dict(meta, url=path.relative_to(ROOT / "docs").as_posix()[:-3] + "/")
    return out


def html_of(site, url: str) -> str:
    return (site.dir / url / "index.html").read_text(encoding="utf-8")


def related_section(html: str) -> str:
    start = html.index('id="相关问题"')
    return html[start:html.index('id="参考文献"', start)]


def visible_text(page) -> str:
    return page.evaluate("""() => {
      const c = document.querySelector('article.md-content__inner').cloneNode(true);
      c.querySelectorAll('.katex-mathml, pre, code, script, style').forEach(n => n.remove());
      return c.innerText; }""")


# ------------------------------------------------------------------------------------ self-test mode
def _mode(page) -> str:
    return page.get_attribute("article button.tmj-mode", "aria-pressed")


def _assert_drilled(page, hidden: bool) -> None:
    """Every reveal button controls an element that exists and is hidden / shown as its aria-expanded says."""
    buttons = page.locator("article button.tmj-reveal")
    assert buttons.count() >= 4
    for i in range(buttons.count()):
        b = buttons.nth(i)
        target = page.locator("#" + b.get_attribute("aria-controls"))
        assert target.count() == 1
        assert b.get_attribute("aria-expanded") == ("false" if hidden else "true")
        assert target.is_hidden() == hidden


def test_selftest_toggles_and_persists_across_pages(site, context):
    page = context.new_page()
    page.goto(site.url + Q6, wait_until="networkidle")
    assert _mode(page) == "false"
    assert page.locator("article .tmj-answer[hidden], article .tmj-card-answer[hidden]").count() == 0
    assert page.locator("article button.tmj-reveal:visible").count() == 0

    page.click("article button.tmj-mode")
    assert _mode(page) == "true"
    _assert_drilled(page, hidden=True)
    assert "1,048,576" not in page.inner_text("article")  # the table of the 详细解答 section is hidden
    # One section at a time: reveal 30 秒回答 only.
    first = page.locator("article button.tmj-reveal").first
    first.click()
    assert first.get_attribute("aria-expanded") == "true"
    assert page.locator("#" + first.get_attribute("aria-controls")).is_visible()
    assert page.locator("article button.tmj-reveal").nth(1).get_attribute("aria-expanded") == "false"
    # Hide it again.
    first.click()
    assert page.locator("#" + first.get_attribute("aria-controls")).is_hidden()

    # Instant navigation (same document) to a related question: the mode carries over.
    page.evaluate("window.__tmjMarker = 7")
    page.locator(".tmj-related .tmj-card-title a[href*='q01-multi-head']").click()
    page.wait_for_url(re.compile(r"/attention/q01-multi-head/(#.*)?$"))
    page.wait_for_selector("article button.tmj-mode[aria-pressed='true']")
    assert page.evaluate("window.__tmjMarker") == 7
    _assert_drilled(page, hidden=True)

    # A full page load elsewhere (the 速查): still on, every card hidden.
    page.goto(site.url + "review/cheatsheet/", wait_until="networkidle")
    assert _mode(page) == "true"
    assert page.locator(".tmj-card-answer").count() == len(disk_questions())
    assert page.locator(".tmj-card-answer:visible").count() == 0
    page.click("article button.tmj-selftest-all")
    assert page.locator(".tmj-card-answer:visible").count() == len(disk_questions())

    # Switch off: everything visible, and it stays off on the next page.
    page.click("article button.tmj-mode")
    assert _mode(page) == "false"
    page.goto(site.url + Q6, wait_until="networkidle")
    assert _mode(page) == "false"
    assert page.locator("article button.tmj-reveal:visible").count() == 0
    assert "1,048,576" in page.inner_text("article")


def test_selftest_keyboard(site, context):
    page = context.new_page()
    page.goto(site.url + Q6, wait_until="networkidle")
    mode = page.locator("article button.tmj-mode")
    assert mode.evaluate("e => e.tagName") == "BUTTON"
    mode.focus()
    page.keyboard.press("Enter")
    assert _mode(page) == "true"
    assert "已开启" in page.inner_text("article [role=status]")
    # Tab from the switch reaches the next control; the reveal buttons are real, focusable buttons.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('tmj-selftest-all')")
    reveal = page.locator("article button.tmj-reveal").first
    reveal.focus()
    page.keyboard.press("Space")
    assert reveal.get_attribute("aria-expanded") == "true"
    assert page.locator("#" + reveal.get_attribute("aria-controls")).is_visible()
    page.keyboard.press("Enter")
    assert reveal.get_attribute("aria-expanded") == "false"
    name = reveal.evaluate("e => e.textContent")
    assert name.startswith("显示答案") and "30 秒回答" in name
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.locator("article button.tmj-mode").focus()
    page.keyboard.press("Space")
    assert _mode(page) == "false"


def test_without_javascript_every_answer_is_visible(site, browser):
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        page = ctx.new_page()
        for url in (Q6, "review/cheatsheet/"):
            page.goto(site.url + url, wait_until="load")
            # No control that cannot work: the self-test bar is in the HTML (no layout shift when the script
            # wires it up) but not rendered, so not focusable and not in the accessibility tree.
            assert page.locator("article button").count() > 0, url
            assert page.locator("article button:visible").count() == 0, url
            assert page.evaluate("[...document.querySelectorAll('article button')].every(b => !b.checkVisibility())")
            assert page.locator(".tmj-selftest").first.is_hidden()
            answers = page.locator(".tmj-card-answer")
            assert answers.count() > 0
            for i in range(answers.count()):
                assert answers.nth(i).is_visible()
        page.goto(site.url + Q6, wait_until="load")
        text = page.inner_text("article")
        assert "1,048,576" in text and "降维的目的不是" in text
    finally:
        ctx.close()


# ----------------------------------------------------------------------------------------- 速查
def test_cheatsheet_lists_every_question_with_rendered_math(site, context):
    questions = disk_questions()
    page = context.new_page()
    page.goto(site.url + "review/cheatsheet/", wait_until="networkidle")
    ids = [int(x) for x in page.eval_on_selector_all(".tmj-card", "els => els.map(e => e.dataset.qid)")]
    assert sorted(ids) == sorted(questions)
    for qid, meta in questions.items():
        card = page.locator(f".tmj-card[data-qid='{qid}']")
        href = card.locator("h3 a").first.get_attribute("href")
        assert href.endswith("/" + meta["url"]), href
        # As a reader sees it: the answers of later topics are rendered when they come near the screen
        # (content-visibility, extra.css), so each card is scrolled to before its text is read.
        card.scroll_into_view_if_needed()
        answer = card.locator(".tmj-card-answer")
        page.wait_for_function("el => el.innerText.trim().length > 0", arg=answer.element_handle(), timeout=5000)
        shown = answer.inner_text()
        assert not RAW_TEX_RE.search(shown) and "$" not in shown and "[@" not in shown, (qid, shown[:200])
    # Grouped by topic, in the order of the topics.
    topics = page.eval_on_selector_all("article h2.tmj-topic", "els => els.map(e => e.textContent.replace('¶', '').trim())")
    assert topics == [name for t, name in P.TOPICS.items() if any(m["url"].startswith(t + "/") for m in questions.values())]
    assert page.locator(".tmj-card-answer .katex").count() > 20
    assert page.locator(".katex-error").count() == 0
    text = visible_text(page)
    assert not RAW_TEX_RE.search(text) and "$" not in text
    assert "[@" not in text  # citations stay on the question pages


def test_cheatsheet_prints_to_a4_pdf(site, context, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is needed; .ci/run installs it")
    page = context.new_page()
    page.goto(site.url + "review/cheatsheet/", wait_until="networkidle")
    page.click("article button.tmj-mode")  # self-test on: printing still shows every answer
    page.emulate_media(media="print")
    pdf = tmp_path / "cheatsheet.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    # No navigation chrome: header, search, sidebars (nav sections, TOC title), footer, self-test controls.
    for chrome in ("搜索", "复习工具", "动手实现", "目录", "自测模式：", "显示答案", "显示全部答案", "上一页", "下一页"):
        assert chrome not in text, chrome
    assert not RAW_TEX_RE.search(text) and "$" not in text
    for qid in disk_questions():
        assert re.search(rf"\bQ{qid}\b", text), qid
    assert "降维的目的不是" in text  # an answer hidden on screen is printed
    # Each topic starts a new page; a few A4 pages in all.
    for name in P.TOPICS.values():
        starts = [p for p in pages if p.strip().startswith(name)]
        assert starts or name == next(iter(P.TOPICS.values())), f"topic {name} does not start a page"
    assert 3 <= len([p for p in pages if p.strip()]) <= 12


# ------------------------------------------------------------------------- tags, badges, related boxes
def test_badges_and_tags_on_every_question_page(site):
    for qid, meta in disk_questions().items():
        html = html_of(site, meta["url"])
        d = meta["difficulty"]
        assert f'<span class="tmj-badge tmj-badge--d{d}">难度：{P.DIFFICULTY[d]}</span>' in html, qid
        nav = html[html.index('<nav class="md-tags"'):]
        shown = re.findall(r'class="md-tag"[^>]*>([^<]+)<', nav[: nav.index("</nav>")])
        assert sorted(set(shown)) == sorted(meta["tags"]), (qid, shown)


def test_tags_page_is_complete(site):
    html = html_of(site, "review/tags/")
    sections = re.split(r'<h2 id="tag:', html)[1:]
    listed = {}
    for s in sections:
        tag = re.search(r'<span class="md-tag">([^<]+)</span>', s).group(1)
        listed[tag] = set(re.findall(r'<a href="\.\./\.\./([^"]+)"', s))
    expected: dict[str, set] = {}
    for meta in disk_questions().values():
        for t in meta["tags"]:
            expected.setdefault(t, set()).add(meta["url"])
    assert listed == expected


def test_related_boxes_are_symmetric_and_show_answers(site):
    questions = disk_questions()
    shown = {}
    for qid, meta in questions.items():
        sec = related_section(html_of(site, meta["url"]))
        shown[qid] = {int(x) for x in CARD_IDS_RE.findall(sec)}
        expected = set(meta["related"]) | {o for o, m in questions.items() if qid in m["related"]}
        assert shown[qid] == expected, qid
        assert sec.count('class="tmj-card-answer"') == len(expected)
    for a, rel in shown.items():
        for b in rel:
            assert a in shown[b], (a, b)
    # The borrowed answers stay out of the search index: each answer is found on its own page only.
    index = json.loads((site.dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    for qid, meta in questions.items():
        answer = P.parse_question(ROOT / "docs" / (meta["url"][:-1] + ".md")).short_answer_md()
        parts = [re.sub(r"\]\([^)]*\)|[\s*“”\[]", "", x) for x in re.split(r"\$[^$]*\$|\[@[^\]]*\]", answer)]
        probe = next(x for x in parts if len(x) >= 12)[:20]
        hits = {d["location"].split("#")[0] for d in index["docs"]
                if probe in re.sub(r"[\s\u200b*“”]", "", d["text"])}
        ours = {m["url"] for m in questions.values()} | {u for u in REVIEW_PAGES}
        assert hits & ours == {meta["url"]}, (qid, probe, hits)
    # The box carries the other page's answer, math rendered.
    sec = related_section(html_of(site, questions[4]["url"]))
    assert "katex" in sec and "[@" not in sec


# ----------------------------------------------------------------------------- corrections, glossary
def test_corrections_on_pages_and_log(site, context):
    questions = disk_questions()
    entries = [(str(c["date"]), qid, c) for qid, m in questions.items() for c in m.get("corrections", [])]
    assert entries, "at least one real correction is recorded"
    page = context.new_page()
    page.goto(site.url + "review/corrections/", wait_until="networkidle")
    items = page.locator(".tmj-correction")
    assert items.count() == len(entries)
    dates = page.eval_on_selector_all(".tmj-correction time", "els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)
    text = visible_text(page)
    assert not RAW_TEX_RE.search(text) and "$" not in text
    for date, qid, c in entries:
        assert f"Q{qid} {questions[qid]['title']}" in text
        html = html_of(site, questions[qid]["url"])
        assert "更新记录：本页更正过" in html and date in html


def test_glossary_links_resolve(site, context):
    terms = R.load_abbreviations()
    html = html_of(site, "review/glossary/")
    page = context.new_page()
    page.goto(site.url + "review/glossary/", wait_until="networkidle")
    dts = page.eval_on_selector_all(".tmj-glossary dt", "els => els.map(e => e.textContent.trim())")
    assert sorted(dts) == sorted(t for t, _, _ in terms)
    links = page.eval_on_selector_all(".tmj-glossary dd a", "els => els.map(e => [e.closest('dd').previousElementSibling.textContent.trim(), e.href])")
    assert len(links) >= len(terms)
    for term, href in links:
        path = href.split("://", 1)[1].split("/", 1)[1].split("#")[0]
        target = site.dir / path / "index.html"
        assert target.is_file(), href
        # The linked page really shows the term with its tooltip.
        assert re.search(rf"<abbr title=\"[^\"]+\">{re.escape(term)}</abbr>", target.read_text(encoding="utf-8")), (term, href)
    assert html.count("用到它的题目") == len(terms)


# -------------------------------------------------------------------------------------- phone width
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_new_pages_fit_a_phone(site, browser, scheme):
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, color_scheme=scheme, locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(site.url + Q6, wait_until="networkidle")
        page.click("article button.tmj-mode")  # self-test on: the bar and the buttons must fit too
        for url in [Q6, "", *REVIEW_PAGES]:
            page.goto(site.url + url, wait_until="networkidle")
            assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == ("slate" if scheme == "dark" else "default")
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], (url, width)
    finally:
        ctx.close()


# ------------------------------------------------------------------------------ bad inputs fail loudly
def test_bad_corrections_fail_with_file_and_line(tmp_path):
    src = (ROOT / "docs" / "attention" / "q06-head-dimension.md").read_text(encoding="utf-8")
    good_block = src[src.index("corrections:"):src.index("\n---\n", 4)]
    docs = tmp_path / "docs" / "attention"
    docs.mkdir(parents=True)
    cases = {
        "date: 2026-02-30": "not a real date",
        "date: 26-11-2026": "not a real date",
    }
    for bad, why in cases.items():
        text = src.replace(good_block, good_block.replace("date: 2026-11-26", bad))
        page = docs / "q06-head-dimension.md"
        page.write_text(text, encoding="utf-8")
        with pytest.raises(P.PageError) as e:
            P.parse_question(page, tmp_path / "docs")
        line = text.split("\n").index("  - " + bad) + 1
        assert e.value.line == line and why in e.value.reason, (e.value.line, line, e.value.reason)
    text = src.replace(good_block, good_block.replace("    now:", "    right:"))
    page.write_text(text, encoding="utf-8")
    with pytest.raises(P.PageError) as e:
        P.parse_question(page, tmp_path / "docs")
    assert "missing ['now']" in e.value.reason and "unknown ['right']" in e.value.reason
    assert e.value.line == text.split("\n").index("  - date: 2026-11-26") + 1


def test_unknown_marker_fails_with_line():
    md = "# 页\n\n正文\n\n<!-- tmj:cheetsheet -->\n"
    with pytest.raises(P.PageError) as e:
        R.expand_markers(md, {}, "review/x.md", "docs/review/x.md", "---\nhide: [toc]\n---\n" + md)
    assert e.value.line == 8 and "cheetsheet" in e.value.reason


# ---------------------------------------------------------- a new question appears everywhere, no other edit
def test_new_question_appears_in_every_review_tool(tmp_path):
    tree = copy_tree(tmp_path / "repo")
    qid = max(int(p.name[1:3]) for p in (tree / "docs").glob("*/q[0-9][0-9]-*.md")) + 1
    proc = subprocess.run([sys.executable, "-m", "tmj.new", "--topic", "architecture", "--title", "残差连接为什么重要？",
                           "--nav-title", "残差连接", "--slug", "residual", "--tags", "架构,残差连接"],
                          cwd=tree, capture_output=True, text=True, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr
    new = tree / "docs" / "architecture" / f"q{qid:02d}-residual.md"
    # Only the new page itself is edited: a related question and an answer that uses a glossary term.
    text = new.read_text(encoding="utf-8").replace("related: []", "related: [4]")
    text = re.sub(r"(## 30 秒回答\n\n).*?\n", r"\1残差让 FFN 子层只需学习增量 $F(x)$，输出是 $x + F(x)$。\n", text, count=1)
    new.write_text(text, encoding="utf-8")

    build = mkdocs_build(tree)
    assert build.returncode == 0, build.stdout[-4000:]
    site = tree / "site"
    url = f"architecture/q{qid:02d}-residual/"
    cheat = (site / "review" / "cheatsheet" / "index.html").read_text(encoding="utf-8")
    assert f'data-qid="{qid}"' in cheat and f"../../{url}" in cheat and "katex" in cheat
    tags = (site / "review" / "tags" / "index.html").read_text(encoding="utf-8")
    for tag in ("架构", "残差连接"):
        sec = tags[tags.index(f'id="tag:{tag}"'):]
        sec = sec[: sec.find("<h2", 10) if "<h2" in sec[10:] else len(sec)]
        assert f'href="../../{url}"' in sec, tag
    glossary = (site / "review" / "glossary" / "index.html").read_text(encoding="utf-8")
    ffn = glossary[glossary.index(">FFN<"):]
    assert f"../../{url}" in ffn[: ffn.index("</dd>")]
    q4 = (site / "attention" / "q04-scaled-attention" / "index.html").read_text(encoding="utf-8")
    assert f'data-qid="{qid}"' in related_section(q4) and "残差让" in related_section(q4)
    mine = (site / url / "index.html").read_text(encoding="utf-8")
    assert 'data-qid="4"' in related_section(mine) and "tmj-badge--d2" in mine
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.count(f'href="{url}"') >= 2  # the topic table and the difficulty tabs
