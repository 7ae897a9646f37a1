"""Post-processing of every built page for speed and accessibility (called by hooks/perf.py).

* KaTeX fonts: preload the few woff2 files the first formulas of a page use, so text with math does not
  shift when the fonts arrive (Lighthouse's CLS; KaTeX's CSS lists 20 fonts, a page uses 3-6).
* Material's bundle is loaded with ``defer``: it only enhances the page, and the HTML is complete without it.
* Two ARIA names Material leaves out (the search dialog, the instant-navigation progress bar).
* Material's palette CSS: the rule that switches transitions off under ``body[data-md-color-switching]`` is
  dropped (see drop_palette_switching_rule).
* Start-up restyles: what Material's bundle would change on a finished page (the ``js`` class, the
  colour-scheme meta, absolute ``<head>`` URLs, table wrappers) is done before there is a page (below).
* Section permalinks are named by aria-label, not title, so Material mounts no tooltip on them, and an
  abbreviation is explained (title) only where the page first uses it (below).
"""
from __future__ import annotations

import re

# KaTeX class -> the woff2 file it draws with (KaTeX 0.16 CSS). Main-Regular is used by every formula.
FONT_OF_CLASS = {
    "mathnormal": "KaTeX_Math-Italic",
    "mathit": "KaTeX_Main-Italic",
    "mathbf": "KaTeX_Main-Bold",
    "textbf": "KaTeX_Main-Bold",
    "boldsymbol": "KaTeX_Math-BoldItalic",
    "amsrm": "KaTeX_AMS-Regular",
    "textbb": "KaTeX_AMS-Regular",
    "mathcal": "KaTeX_Caligraphic-Regular",
    "mathsf": "KaTeX_SansSerif-Regular",
    "textsf": "KaTeX_SansSerif-Regular",
    "mathtt": "KaTeX_Typewriter-Regular",
    "texttt": "KaTeX_Typewriter-Regular",
    "size1": "KaTeX_Size1-Regular",
    "small-op": "KaTeX_Size1-Regular",
    "size2": "KaTeX_Size2-Regular",
    "large-op": "KaTeX_Size2-Regular",
    "size3": "KaTeX_Size3-Regular",
    "size4": "KaTeX_Size4-Regular",
}
# Only the formulas a reader sees first can shift the first screen; later fonts load on their own.
FIRST_FORMULAS = 12
KATEX_START_RE = re.compile(r'<span class="katex(?:-display)?"')
CLASS_RE = re.compile(r'class="([^"]*)"')
# Indentation and blank lines of the HTML (outside <pre>, <textarea> and <script>, where whitespace is content): a newline
# stays, so inline spacing is unchanged; ~0.8 KB gzip on the longest page.
KEEP_WHITESPACE_RE = re.compile(r"(<pre\b.*?</pre>|<textarea\b.*?</textarea>|<script\b.*?</script>)", re.S)
INDENT_RE = re.compile(r"\n\s+")
BUNDLE_RE = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>')


def katex_fonts(html: str, first: int = FIRST_FORMULAS) -> list[str]:
    """The KaTeX font files (stem names) used by the first ``first`` formulas of ``html``, in a stable order."""
    starts = [m.start() for m in KATEX_START_RE.finditer(html)]
    if not starts:
        return []
    # A formula ends where its MathML copy's sibling (the HTML rendering) ends; the next start bounds it well enough.
    end = starts[first] if len(starts) > first else html.find("</article>", starts[-1])
    chunk = html[starts[0]: end if end > 0 else None]
    fonts = {"KaTeX_Main-Regular"}
    for m in CLASS_RE.finditer(chunk):
        for cls in m.group(1).split():
            font = FONT_OF_CLASS.get(cls)
            if font:
                fonts.add(font)
    return sorted(fonts)


def site_root(page_url: str) -> str:
    """Relative path from a page (use_directory_urls) to the site root: '' -> '.', 'a/b/' -> '../..'."""
    depth = page_url.strip("/").count("/") + 1 if page_url.strip("/") else 0
    if page_url and not page_url.endswith("/"):  # e.g. 404.html
        depth = page_url.count("/")
    return "/".join([".."] * depth) or "."


