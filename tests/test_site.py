"""What a reader sees: every built page opened in headless Chromium, on a desktop and at phone width."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from conftest import site_pages

# Text that must never be visible on a rendered page: TeX delimiters or commands left unrendered.
RAW_TEX_RE = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\(?:frac|sqrt|mathbb|text|operatorname|top|cdot|sum)\b")
# Lazy images off screen never decode until scrolled to, so make them eager first (a bare decode() on a lazy
# off-screen image waits forever); each decode also races a timeout so a broken image fails, never hangs.
DECODE_ALL_JS = """
els => Promise.all(els.map(e => {
  e.loading = 'eager';
  const ok = e.decode().then(() => e.naturalWidth > 0, () => false);
  return Promise.race([ok, new Promise(r => setTimeout(() => r(false), 10000))]);
}))
"""
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}

COLLECT_JS = """
async () => {
  // Force lazy images to load, then wait until each one has decoded (or failed).
  const imgs = [...document.querySelectorAll('img')];
  for (const img of imgs) { img.loading = 'eager'; }
  const broken = [];
  for (const img of imgs) {
    try {
      await Promise.race([img.decode(), new Promise((_, no) => setTimeout(no, 10000))]);
    } catch (e) { }
    if (!(img.complete && img.naturalWidth > 0)) broken.push(img.getAttribute('src'));
  }
  const content = document.querySelector('article.md-content__inner') || document.body;
  const clone = content.cloneNode(true);
  clone.querySelectorAll('.katex-mathml, pre, code, script, style').forEach(n => n.remove());
  return {
    katex: document.querySelectorAll('.katex').length,
    katexErrors: document.querySelectorAll('.katex-error').length,
    arithmatex: document.querySelectorAll('.arithmatex').length,
    text: clone.innerText,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    images: imgs.length,
    broken,
    title: document.title,
  };
}
"""


@pytest.fixture(scope="session")
def visits(site, browser):
    """Open every page once per viewport; record what the reader's browser did."""
    results = {}
    for vp_name, vp in VIEWPORTS.items():
        ctx = browser.new_context(viewport=vp, color_scheme="light", locale="zh-CN")
        for path in site_pages(site.dir):
            page = ctx.new_page()
            requests, console, errors = [], [], []
            page.on("request", lambda r, acc=requests: acc.append(r.url))
            page.on("console", lambda m, acc=console: acc.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, acc=errors: acc.append(str(e)))
            page.goto(site.url + path, wait_until="networkidle")
            data = page.evaluate(COLLECT_JS)
            page.wait_for_load_state("networkidle")
            data.update(requests=list(requests), console=console, errors=errors)
            results[(vp_name, path)] = data
            page.close()
        ctx.close()
    return results


def _fail_report(problems: dict) -> str:
    return "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_every_page_was_visited(site, visits):
    pages = site_pages(site.dir)
    assert len(pages) >= 5
    assert {p for _, p in visits} == set(pages)


def test_math_rendered_everywhere(visits):
    problems = {}
    for (vp, path), d in visits.items():
        if vp != "desktop":
            continue
        if d["katexErrors"]:
            problems[path] = f"{d['katexErrors']} .katex-error elements"
        if d["arithmatex"] and d["katex"] < d["arithmatex"]:
            problems[path] = f"{d['arithmatex']} formulas but only {d['katex']} rendered"
        m = RAW_TEX_RE.search(d["text"])
        if m:
            i = m.start()
            problems[path] = f"raw TeX visible: …{d['text'][max(0, i - 40):i + 40]!r}…"
    assert not problems, _fail_report(problems)


def test_question_pages_have_math(visits):
    q_pages = [p for (vp, p), d in visits.items() if vp == "desktop" and re.search(r"/q\d\d-", "/" + p)]
    assert q_pages
    for p in q_pages:
        assert visits[("desktop", p)]["katex"] > 0, p


def test_every_image_loads(visits):
    problems = {f"{vp} {p}": d["broken"] for (vp, p), d in visits.items() if d["broken"]}
    assert not problems, _fail_report(problems)


def test_no_request_leaves_the_site(site, visits):
    problems = {}
    for (vp, path), d in visits.items():
        off = [u for u in d["requests"] if not (u.startswith(site.origin + "/") or u.startswith("data:") or u.startswith("blob:"))]
        if off:
            problems[f"{vp} {path}"] = off
    assert not problems, _fail_report(problems)


