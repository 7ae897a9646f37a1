"""Accessibility: axe-core (node_modules/axe-core, injected into the page) on every page in both colour schemes,
meaningful alt text on figures, and the contrast of figure text against the page background in both themes."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, site_pages

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# For the check only: lay out every block (extra.css skips off-screen blocks with content-visibility), so axe
# sees every element; math-scroll.js's ResizeObserver then reports the newly laid-out formulas and marks those
# that overflow.
RENDER_ALL_CSS = ".md-typeset * { content-visibility: visible !important; }"  # the cheat sheet skips answers inside cards
RUN_AXE_JS = """
async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))}));
}
"""
SCHEMES = {"light": "default", "dark": "slate"}


@pytest.fixture(scope="module")
def axe_results(site, browser):
    assert AXE_JS.is_file(), "node_modules/axe-core missing: run `python3 run.py setup`"
    results = {}
    for media, scheme in SCHEMES.items():
        # The palette's first option follows the system: the context's colour scheme picks light or slate.
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=media, locale="zh-CN")
        for path in site_pages(site.dir):
            page = ctx.new_page()
            page.goto(site.url + path, wait_until="networkidle")
            got = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
            assert got == scheme, f"/{path}: expected colour scheme {scheme}, page has {got}"
            page.add_style_tag(content=RENDER_ALL_CSS)
            page.evaluate("window.dispatchEvent(new Event('resize'))")
            page.wait_for_timeout(700)  # math-scroll.js: ResizeObserver callbacks after the next layout
            page.add_script_tag(path=str(AXE_JS))
            results[(scheme, path)] = page.evaluate(RUN_AXE_JS)
            page.close()
        ctx.close()
    return results


def test_axe_no_serious_or_critical_violations(axe_results):
    problems = []
    for (scheme, path), violations in sorted(axe_results.items()):
        for v in violations:
            if v["impact"] in ("serious", "critical"):
                problems.append(f"[{scheme}] /{path}: {v['id']} ({v['impact']}) {v['help']}\n      " + "\n      ".join(v["nodes"]))
    assert not problems, f"{len(problems)} serious/critical axe violations:\n" + "\n".join(problems)


def test_overflowing_display_math_is_keyboard_reachable(site, browser):
    """On a phone, wide display formulas scroll sideways inside their box; each such box is focusable and named."""
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, color_scheme="light", locale="zh-CN")
    page = ctx.new_page()
    page.goto(site.url + "attention/q04-scaled-attention/", wait_until="networkidle")
    page.add_style_tag(content=RENDER_ALL_CSS)
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    page.wait_for_timeout(700)
    boxes = page.eval_on_selector_all(".md-typeset div.arithmatex", """els => els.map(e => ({
        over: e.scrollWidth > e.clientWidth + 1, tab: e.getAttribute('tabindex'),
        role: e.getAttribute('role'), label: e.getAttribute('aria-label')}))""")
    ctx.close()
    over = [b for b in boxes if b["over"]]
    assert over, "expected at least one display formula wider than a 375 px phone on the Q4 page"
    assert all(b["tab"] == "0" and b["role"] == "region" and b["label"] for b in over), over
    assert all(b["tab"] is None for b in boxes if not b["over"]), "formulas that fit must not be tab stops"


MATH_BOXES_JS = """els => els.map(e => ({over: e.scrollWidth > e.clientWidth + 1, tab: e.getAttribute('tabindex'),
    role: e.getAttribute('role'), label: e.getAttribute('aria-label'), top: Math.round(e.getBoundingClientRect().top)}))"""


def _marks_match(boxes):
    return [b for b in boxes if (b["over"] and not (b["tab"] == "0" and b["role"] == "region" and b["label"]))
            or (not b["over"] and b["tab"] is not None)]


def test_display_math_marks_follow_the_reader(site, browser):
    """Without forcing anything: a formula is marked once the browser lays it out (first screen at load; further
    down when the reader scrolls there), marks follow a window resize, and a page reached by instant navigation
    is marked too. (The check reads the boxes only after scrolling, so it does not do math-scroll.js's work.)"""
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, color_scheme="light", locale="zh-CN")
    page = ctx.new_page()
    page.goto(site.url + "attention/q04-scaled-attention/", wait_until="networkidle")
    seen, wrong, y = {}, [], 0
    while y < page.evaluate("document.documentElement.scrollHeight"):  # read each formula while it is on screen
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(150)
        for i, b in enumerate(page.eval_on_selector_all(".md-typeset div.arithmatex", MATH_BOXES_JS)):
            if 0 <= b["top"] < 700:
                seen[i] = b
                wrong += _marks_match([b])
        y += 500
    assert len(seen) == page.eval_on_selector_all(".md-typeset div.arithmatex", "els => els.length"), "a formula was never on screen"
    assert sum(b["over"] for b in seen.values()) >= 2, "expected display formulas wider than a 375 px phone on Q4"
    assert not wrong, f"at 375 px, formulas on screen: {wrong}"
    boxes = list(seen.values())
    page.set_viewport_size({"width": 1280, "height": 900})
    wide = []
    for i in [i for i, b in seen.items() if b["over"]]:  # the formulas that scrolled on the phone, on a desktop
        page.evaluate(f"document.querySelectorAll('.md-typeset div.arithmatex')[{i}].scrollIntoView({{block: 'center'}})")
        page.wait_for_timeout(150)
        wide.append(page.eval_on_selector_all(".md-typeset div.arithmatex", MATH_BOXES_JS)[i])
    assert not _marks_match(wide), f"at 1280 px: {_marks_match(wide)}"
    assert any(not b["over"] and b["tab"] is None for b in wide), "at 1280 px some of them should fit, unmarked"
    page.set_viewport_size({"width": 375, "height": 740})
    page.evaluate("window.scrollTo(0, 0)")
    # instant navigation (Material swaps the page without a reload): the new page's formulas are watched
    page.evaluate("window.__same_document = true")
    page.locator('article a[href*="q10-positional-encodings/"]').first.click()
    page.wait_for_url(re.compile(r"/embeddings/q10-positional-encodings/(#.*)?$"))
    page.wait_for_function("document.querySelector('article h1') && "
                           "document.querySelector('article h1').textContent.includes('位置编码')", timeout=15000)
    assert page.evaluate("window.__same_document === true"), "expected an instant (same-document) navigation"
    page.evaluate("document.querySelector('.md-typeset div.arithmatex').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    first = [b for b in page.eval_on_selector_all(".md-typeset div.arithmatex", MATH_BOXES_JS) if 0 <= b["top"] < 700]
    assert first, "expected Q10's first display formula on screen"
    assert not _marks_match(first), f"after instant navigation: {_marks_match(first)}"
    ctx.close()


def test_figures_have_meaningful_alt_text(site):
    problems = []
    for html_file in sorted(site.dir.rglob("index.html")):
        html = html_file.read_text(encoding="utf-8")
        for img in re.findall(r"<img [^>]*class=\"tmj-fig-[a-z]+\"[^>]*>", html):
            alt = re.search(r'alt="([^"]*)"', img)
            src = re.search(r'src="([^"]*)"', img).group(1)
            text = alt.group(1).strip() if alt else ""
            stem = Path(src).stem
            if len(text) < 8 or text.lower() in (stem.lower(), stem.replace("_", " ").lower()) or re.fullmatch(r"[\w\-. ]+\.svg", text):
                problems.append(f"{html_file.relative_to(site.dir)}: {src} alt={text!r}")
            if not re.search(r'\bwidth="\d+"', img) or not re.search(r'\bheight="\d+"', img):
                problems.append(f"{html_file.relative_to(site.dir)}: {src} has no intrinsic width/height (layout shift)")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
def _lum(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_lum(a), _lum(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# The page backgrounds the transparent figures sit on: Material's default (white) and slate schemes.
PAGE_BG = {"light": "#ffffff", "dark": "#1e2129"}
TEXT_RE = re.compile(r"<(?:text|tspan)\b[^>]*style=\"[^\"]*fill:\s*(#[0-9a-fA-F]{3,6})", re.S)
GROUP_TEXT_RE = re.compile(r"<g style=\"fill:\s*(#[0-9a-fA-F]{3,6})\"[^>]*>\s*<text", re.S)


def test_theme_palette_contrast():
    from tmj.figures import DARK, LIGHT

    for theme in (LIGHT, DARK):
        for name in ("fg", "muted"):
            c = getattr(theme, name)
            assert contrast(c, PAGE_BG[theme.name]) >= 4.5, (theme.name, name, c)
        for c in theme.palette:
            assert contrast(c, PAGE_BG[theme.name]) >= 4.5, (theme.name, "palette", c)


def test_figure_text_contrast_in_both_themes(site):
    """Every text fill in every built figure SVG against its theme's page background: >= 4.5:1.
    Text in the page's own colour is only used on filled heatmap cells (annotations), where the page
    background is not what it sits on: those are not checked here."""
    problems = []
    svgs = sorted((site.dir / "figures").glob("*.svg"))
    assert svgs
    for svg in svgs:
        theme = "dark" if svg.stem.endswith("-dark") else "light"
        text = svg.read_text(encoding="utf-8")
        fills = set(TEXT_RE.findall(text)) | set(GROUP_TEXT_RE.findall(text))
        for fill in sorted(fills):
            if fill.lower() == PAGE_BG[theme]:
                continue  # page-coloured text only sits on filled heatmap cells (q05, q11 annotations), not on the page
            ratio = contrast(fill, PAGE_BG[theme])
            if ratio < 4.5:
                problems.append(f"{svg.name}: text fill {fill} on {PAGE_BG[theme]} = {ratio:.2f}:1")
    assert not problems, "\n".join(problems)