# Start-up restyles. Material's bundle starts on a page whose style has been computed once; three things it does
# at start-up each made Chromium restyle the whole document again (measured with the trace's invalidation
# tracking on the Q4 page, 4x CPU throttling: 3-4 full recalculations of ~3,800 elements, 90-740 ms each, down
# to 1 with the three changes below, and a fourth for tables; tests/test_site.py checks the behaviour they keep):
# 1. It swaps <html class="no-js"> for "js": a class change on the root. Done in the first line of <head>
#    instead, before there is a body to restyle (with JavaScript off the page keeps "no-js").
EARLY_JS = '<script>document.documentElement.classList.replace("no-js","js")</script>'
# 2. Its palette component appends an empty <meta name="color-scheme"> to <head> and then fills it in: each
#    change of the page's colour schemes restyles everything. Right after Material's inline palette script (when
#    <body> is still empty and its style is cheap) the page gets its colour-scheme meta with the value Material
#    would compute; the meta Material appends later is not inserted but forwards its content to ours, so the
#    scheme is written only when it really changes (the reader toggles the theme).
COLOR_SCHEME_JS = (
    '<script>(function(){var h=document.head,a=h.appendChild,m=document.createElement("meta");'
    'm.name="color-scheme";m.content=getComputedStyle(document.body).colorScheme;a.call(h,m);'
    'h.appendChild=function(n){if(n&&n.tagName==="META"&&n.name==="color-scheme"&&!n.content){delete h.appendChild;'
    'Object.defineProperty(n,"content",{get:function(){return m.content},set:function(v){if(m.content!==v)m.content=v}});'
    'return n}return a.call(h,n)}})()</script>'
)
PALETTE_SCRIPT_RE = re.compile(r'<script>var palette=__md_get\("__palette"\).*?</script>', re.S)
# 3. Instant navigation rewrites every relative href/src as an absolute URL (``el.href = el.href``); on the
#    stylesheet links in <head> that restyles the whole page. The same rewrite, for <head> only, at the end of
#    <head>: it costs nothing there, and Material then finds those URLs already absolute and leaves them alone.
ABSOLUTE_HEAD_JS = (
    '<script>document.head.querySelectorAll("[href],[src]").forEach(function(e){["href","src"].some(function(k){'
    'var u=e.getAttribute(k);if(u&&!/^(?:[a-z]+:)?\\/\\//i.test(u)){e[k]=e[k];return true}})})</script>'
)


# 4. Material wraps every `table:not([class])` in two <div>s for horizontal scrolling when it starts; replacing
#    a child of the article restyles the whole article (sibling-position rules; 1,200-1,500 elements, ~200 ms
#    of the throttled CPU on Q10). The same wrappers are written at build time and the table gets a class, so
#    Material's script leaves it alone; tmj/csspurge.py gives every `table:not([class])` rule of Material's CSS a
#    `table.tmj-table` twin, so it looks the same (tests/test_site.py compares the computed styles).
TABLE_CLASS = "tmj-table"
TABLE_OPEN = f'<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="{TABLE_CLASS}">'


def wrap_tables(html: str) -> str:
    if "<table" not in html or html.count("<table") != html.count("<table>"):
        return html  # a table with attributes came from raw HTML: left to Material
    return html.replace("<table>", TABLE_OPEN).replace("</table>", "</table></div></div>")


# 5. Material's content.tooltips mounts a tooltip component (hover and focus subscriptions) on every element
#    with a title when the bundle starts: on Q10, 107 titled elements cost about 60 ms of start-up script
#    (unthrottled; 240 ms under Lighthouse's 4x CPU). A question page has 10-25 section permalinks ("¶", title
#    from toc.permalink_title in mkdocs.yml). Their text becomes the link's accessible name instead
#    (aria-label: a better name than "¶"), so they get no tooltip.
HEADERLINK_RE = re.compile(r'(<a class="headerlink" href="[^"]*") title="([^"]*)"')
# 6. For the same reason an abbreviation is explained where the page first uses it, as in print: the abbr
#    extension marks every occurrence (Q12: 133 <abbr title> for 6 terms, Q10: 67 for 8), and each was a
#    tooltip. Later occurrences become plain text; the glossary page (术语表) lists every term.
ABBR_RE = re.compile(r'<abbr title="([^"]*)">(.*?)</abbr>', re.S)


