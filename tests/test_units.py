"""Unit tests of the build modules with bad inputs: figure builder, page contract, KaTeX renderer."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from tmj import figures as F
from tmj import pages as P
from tmj.katex import Formula, KatexError, KatexRenderer, render_html

ROOT = Path(__file__).resolve().parent.parent
GOOD_FIGURE = textwrap.dedent('''
    """A tiny figure for the tests."""
    import numpy as np

    ALT = "一条直线：测试用的最小图。"

    def make(theme):
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(2, 1.5))
        x = np.arange(4)
        assert (x * 2).sum() == 12
        ax.plot(x, 2 * x, color=theme.palette[0])
        ax.set_xlabel("维度 d_k")
        return fig
''')


@pytest.fixture
def figdirs(tmp_path):
    src = tmp_path / "figures_src"
    src.mkdir()
    shutil.copy(ROOT / "figures_src" / "_common.py", src / "_common.py")
    return src, tmp_path / "cache"


# -------------------------------------------------------------------------------------------- figures
def test_figure_cache_hit_and_byte_identical(figdirs, tmp_path):
    src, cache = figdirs
    (src / "tiny.py").write_text(GOOD_FIGURE, encoding="utf-8")
    first = F.build_figure("tiny", src, cache)
    assert not first.cached
    light = first.files["light"].read_bytes()
    second = F.build_figure("tiny", src, cache)
    assert second.cached and second.files["light"].read_bytes() == light
    # Rendering again from scratch gives the same bytes (no dates, fixed hash salt).
    forced = F.build_figure("tiny", src, cache, force=True)
    assert forced.files["light"].read_bytes() == light
    assert forced.files["dark"].read_bytes() != light  # the dark variant really differs
    assert "维度 d_k</text>" in light.decode()  # text kept as text
    assert first.alt.startswith("一条直线")


def test_figure_rerenders_when_script_or_helper_changes(figdirs):
    src, cache = figdirs
    (src / "tiny.py").write_text(GOOD_FIGURE, encoding="utf-8")
    h1 = F.figure_hash("tiny", src)
    F.build_figure("tiny", src, cache)
    (src / "_common.py").write_text((src / "_common.py").read_text() + "\n# changed\n", encoding="utf-8")
    assert F.figure_hash("tiny", src) != h1
    assert not F.build_figure("tiny", src, cache).cached
    assert len(list((cache / "tiny").iterdir())) == 1  # the stale entry is gone


def test_figure_script_that_raises_names_file_and_line(figdirs):
    src, cache = figdirs
    bad = GOOD_FIGURE.replace("assert (x * 2).sum() == 12", "assert (x * 2).sum() == 13, 'sum is wrong'")
    (src / "bad.py").write_text(bad, encoding="utf-8")
    with pytest.raises(F.FigureError) as e:
        F.build_figure("bad", src, cache)
    line = next(i for i, l in enumerate(bad.splitlines(), 1) if "== 13" in l)
    assert e.value.line == line
    assert "AssertionError: sum is wrong" in e.value.reason
    assert str(e.value).endswith(f"bad.py:{line}: figure script raised AssertionError: sum is wrong")


def test_cjk_inside_mathtext_is_refused(figdirs):
    src, cache = figdirs
    bad = GOOD_FIGURE.replace('ax.set_xlabel("维度 d_k")', 'ax.set_xlabel("维度 $d_k$")')
    (src / "boxes.py").write_text(bad, encoding="utf-8")
    with pytest.raises(F.FigureError) as e:
        F.build_figure("boxes", src, cache)
    assert "mixes Chinese with mathtext" in e.value.reason
    assert e.value.line == next(i for i, l in enumerate(bad.splitlines(), 1) if "$d_k$" in l)


def test_figure_without_alt_text_is_refused(figdirs):
    src, cache = figdirs
    (src / "noalt.py").write_text(GOOD_FIGURE.replace('ALT = "一条直线：测试用的最小图。"', ""), encoding="utf-8")
    with pytest.raises(F.FigureError, match="ALT"):
        F.build_figure("noalt", src, cache)


def test_figure_cli_runs_without_mkdocs(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "tmj.figures", "--out", str(out), "q04_dot_variance"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (out / "q04_dot_variance-light.svg").is_file() and (out / "q04_dot_variance-dark.svg").is_file()


# ------------------------------------------------------------------------------------- page contract
Q4 = ROOT / "docs" / "attention" / "q04-scaled-attention.md"


def _broken_copy(tmp_path, old: str, new: str) -> Path:
    docs = tmp_path / "docs"
    (docs / "attention").mkdir(parents=True)
    text = Q4.read_text(encoding="utf-8")
    assert old in text
    p = docs / "attention" / Q4.name
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize("old,new,line,reason", [
    ("difficulty: 2\n", "difficulty: 2\nauthor: me\n", 7, "unknown front-matter field 'author'"),
    ("difficulty: 2\n", "", 2, "missing required front-matter field 'difficulty'"),
    ("difficulty: 2\n", "difficulty: 5\n", 6, "field 'difficulty' must be 1, 2 or 3"),
    ("tags: [", "tags: [[", 5, "invalid front matter YAML"),
    ("qid: 4\n", "qid: 5\n", 2, "file name says q04"),
    ("## 常见错误", "## 易错点", None, "missing required section '## 常见错误'"),
])
def test_front_matter_and_sections_are_validated(tmp_path, old, new, line, reason):
    p = _broken_copy(tmp_path, old, new)
    with pytest.raises(P.PageError) as e:
        P.parse_question(p, tmp_path / "docs")
    assert reason in e.value.reason
    if line is not None:
        assert e.value.line == line, e.value
    assert str(e.value).startswith(P.rel(p) + ":")


def test_unknown_related_id_and_reference_key(tmp_path):
    refs = P.load_references()
    p = _broken_copy(tmp_path, "related: [3, 8, 1, 6]", "related: [99]")
    q = P.parse_question(p, tmp_path / "docs")
    with pytest.raises(P.PageError, match="related id 99 does not exist") as e:
        P.check_cross_refs({4: q}, refs)
    assert e.value.line == 7
    p = _broken_copy(tmp_path / "b", "related: [3, 8, 1, 6]", "related: []\n")
    p.write_text(p.read_text(encoding="utf-8").replace("[@britz2017]", "[@nobody2099]"), encoding="utf-8")
    q = P.parse_question(p, tmp_path / "b" / "docs")
    with pytest.raises(P.PageError, match=r"citation \[@nobody2099\] is not in data/references.yml") as e:
        P.check_cross_refs({4: q}, refs)
    text = p.read_text(encoding="utf-8")
    assert e.value.line == text[: text.index("[@nobody2099]")].count("\n") + 1


def test_reference_registry_is_valid_and_complete():
    refs = P.load_references()
    assert refs["vaswani2017"].arxiv == "1706.03762"
    for r in refs.values():
        assert r.link.startswith("https://")


def test_duplicate_reference_key_is_refused(tmp_path):
    reg = tmp_path / "refs.yml"
    reg.write_text("a2017:\n  title: T\n  authors: A\n  year: 2017\n  url: https://x\n"
                   "a2017:\n  title: U\n  authors: B\n  year: 2018\n  url: https://y\n", encoding="utf-8")
    with pytest.raises(P.PageError, match="defined twice") as e:
        P.load_references(reg)
    assert e.value.line == 6


def test_tooltips_only_where_a_page_first_uses_a_paper_or_term():
    # Each title is a tooltip Material mounts at start-up: the first citation of a paper and the first use of an
    # abbreviation carry it, later ones do not (tmj/pages.py, tmj/perf.py).
    refs = P.load_references()
    out = P.transform_citations("[@vaswani2017, §3] x [@vaswani2017] y [@ba2016]", refs)
    assert out.count('title="Attention Is All You Need"') == 1
    assert out.count('class="tmj-cite"') == 3 and out.count("title=") == 2
    from tmj.perf import first_abbreviations
    html = '<abbr title="Layer Normalization">LN</abbr> a <abbr title="Layer Normalization">LN</abbr> <abbr title="x">FFN</abbr>'
    assert first_abbreviations(html) == '<abbr title="Layer Normalization">LN</abbr> a LN <abbr title="x">FFN</abbr>'


def test_related_is_symmetric():
    qs = P.load_questions()
    for q in qs.values():
        for r in P.related_of(q.qid, qs):
            assert q.qid in P.related_of(r, qs)


# --------------------------------------------------------------------------------------------- KaTeX
@pytest.fixture(scope="module")
def katex():
    r = KatexRenderer()
    yield r
    r.close()


def test_katex_renders_and_memoises(katex):
    html = katex.render(r"\frac{QK^\top}{\sqrt{d_k}}", display=True)
    assert 'class="katex-display"' in html and "<math" in html
    assert katex.render(r"\frac{QK^\top}{\sqrt{d_k}}", display=True) == html


@pytest.mark.parametrize("tex,needle", [
    (r"\frac{a", "Unexpected end of input"),
    (r"\notacommand x", "Undefined control sequence"),
    ("维度", "KaTeX warning"),  # CJK outside \text{} is a strict-mode warning, which we treat as an error
])
def test_katex_rejects_bad_formulas(katex, tex, needle):
    out = katex.render_many([Formula(tex, False)])[0]
    assert isinstance(out, KatexError) and needle in out.message


def test_render_html_reports_every_bad_formula(katex):
    page = '<p><span class="arithmatex">\\(a+b\\)</span> <span class="arithmatex">\\(\\frac{a\\)</span></p>'
    out, errors = render_html(katex, page)
    assert out == page and len(errors) == 1 and errors[0].tex == r"\frac{a"
    good = '<div class="arithmatex">\\[x^2\\]</div>'
    out, errors = render_html(katex, good)
    assert not errors and "katex-display" in out and "\\[" not in out


def test_mkdocs_yml_has_no_duplicate_keys():
    """YAML keeps the last of two equal keys silently: a second `extra_javascript:` once dropped the first list."""
    import yaml

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader, node, deep=False):
        seen = {}
        for k, _ in node.value:
            key = loader.construct_object(k, deep=deep)
            assert key not in seen, f"mkdocs.yml:{k.start_mark.line + 1}: key {key!r} repeats line {seen.get(key)}"
            seen[key] = k.start_mark.line + 1
        return loader.construct_mapping(node, deep)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Strict.add_multi_constructor("!", lambda loader, suffix, node: None)
    Strict.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Strict)


@pytest.mark.parametrize("name", ["q10_rope_scores", "q09_pe_matrix", "q11_masks", "q04_dot_variance"])
def test_svg_minification_draws_the_same_pixels(name, context, monkeypatch):
    """compact_svg's structural minification (tmj.figures._minify_tree) changes bytes, never pixels: each
    figure drawn by Chromium with and without it gives the same screenshot, in both themes. Covers markers
    (<use>), an embedded heatmap image, text annotations with mathtext, and legends."""
    import base64

    minified, _ = F.render_svgs(ROOT / "figures_src" / f"{name}.py")
    monkeypatch.setattr(F, "_minify_tree", lambda svg: svg)
    plain, _ = F.render_svgs(ROOT / "figures_src" / f"{name}.py")
    page = context.new_page()
    for theme in minified:
        assert len(minified[theme]) < len(plain[theme])
        shots = []
        for svg in (plain[theme], minified[theme]):
            url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
            page.set_content(f'<body style="margin:0;background:#fff"><img id="f" src="{url}"></body>')
            page.wait_for_function("document.getElementById('f').complete")
            shots.append(page.locator("#f").screenshot())
        assert shots[0] == shots[1], f"{name} ({theme}): minified SVG draws different pixels"
