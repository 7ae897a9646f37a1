"""Material's and KaTeX's stylesheets are served without the rules nothing on the site can match
(tmj/csspurge.py). The rules are tested on their own, and in Chromium: on every page, in both themes, with
the search showing results, with self-test mode on and every <details> open, no rule of the original
stylesheets that matches an element on screen is missing from what the site serves."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import site_pages
from tmj.csspurge import CssParseError, purge_css

ROOT = Path(__file__).resolve().parent.parent


# --- the rules, without a browser -------------------------------------------------------------------------

def test_unused_class_selectors_go_and_the_rest_stays():
    css = (".a{x:1}.b{x:2}.a .b,.c{x:3}.c>.a{x:4}"
           "@media screen{.c{x:5}}@media print{.a{x:6}}"
           "@font-face{font-family:F;src:url(f.woff2)}@keyframes k{0%{x:0}to{x:1}}")
    out = purge_css(css, {"a", "b"})
    assert out == (".a{x:1}.b{x:2}.a .b{x:3}@media print{.a{x:6}}"
                   "@font-face{font-family:F;src:url(f.woff2)}@keyframes k{0%{x:0}to{x:1}}")


def test_classes_inside_pseudo_classes_never_drop_a_selector():
    # a:not(.gone) matches *more* without .gone; :is/:where/:has are judged by the browser, not here.
    css = "a:not(.gone){x:1}:is(.gone,.a) p{x:2}.a:has(.gone){x:3}.a[title='.gone']{x:4}"
    assert purge_css(css, {"a"}) == css


def test_escaped_class_names_and_js_prefixes_are_kept():
    css = r".\31 2{x:1}.md-status--new{x:2}.md-status--old{x:3}.other{x:4}"
    assert purge_css(css, set(), ("md-status--",)) == r".\31 2{x:1}.md-status--new{x:2}.md-status--old{x:3}"


def test_palette_values_not_on_the_site_go():
    css = ("[data-md-color-primary=indigo]{c:1}[data-md-color-primary=pink]{c:2}"
           '[data-md-color-scheme="slate"] .a{c:3}:not([data-md-color-primary=pink]){c:4}')
    used = {"primary=indigo", "scheme=slate", "a"}
    assert purge_css(css, used) == ('[data-md-color-primary=indigo]{c:1}[data-md-color-scheme="slate"] .a{c:3}'
                                    ":not([data-md-color-primary=pink]){c:4}")


def test_selectors_for_tabs_beyond_the_largest_tab_set_go():
    # Material's forms of "the N-th tab"; the site's largest tab set has 3 tabs (tabs=3 from used_classes).
    css = (".t .tabbed-set>input:nth-child(3):checked~.tabbed-labels>:nth-child(3),"
           ".t .tabbed-set>input:nth-child(4):checked~.tabbed-labels>:nth-child(4){x:1}"
           ".t .tabbed-labels>label:nth-child(5){x:2}.t .tabbed-block:nth-child(2){x:3}"
           ".t .tabbed-content>:nth-child(9){x:4}.t li:nth-child(9){x:5}")
    used = {"t", "tabbed-set", "tabbed-labels", "tabbed-block", "tabbed-content"}
    assert purge_css(css, used | {"tabs=3"}) == (
        ".t .tabbed-set>input:nth-child(3):checked~.tabbed-labels>:nth-child(3){x:1}"
        ".t .tabbed-block:nth-child(2){x:3}.t li:nth-child(9){x:5}")
    # a tab set that does not declare its size (tabs=*) keeps every selector
    assert purge_css(css, used | {"tabs=3", "tabs=*"}) == css


def test_used_classes_reads_tab_set_sizes(tmp_path):
    from tmj.csspurge import max_tabs, used_classes

    (tmp_path / "assets" / "javascripts").mkdir(parents=True)
    (tmp_path / "a.html").write_text('<div class="tabbed-set tabbed-alternate" data-tabs="1:3"></div>'
                                     '<div class="tabbed-set tabbed-alternate" data-tabs="2:2"></div>')
    assert max_tabs(used_classes(tmp_path)[0]) == 3
    (tmp_path / "b.html").write_text('<div class="tabbed-set"></div>')  # raw HTML, size unknown
    assert max_tabs(used_classes(tmp_path)[0]) == float("inf")


def test_unbalanced_css_is_an_error_not_a_silent_cut():
    with pytest.raises(CssParseError):
        purge_css(".a{x:1}}.b{x:2}", {"a", "b"})
    with pytest.raises(CssParseError):
        purge_css(".a{x:1", {"a"})


def test_full_material_sheet_round_trips_when_everything_is_used():
    import material

    class Everything(set):
        def __contains__(self, item):
            return True

    sheets = (Path(material.__file__).parent / "templates" / "assets" / "stylesheets").glob("*.min.css")
    for sheet in sheets:
        src = sheet.read_text(encoding="utf-8").split("/*# sourceMappingURL=")[0].rstrip()
        assert purge_css(src, Everything()) == src, sheet.name


# --- in Chromium --------------------------------------------------------------------------------------------

MISSING_JS = """
(originals) => {
  const split = s => {  // a selector list at its top-level commas
    const out = []; let depth = 0, start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === ',' && depth === 0) { out.push(s.slice(start, i).trim()); start = i + 1; }
    }
    out.push(s.slice(start).trim());
    return out;
  };
  const walk = (rules, cond, out) => {
    for (const r of rules) {
      if (r instanceof CSSStyleRule) for (const sel of split(r.selectorText)) out.push([cond, sel]);
      else if ((r instanceof CSSMediaRule || r instanceof CSSSupportsRule) && r.cssRules)
        walk(r.cssRules, cond + '@' + r.conditionText, out);
    }
  };
  const live = [];
  for (const sheet of document.styleSheets) { try { walk(sheet.cssRules, '', live); } catch (e) {} }
  const served = new Set(live.map(([c, s]) => c + '|' + s));
  const missing = [];
  let checked = 0;
  for (const [name, text] of originals) {
    const st = document.createElement('style');
    st.media = 'not all';  // parsed, never applied
    st.textContent = text;
    document.head.append(st);
    const rules = [];
    walk(st.sheet.cssRules, '', rules);
    st.remove();
    for (const [cond, sel] of rules) {
      checked++;
      if (served.has(cond + '|' + sel)) continue;
      let hit = false;
      try { hit = !!document.querySelector(sel); } catch (e) {
        // pseudo-elements cannot be queried: the element they belong to can
        const bare = sel.replace(/::?(before|after|placeholder|selection|marker|backdrop|-webkit-[\\w-]+|-moz-[\\w-]+)/g, '');
        try { hit = !!document.querySelector(bare || '*'); } catch (e2) {}
      }
      if (hit) missing.push(`${name}: ${cond} ${sel}`);
    }
  }
  return {missing, checked};
}
"""


@pytest.fixture(scope="module")
def originals(site):
    """The stylesheets as shipped: Material's from the installed package, KaTeX's from node_modules."""
    import material

    out = []
    pkg = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
    for sheet in sorted(pkg.glob("*.min.css")):
        out.append((sheet.name, sheet.read_text(encoding="utf-8")))
    out.append(("katex.min.css", (ROOT / "node_modules" / "katex" / "dist" / "katex.min.css").read_text(encoding="utf-8")))
    assert len(out) == 3
    return out


def _check(page, originals, where, problems):
    result = page.evaluate(MISSING_JS, originals)
    assert result["checked"] > 1000
    if result["missing"]:
        problems[where] = result["missing"][:10]


def test_served_css_is_smaller(site):
    served = sum(p.stat().st_size for p in (site.dir / "assets" / "stylesheets").glob("*.min.css"))
    import material

    shipped = sum(p.stat().st_size for p in
                  (Path(material.__file__).parent / "templates" / "assets" / "stylesheets").glob("*.min.css"))
    assert served < 0.9 * shipped, (served, shipped)
    html = (site.dir / "index.html").read_text(encoding="utf-8")
    for sheet in (site.dir / "assets" / "stylesheets").glob("*.min.css"):
        assert sheet.name in html, f"{sheet.name} is not linked from the home page"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_rule_a_page_needs_was_dropped(site, browser, originals, scheme):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme, locale="zh-CN")
    problems: dict[str, list[str]] = {}
    try:
        page = ctx.new_page()
        for path in site_pages(site.dir):
            page.goto(site.url + path, wait_until="networkidle")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            _check(page, originals, f"/{path}", problems)
        # Search with results on screen (built by the bundle and its worker).
        page.goto(site.url, wait_until="networkidle")
        box = page.locator("input.md-search__input")
        box.click()
        box.type("位置编码", delay=5)
        box.press("End")
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        _check(page, originals, "search results", problems)
        # Self-test mode on a question page: answers hidden behind reveal buttons.
        page.goto(site.url + "attention/q04-scaled-attention/", wait_until="networkidle")
        page.click("article button.tmj-mode")
        page.wait_for_selector("article button.tmj-mode[aria-pressed='true']")
        _check(page, originals, "self-test mode", problems)
        page.click("article button.tmj-mode")
    finally:
        ctx.close()
    assert not problems, "rules dropped that match elements on screen:\n" + json.dumps(problems, ensure_ascii=False, indent=1)
