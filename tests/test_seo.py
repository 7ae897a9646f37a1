"""SEO and sharing: sitemap on site_url, canonical URLs, descriptions from the 30-second answer, Open Graph
tags, and a Chinese 404 page with home and search links."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from conftest import site_pages

QUESTION_RE = re.compile(r"^[a-z-]+/q\d\d-[a-z0-9-]+/$")


class HeadParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta, self.links = {}, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("name") or a.get("property")):
            self.meta.setdefault(a.get("name") or a.get("property"), a.get("content"))
        if tag == "link" and a.get("rel") == "canonical":
            self.links["canonical"] = a.get("href")


def head_of(site, path: str) -> HeadParser:
    p = HeadParser()
    p.feed((site.dir / path / "index.html").read_text(encoding="utf-8"))
    return p


def test_sitemap_lists_every_page_on_site_url(site):
    root = ET.parse(site.dir / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in root.findall("s:url/s:loc", ns)]
    assert locs and all(loc.startswith(site.url) for loc in locs), locs[:3]
    assert {loc[len(site.url):] for loc in locs} == set(site_pages(site.dir))


def test_canonical_and_open_graph_on_every_page(site):
    problems = []
    for path in site_pages(site.dir):
        h = head_of(site, path)
        want = site.url + path
        if h.links.get("canonical") != want:
            problems.append(f"/{path}: canonical {h.links.get('canonical')!r} != {want!r}")
        if h.meta.get("og:url") != want:
            problems.append(f"/{path}: og:url {h.meta.get('og:url')!r}")
        for key in ("og:title", "og:description", "og:type", "description"):
            if not (h.meta.get(key) or "").strip():
                problems.append(f"/{path}: no {key}")
        if QUESTION_RE.match(path) and h.meta.get("og:type") != "article":
            problems.append(f"/{path}: og:type {h.meta.get('og:type')!r}, want article")
    assert not problems, "\n".join(problems)


def test_question_descriptions_come_from_the_30_second_answer(site):
    from tmj import pages as P

    questions = P.load_questions()
    by_url = {q.url: q for q in questions.values()}
    problems = []
    for path in site_pages(site.dir):
        if not QUESTION_RE.match(path):
            continue
        h = head_of(site, path)
        desc = h.meta.get("description") or ""
        q = by_url.get(path)
        assert q is not None, f"/{path} is not a parsed question (url {list(by_url)[:3]})"
        if not (20 <= len(desc) <= 160):
            problems.append(f"/{path}: description has {len(desc)} chars")
        if desc[:12] not in P.plain_description(q.short_answer_md(), 10_000):
            problems.append(f"/{path}: description does not start like the 30-second answer: {desc[:40]!r}")
        if re.search(r"\$|\[@|\\\(|<[a-z]|\*\*", desc):
            problems.append(f"/{path}: markup left in description: {desc!r}")
        if h.meta.get("og:description") != desc:
            problems.append(f"/{path}: og:description differs from description")
    assert not problems, "\n".join(problems)


def test_tex_to_text():
    from tmj.pages import plain_description, tex_to_text

    assert tex_to_text(r"\sqrt{d_k}") == "√d_k"
    assert tex_to_text(r"q\cdot k") == "q·k"
    assert tex_to_text(r"\frac{1}{2}") == "1/2"
    assert tex_to_text(r"X\in\mathbb{R}^{B\times n}") == "X∈ℝ^(B×n)"
    d = plain_description("除以 $\\sqrt{d_k}$ [@vaswani2017, §3.2]。**重点**" + "很长" * 200)
    assert d.startswith("除以 √d_k。重点") and len(d) <= 150 and d.endswith("…")


def test_404_page_is_chinese_with_home_and_search(site, context):
    html = (site.dir / "404.html").read_text(encoding="utf-8")
    assert "页面不存在" in html
    assert f'href="{site.url}"' in html, "no link to the home page"
    assert 'for="__search"' in html, "no search button"
    page = context.new_page()
    resp = page.goto(site.url + "no-such-page/", wait_until="load")
    assert resp.status == 404
    # The 404 page is served at any depth: its assets must still load (absolute URLs).
    page.goto(site.origin + "/404.html", wait_until="networkidle")
    page.get_by_text("搜索题目").click()
    page.wait_for_timeout(300)
    assert page.evaluate("document.getElementById('__search').checked")
