"""Drop the rules of Material's and KaTeX's stylesheets that can never match on this site (hooks/perf.py).

Material ships one stylesheet for every feature it has (blog posts, cookie consent, tabs, keyboard keys,
emoji, code annotations ...): 134 KB, 22.5 KB gzip, parsed on every cold visit and matched against every
element of a page (a question page has 8,000). About half of its class names occur nowhere on this site.

What counts as used is read from the built site itself, so a new page that uses a new feature keeps its
rules without anyone editing a list:

* every token of every ``class="..."`` attribute in every built HTML page (inline SVG icons included);
* every identifier-like token in every script under ``assets/javascripts`` (Material's bundle and its search
  worker build the classes of search results, tooltips, copy buttons ... from string literals), and a token
  that ends in ``-`` or ``_`` there (``"md-status--" + x``) keeps every class that starts with it.

A selector is dropped only when it names, outside any parentheses, a class that is not used: such a selector
cannot match any element. Classes inside ``:not()``, ``:is()``, ``:where()`` and ``:has()`` are never used to
drop anything (``a:not(.md-button)`` matches *more* when ``md-button`` is absent). A rule keeps the selectors
that may match; a rule with none left is dropped, and so is an ``@media``/``@supports`` block left empty.
``@font-face``, ``@keyframes`` and every other at-rule are kept as they are. Escaped class names keep their
selector.

Content tabs: Material styles the N-th tab of a tab set with one selector per N, up to 20, and most of them end
in a bare ``:nth-child(N)``, which the browser tries against every element of every page (half the selector
matching time of a question page). When every tab set on the site declares its size (pymdownx.tabbed's
``data-tabs="set:count"``), a selector about tab N is dropped when no set has N tabs.

The file is renamed after its new content (``main.<hash>.min.css``) and every page's link is rewritten, so a
browser never mixes a cached full stylesheet with new pages or the other way round.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tmj.perf import TABLE_CLASS  # tables wrapped at build time (tmj/perf.py wrap_tables)

CLASS_ATTR_RE = re.compile(r'\bclass="([^"]*)"')
JS_TOKEN_RE = re.compile(r"[A-Za-z_][\w-]*")
GROUPING_AT_RULES = ("@media", "@supports", "@container", "@layer", "@document")
MATERIAL_CSS_RE = re.compile(r"^(main|palette)\.[0-9a-f]{8}\.min\.css$")
# Material's colour palettes: one rule per primary/accent colour and scheme it offers; a page only ever carries
# the values configured in mkdocs.yml (on <body> and on the palette toggle's inputs, which the bundle copies).
PALETTE_ATTR_RE = re.compile(r"\[data-md-color-(primary|accent|scheme)=[\"']?([\w-]+)[\"']?\]")
PALETTE_HTML_RE = re.compile(r'data-md-color-(primary|accent|scheme)="([\w-]+)"')
# The N-th tab's input, label or panel in Material's content-tab selectors, and a tab set's declared size.
TAB_NTH_RE = re.compile(r"(?:\.tabbed-set>input|\.tabbed-labels>(?:label)?|\.tabbed-content>|\.tabbed-block):nth-child\((\d+)\)")
TAB_SET_RE = re.compile(r'class="tabbed-set[ "]')
TAB_COUNT_RE = re.compile(r'data-tabs="\d+:(\d+)"')


class CssParseError(RuntimeError):
    pass


def used_classes(site_dir: Path) -> tuple[set[str], tuple[str, ...]]:
    """(class names that occur on the site, prefixes that keep every class starting with them). Palette values
    used on the site are in the same set, as ``"primary=indigo"`` and the like, and so is the size of the
    largest tab set, as ``"tabs=3"`` (``"tabs=*"`` when a tab set does not declare its size)."""
    used: set[str] = set()
    tabs = 0
    for html in site_dir.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for attr in CLASS_ATTR_RE.findall(text):
            used.update(attr.split())
        used.update(f"{kind}={value}" for kind, value in PALETTE_HTML_RE.findall(text))
        counts = [int(n) for n in TAB_COUNT_RE.findall(text)]
        if len(TAB_SET_RE.findall(text)) > len(counts):
            used.add("tabs=*")
        tabs = max([tabs, *counts])
    used.add(f"tabs={tabs}")
    prefixes: set[str] = set()
    for js in (site_dir / "assets" / "javascripts").rglob("*.js"):
        for tok in JS_TOKEN_RE.findall(js.read_text(encoding="utf-8")):
            used.add(tok)
            if tok.endswith(("-", "_")) and len(tok) > 3:
                prefixes.add(tok)
    return used, tuple(sorted(prefixes))


def _outside_strings(text: str):
    """(index, character, depth) for every character of ``text`` outside quoted strings and comments; ``depth``
    counts the ``(`` and ``[`` open around it (an opening bracket is reported at the depth outside it). An
    unclosed string or comment is an error: cutting a stylesheet there would silently drop the rest."""
    depth, quote, i, n = 0, "", 0, len(text)
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise CssParseError(f"unclosed comment at offset {i}")
            i = end + 2
            continue
        elif c in "\"'":
            quote = c
        else:
            if c in ")]":
                depth -= 1
            yield i, c, depth
            if c in "([":
                depth += 1
        i += 1
    if quote:
        raise CssParseError("unclosed string")


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses, brackets and strings."""
    parts, start = [], 0
    for i, c, depth in _outside_strings(text):
        if c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _top_level_classes(selector: str) -> list[str] | None:
    """Class names (and palette attributes, as ``"primary=indigo"``) outside parentheses, brackets and strings;
    None when a class name is escaped (keep the selector)."""
    out, skip_to = [], 0
    for i, c, depth in _outside_strings(selector):
        if i < skip_to or depth:
            continue
        if c == "[" and (m := PALETTE_ATTR_RE.match(selector, i)):
            out.append(f"{m.group(1)}={m.group(2)}")
            skip_to = m.end()
        elif c == ".":
            m = re.match(r"-?[_a-zA-Z][\w-]*", selector[i + 1:])
            if m is None:
                return None  # escaped or unusual class name: do not judge it
            end = i + 1 + m.end()
            if end < len(selector) and selector[end] == "\\":
                return None
            out.append(m.group(0))
            skip_to = end
    return out


def _blocks(css: str) -> list[tuple[str, str | None]]:
    """Top-level items of a stylesheet body: (prelude, body) for blocks, (statement, None) for ``@import ...;``."""
    items, start, depth, prelude_end = [], None, 0, None
    for i, c, _ in _outside_strings(css):
        if start is None:
            if c in " \n\t\r":
                continue
            start, prelude_end = i, None
        if c == "{":
            if depth == 0:
                prelude_end = i
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                raise CssParseError(f"unbalanced '}}' at offset {i}")
            if depth == 0:
                items.append((css[start:prelude_end], css[prelude_end + 1:i]))
                start = None
        elif c == ";" and depth == 0:
            items.append((css[start:i + 1], None))
            start = None
    if start is not None:
        if depth:
            raise CssParseError(f"unclosed block starting at offset {start}")
        items.append((css[start:], None))
    return items


def _map_rules(css: str, selectors) -> str:
    """``css`` with the selector list of every style rule replaced by ``selectors(list)`` (inside @media,
    @supports ... too); a rule left with no selector is dropped, and so is a grouping block left empty. Other
    at-rules (@font-face, @keyframes ...) and statements are kept as they are."""
    def walk(body: str) -> str:
        out = []
        for prelude, block in _blocks(body):
            if block is None:
                out.append(prelude)
                continue
            head = prelude.strip()
            if head.startswith("@"):
                if head.lower().startswith(GROUPING_AT_RULES):
                    inner = walk(block)
                    if inner:
                        out.append(f"{head}{{{inner}}}")
                else:
                    out.append(f"{head}{{{block}}}")
                continue
            keep = selectors([sel.strip() for sel in _split_top(head, ",")])
            if keep:
                out.append(f"{','.join(keep)}{{{block}}}")
        return "".join(out)

    return walk(css)


def max_tabs(used: set[str]) -> float:
    """The size of the largest tab set on the site (from used_classes); infinite when not known."""
    if "tabs=*" in used:
        return float("inf")
    sizes = [int(u[5:]) for u in used if u.startswith("tabs=") and u[5:].isdigit()]
    return max(sizes) if sizes else float("inf")


def purge_css(css: str, used: set[str], prefixes: tuple[str, ...] = ()) -> str:
    tabs = max_tabs(used)

    def may_match(sel: str) -> bool:
        if any(int(n) > tabs for n in TAB_NTH_RE.findall(sel)):
            return False  # the N-th tab of a set, and no set on the site has N tabs
        classes = _top_level_classes(sel)
        return classes is None or all(c in used or c.startswith(prefixes) for c in classes)

    return _map_rules(css, lambda sels: [sel for sel in sels if may_match(sel)])


def alias_selectors(css: str, old: str, new: str) -> str:
    """Give every selector that contains ``old`` a twin with ``new`` in its place (same rule, same position),
    e.g. Material's ``.md-typeset table:not([class])`` styles also for tables wrapped at build time."""
    return _map_rules(css, lambda sels: sels + [sel.replace(old, new) for sel in sels if old in sel])


def purge_site(site_dir) -> list[tuple[str, int, int]]:
    """Purge Material's stylesheets (main and palette) and KaTeX's in a built site; returns (name, bytes before,
    bytes after) for each."""
    site_dir = Path(site_dir)
    sheets = sorted(p for p in (site_dir / "assets" / "stylesheets").glob("*.min.css") if MATERIAL_CSS_RE.match(p.name))
    katex_css = site_dir / "assets" / "katex" / "katex.min.css"
    if katex_css.is_file():
        sheets.append(katex_css)  # KaTeX's 21 KB sheet styles every sizing combination; a site uses a third
    if not sheets:
        return []
    used, prefixes = used_classes(site_dir)
    renamed, report = {}, []
    for sheet in sheets:
        src = sheet.read_text(encoding="utf-8")
        src = re.sub(r"/\*# sourceMappingURL=[^*]*\*/\s*$", "", src)
        if sheet.name.startswith("main."):
            src = alias_selectors(src, "table:not([class])", f"table.{TABLE_CLASS}")
        try:
            out = purge_css(src, used, prefixes)
        except CssParseError as exc:
            raise CssParseError(f"{sheet}: {exc}") from None
        if not MATERIAL_CSS_RE.match(sheet.name):  # not named after its content: rewritten in place
            sheet.write_text(out, encoding="utf-8")
            report.append((sheet.name, len(src), len(out)))
            continue
        stem = sheet.name.split(".", 1)[0]
        name = f"{stem}.{hashlib.sha256(out.encode()).hexdigest()[:8]}.min.css"
        if name != sheet.name:
            (sheet.parent / name).write_text(out, encoding="utf-8")
            sheet.unlink()
            sheet.with_name(sheet.name + ".map").unlink(missing_ok=True)
            renamed[sheet.name] = name
        report.append((name, len(src), len(out)))
    if renamed:
        pattern = re.compile("|".join(re.escape(old) for old in renamed))
        for html in site_dir.rglob("*.html"):
            text = html.read_text(encoding="utf-8")
            new = pattern.sub(lambda m: renamed[m.group(0)], text)
            if new != text:
                html.write_text(new, encoding="utf-8")
    return report