def first_abbreviations(html: str) -> str:
    seen: set[str] = set()

    def sub(m: re.Match) -> str:
        if m.group(2) in seen:
            return m.group(2)
        seen.add(m.group(2))
        return m.group(0)

    return ABBR_RE.sub(sub, html)


def postprocess(html: str, page_url: str) -> str:
    root = site_root(page_url)
    fonts = katex_fonts(html)
    links = "".join(
        f'<link rel="preload" href="{root}/assets/katex/fonts/{f}.woff2" as="font" type="font/woff2" crossorigin>'
        for f in fonts
    )
    html = html.replace("</head>", links + ABSOLUTE_HEAD_JS + "\n</head>", 1)
    if 'class="no-js"' in html[:300]:
        html = html.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + EARLY_JS, 1)
    html = PALETTE_SCRIPT_RE.sub(lambda m: m.group(0) + COLOR_SCHEME_JS, html, count=1)
    html = wrap_tables(html)
    html = HEADERLINK_RE.sub(r'\1 aria-label="\2"', html)
    html = first_abbreviations(html)
    html = BUNDLE_RE.sub(r'<script src="\1" defer></script>', html, count=1)
    parts = KEEP_WHITESPACE_RE.split(html)
    html = "".join(p if i % 2 else INDENT_RE.sub("\n", p) for i, p in enumerate(parts))
    html = html.replace('data-md-component="search" role="dialog"',
                        'data-md-component="search" role="dialog" aria-label="搜索"', 1)
    html = html.replace('data-md-component="progress" role="progressbar"',
                        'data-md-component="progress" role="progressbar" aria-label="页面加载进度"', 1)
    return html


def minify_own_assets(site_dir, assets: list[str]) -> int:
    """Strip comments and indentation from the site's own CSS and JS (``assets``: paths in the site, from
    extra_css / extra_javascript; already minified ``*.min.*`` files are left alone). They are documented in the
    sources; readers download them on every cold visit. Returns the bytes saved."""
    from pathlib import Path

    saved = 0
    for rel in assets:
        p = Path(site_dir) / rel
        if ".min." in p.name or p.suffix not in (".css", ".js") or not p.is_file():
            continue
        src = p.read_text(encoding="utf-8")
        out = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
        out = "\n".join(line.strip() for line in out.splitlines() if line.strip()) + "\n"
        saved += len(src) - len(out)
        p.write_text(out, encoding="utf-8")
    return saved


# Material's palette.css: `[data-md-color-switching] *, ... :after, ... :before {transition-duration: 0s}`.
# The palette script sets that attribute on <body> at every page load (not only when the reader switches), then
# reads getComputedStyle(header): a selector on every descendant turns that into a forced style recalculation of
# the whole page, ~1.5 s of the 4x-throttled CPU on the Q4 page (11,000 elements of KaTeX markup), and again when
# the attribute is removed. Without the rule a palette switch may animate the few colours that have transitions.
PALETTE_SWITCHING_RE = re.compile(r"\[data-md-color-switching\] \*,\[data-md-color-switching\] :after,"
                                  r"\[data-md-color-switching\] :before\{transition-duration:0s!important\}")


def drop_palette_switching_rule(site_dir) -> int:
    """Remove the rule above from Material's palette CSS in the built site; returns how many files changed.
    Fails loudly if the palette CSS is there but the rule is not (a Material upgrade changed it: re-check)."""
    from pathlib import Path

    changed = 0
    for css in sorted((Path(site_dir) / "assets" / "stylesheets").glob("palette.*.min.css")):
        src = css.read_text(encoding="utf-8")
        out, n = PALETTE_SWITCHING_RE.subn("", src)
        if n != 1:
            raise RuntimeError(f"{css}: Material's [data-md-color-switching] rule not found once (found {n}); "
                               "update tmj/perf.py PALETTE_SWITCHING_RE for this Material version")
        css.write_text(out, encoding="utf-8")
        changed += 1
    return changed