def test_no_console_errors(visits):
    problems = {f"{vp} {p}": d["console"] + d["errors"] for (vp, p), d in visits.items() if d["console"] or d["errors"]}
    assert not problems, _fail_report(problems)


def test_no_sideways_scrolling_on_a_phone(visits):
    problems = {p: f"scrollWidth {d['scrollWidth']} > {d['innerWidth']}" for (vp, p), d in visits.items()
                if vp == "phone" and d["scrollWidth"] > d["innerWidth"]}
    assert not problems, _fail_report(problems)


def test_reader_gets_no_math_script(visits, site):
    """Math arrives as HTML: no KaTeX/MathJax script is ever requested."""
    for (vp, path), d in visits.items():
        scripts = [u for u in d["requests"] if re.search(r"katex(\.min)?\.js|mathjax|polyfill", u, re.I)]
        assert not scripts, (path, scripts)
    assert not list(site.dir.rglob("katex*.js"))


def _visible(page, selector: str) -> list[bool]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.offsetWidth > 0 && getComputedStyle(e).display !== 'none')")


def _cycle_palette_to(page, scheme: str) -> None:
    """Click the header's palette toggle (as a reader does) until Material's scheme is `scheme`."""
    for _ in range(4):
        if page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme and \
           page.evaluate("document.body.getAttribute('data-md-color-media')") != "(prefers-color-scheme)":
            return
        page.locator("form[data-md-component=palette] label:visible").first.click()
        page.wait_for_timeout(100)
    raise AssertionError(f"could not switch the palette to {scheme}")


def test_figures_follow_the_theme_toggle(site, context):
    page = context.new_page()
    page.goto(site.url + "attention/q04-scaled-attention/", wait_until="networkidle")
    assert page.locator("figure.tmj-figure").count() >= 2
    _cycle_palette_to(page, "default")
    assert all(_visible(page, "img.tmj-fig-light")) and not any(_visible(page, "img.tmj-fig-dark"))
    _cycle_palette_to(page, "slate")
    assert all(_visible(page, "img.tmj-fig-dark")) and not any(_visible(page, "img.tmj-fig-light"))
    # The dark SVGs really load once shown.
    for ok in page.eval_on_selector_all("img.tmj-fig-dark", DECODE_ALL_JS):
        assert ok


def test_instant_navigation_keeps_math_and_figures(site, context):
    page = context.new_page()
    page.goto(site.url, wait_until="networkidle")
    page.evaluate("window.__tmjMarker = 42")
    page.locator("article a[href*='q04-scaled-attention']").first.click()
    page.wait_for_url(re.compile(r"/attention/q04-scaled-attention/(#.*)?$"))
    page.wait_for_load_state("networkidle")
    # The URL can change a moment before the new content is swapped in: wait for the new page's title.
    page.wait_for_function("document.querySelector('article h1') && "
                           "document.querySelector('article h1').textContent.includes('√d_k')", timeout=15000)
    # Same document (instant navigation swapped the content instead of reloading the page) ...
    assert page.evaluate("window.__tmjMarker") == 42
    # ... and the new content arrived with its math and figures intact.
    assert page.locator(".katex").count() > 10
    assert page.locator(".katex-error").count() == 0
    assert all(page.eval_on_selector_all("img.tmj-fig-light", DECODE_ALL_JS))


def test_heading_anchors_are_unicode(site):
    html = (site.dir / "attention" / "q04-scaled-attention" / "index.html").read_text(encoding="utf-8")
    assert 'id="30-秒回答"' in html or 'id="30秒回答"' in html, re.findall(r'<h2 id="([^"]+)"', html)
    assert not re.search(r'<h[23] id="_\d+"', html)


def test_katex_assets_are_local_and_woff2_only(site):
    css = (site.dir / "assets" / "katex" / "katex.min.css").read_text(encoding="utf-8")
    fonts = sorted(p.name for p in (site.dir / "assets" / "katex" / "fonts").iterdir())
    assert fonts and all(f.endswith(".woff2") for f in fonts)
    for ref in re.findall(r"url\(([^)]+)\)", css):
        assert (site.dir / "assets" / "katex" / ref).is_file(), ref


