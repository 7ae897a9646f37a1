"""Chinese search in the real search box: every query typed into Chromium, the expected page in the top 3."""
from __future__ import annotations

import pytest

from search_queries import QUERIES

MIN_HIT_RATE = 0.90

TOP3_JS = """
() => [...document.querySelectorAll('.md-search-result__list > li.md-search-result__item')]
        .slice(0, 3).map(li => li.querySelector('a').getAttribute('href'))
"""


def run_queries(page, base_url: str) -> list[tuple[str, str, list[str], bool]]:
    page.goto(base_url, wait_until="networkidle")
    box = page.locator("input.md-search__input")
    box.click()  # on a desktop viewport the search box sits in the header
    results = []
    for query, expected in QUERIES:
        box.fill("")
        box.type(query, delay=5)
        # Chinese arrives through an input method, which ends with a key press; Material searches on keyup.
        box.press("End")
        # Wait until the worker has answered this very query (the meta line changes on every search).
        page.wait_for_function(
            "() => { const m = document.querySelector('.md-search-result__meta'); return m && !/正在|Initializing|Type to start/i.test(m.textContent); }",
            timeout=15000,
        )
        page.wait_for_timeout(150)
        hrefs = page.evaluate(TOP3_JS)
        paths = [h.split("#")[0].replace(base_url, "").lstrip("./") for h in hrefs]
        results.append((query, expected, paths, any(p.startswith(expected) for p in paths)))
    return results


@pytest.fixture(scope="module")
def search_results(site, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    res = run_queries(page, site.url)
    ctx.close()
    return res


def test_search_hit_rate(search_results):
    hits = sum(ok for *_, ok in search_results)
    rate = hits / len(search_results)
    report = "\n".join(f"{'HIT ' if ok else 'MISS'} {q!r:32} want {exp:45} got {got}" for q, exp, got, ok in search_results)
    print(f"\nsearch hit rate: {hits}/{len(search_results)} = {rate:.0%}\n{report}")
    assert len(search_results) >= 30
    assert rate >= MIN_HIT_RATE, f"hit rate {rate:.0%} < {MIN_HIT_RATE:.0%}\n{report}"


def test_search_index_holds_tex_source_not_katex_html(site):
    import json

    index = json.loads((site.dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["text"] for d in index["docs"])
    assert "\\sqrt{d_k}" in text
    assert "katex" not in text


def test_search_separator_keeps_zero_width_space(site):
    import json

    cfg = json.loads((site.dir / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    assert "\\u200b" in cfg["separator"] and cfg["lang"] == ["zh"]


def test_build_output_has_no_jieba_chatter(site):
    """hooks/search.py keeps jieba's start-up lines out of every build and `serve` rebuild."""
    assert "Prefix dict has been built" not in site.log and "Loading model cost" not in site.log