def test_glossary_tooltips(site, context):
    page = context.new_page()
    page.goto(site.url + "attention/q04-scaled-attention/", wait_until="networkidle")
    abbrs = page.eval_on_selector_all("abbr[title]", "els => els.map(e => e.textContent)")
    assert abbrs, "no abbreviation tooltips on the Q4 page"


def test_palette_css_does_not_restyle_every_element_at_load(site):
    """Material sets body[data-md-color-switching] at every load; a `[data-md-color-switching] *` rule would make
    that a forced restyle of the whole page (tmj/perf.py). The built palette CSS must not contain it."""
    css = list((site.dir / "assets" / "stylesheets").glob("palette.*.min.css"))
    assert css, "Material's palette CSS missing"
    for f in css:
        assert "[data-md-color-switching] *" not in f.read_text(encoding="utf-8"), f.name


LAYOUT_SHIFT_JS = """() => new Promise(done => {
  const shifts = [];
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      shifts.push({value: e.value, at: Math.round(e.startTime), sources: e.sources.map(s => {
        const n = s.node;
        const name = !n ? '?' : n.nodeType === 1 ? `${n.tagName.toLowerCase()}${n.id ? '#' + n.id : ''}${n.className ? '.' + String(n.className).split(' ').join('.') : ''}` : (n.textContent || '').trim().slice(0, 30);
        return `${name} y ${Math.round(s.previousRect.y)}->${Math.round(s.currentRect.y)} h ${Math.round(s.previousRect.height)}->${Math.round(s.currentRect.height)}`;
      })});
    }
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => done(shifts), 300);
})"""


def test_nothing_moves_while_a_page_loads(site, browser):
    """Cumulative layout shift of every page loading on a phone (Lighthouse's mobile viewport), with Material's
    JavaScript, the self-test bar and the KaTeX fonts arriving: at most 0.02 (Lighthouse calls < 0.1 good). The
    failure names what moved and by how much."""
    ctx = browser.new_context(viewport={"width": 412, "height": 823}, device_scale_factor=1.75, is_mobile=True,
                              has_touch=True, locale="zh-CN")
    problems = {}
    try:
        for path in site_pages(site.dir):
            page = ctx.new_page()
            page.goto(site.url + path, wait_until="networkidle")
            page.wait_for_timeout(200)
            shifts = page.evaluate(LAYOUT_SHIFT_JS)
            total = sum(s["value"] for s in shifts)
            if total > 0.02:
                problems[f"/{path}"] = f"CLS {total:.3f}: " + "; ".join(
                    f"{s['value']:.3f} at {s['at']} ms ({', '.join(s['sources'][:3])})" for s in shifts)
            page.close()
    finally:
        ctx.close()
    assert not problems, _fail_report(problems)


def test_start_up_does_not_restyle_the_page_needlessly(site, context):
    """tmj/perf.py moves three things Material's bundle would do at start-up (each a restyle of the whole page)
    to before there is a page: <html class="js">, the colour-scheme meta, absolute URLs in <head>. Still true
    before the bundle runs (bundle blocked), and the theme toggle still drives the one colour-scheme meta."""
    page = context.new_page()
    page.route(re.compile(r".*/assets/javascripts/bundle\.[0-9a-f]+\.min\.js$"), lambda r: r.abort())
    page.goto(site.url + "attention/q04-scaled-attention/", wait_until="load")
    state = page.evaluate("""() => ({
      cls: document.documentElement.className,
      schemes: [...document.querySelectorAll('meta[name=color-scheme]')].map(m => m.content),
      relative: [...document.head.querySelectorAll('[href],[src]')].map(e => e.getAttribute(e.hasAttribute('href') ? 'href' : 'src'))
                  .filter(u => !/^(?:[a-z]+:)?\\/\\//i.test(u)),
    })""")
    assert state == {"cls": "js", "schemes": ["light"], "relative": []}, state
    page.close()

    page = context.new_page()
    page.goto(site.url + "attention/q04-scaled-attention/", wait_until="networkidle")
    schemes = "() => [...document.querySelectorAll('meta[name=color-scheme]')].map(m => m.content)"
    assert page.evaluate(schemes) == ["light"]
    for _ in range(3):  # follow system -> light -> dark, whatever the start: until the page is dark
        if page.evaluate("document.body.dataset.mdColorScheme") == "slate":
            break
        page.locator("form[data-md-component=palette] label:visible").click()
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    assert page.evaluate(schemes) == ["dark"]
    assert page.evaluate("getComputedStyle(document.body).colorScheme") == "dark"


TOC_TARGETS_SKIPPED_JS = """() => {
  const out = [];
  for (const a of document.querySelectorAll('.md-nav--secondary a.md-nav__link')) {
    const t = document.getElementById(decodeURIComponent(a.hash.slice(1)));
    if (!t) { out.push('no target for ' + a.hash); continue; }
    for (let e = t.parentElement; e && !e.classList.contains('md-content__inner'); e = e.parentElement)
      if (getComputedStyle(e).contentVisibility === 'auto') out.push(`${t.tagName.toLowerCase()}#${t.id} inside ${e.tagName.toLowerCase()}.${e.className}`);
  }
  return out.concat([...document.querySelectorAll('a.headerlink[title]')].slice(0, 3).map(a => 'permalink with a title: ' + a.hash));
}"""


def test_start_up_lays_out_no_skipped_block(site, context):
    """When Material's bundle starts it reads the offsetTop of every heading in the table of contents, and mounts
    a tooltip (one forced layout each) on every element with a title. A heading inside a block that
    content-visibility skips makes each read lay out that block on the spot (the cheat sheet's cards: a 600 ms
    task at 4x CPU); section permalinks carry aria-label, not title (tmj/perf.py)."""
    page = context.new_page()
    problems = {}
    for path in site_pages(site.dir):
        page.goto(site.url + path, wait_until="load")
        found = page.evaluate(TOC_TARGETS_SKIPPED_JS)
        if found:
            problems[f"/{path}"] = found
    page.close()
    assert not problems, _fail_report(problems)


def test_code_blocks_have_a_copy_button_that_copies(site, context):
    """Every code block of a notebook page has Material's copy button once the reader has scrolled past it, and
    the button copies the block's code."""
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site.url + "hands-on/04-encoder-decoder/", wait_until="networkidle")
    blocks = page.locator("article div.highlight pre")
    assert blocks.count() >= 3
    for i in range(blocks.count()):
        blocks.nth(i).scroll_into_view_if_needed()
        page.wait_for_timeout(100)
    missing = page.eval_on_selector_all("article div.highlight pre", "els => els.map((e, i) => e.querySelector('.md-code__button') ? null : i).filter(i => i !== null)")
    assert not missing, f"code blocks without a copy button after scrolling: {missing}"
    first = blocks.nth(0)
    first.scroll_into_view_if_needed()
    first.hover()
    first.locator(".md-code__button").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() and copied.strip().splitlines()[0] in first.locator("code").inner_text()


def test_tables_wrapped_at_build_time_look_like_materials(site, context):
    """tmj/perf.py writes Material's table wrappers at build time and marks the table (so Material's script does
    not re-wrap it and restyle the article); every computed style of the table, a header cell, a body cell and a
    row equals that of the same table without the mark (how Material styles it), in both schemes."""
    page = context.new_page()
    page.goto(site.url + "embeddings/q10-positional-encodings/", wait_until="networkidle")
    for scheme in ("default", "slate"):
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        result = page.evaluate("""() => {
          document.querySelectorAll('.tmj-twin').forEach(e => e.remove());
          const wrap = document.querySelector('article .md-typeset__scrollwrap');
          const twin = wrap.cloneNode(true);
          twin.classList.add('tmj-twin');
          twin.querySelector('table').removeAttribute('class');
          wrap.after(twin);
          const parts = t => [t, t.querySelector('th'), t.querySelector('td'), t.querySelector('tbody tr')];
          const style = e => { const s = getComputedStyle(e); return Object.fromEntries([...s].map(p => [p, s.getPropertyValue(p)])); };
          const mine = parts(wrap.querySelector('table')).map(style), theirs = parts(twin.querySelector('table')).map(style);
          const diff = [];
          mine.forEach((m, i) => { for (const p in m) if (m[p] !== theirs[i][p]) diff.push(`${i} ${p}: ${m[p]} vs ${theirs[i][p]}`); });
          return {marked: wrap.querySelector('table').className, unwrapped: document.querySelectorAll('article table:not([class])').length, diff};
        }""")
        assert result["marked"] == "tmj-table" and result["unwrapped"] == 1, result  # only the twin is class-less
        assert not result["diff"], (scheme, result["diff"][:10])
