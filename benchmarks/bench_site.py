"""Side-by-side benchmark: this site versus the same pages built with a default Material configuration.

    .venv/bin/python benchmarks/bench_site.py [--runs N]        (or: python3 run.py bench)

Both sites are built from temporary copies of the project (cold: empty caches; warm: the same build again).
The baseline keeps the page content (our figure and page hooks, so figures and citations exist) but uses
Material's defaults: theme fonts (Google Fonts), client-side KaTeX loaded the documented way (katex.min.js +
auto-render, served from the site, copied from node_modules/katex), no figure cache, no navigation.prune,
no font preloads/subsets, eager search index, no deferred bundle, Material's PNG favicon.

For the Q4 page and the median question page (by HTML size) it measures, in headless Chromium with the network
throttled by CDP Network.emulateNetworkConditions to slow 3G (400 ms RTT, 400 kbit/s), a cold visit without
scrolling: bytes (decoded and transferred with gzip, served like GitHub Pages), requests, render-blocking
requests, off-site requests (blocked and counted: these hosts are unreachable here), first contentful paint
and the time until every formula is rendered and fonts are loaded. Timings are the median of --runs visits.
This is a report, not a test; numbers depend on the machine's load.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from run import find_browser  # noqa: E402

IGNORE = shutil.ignore_patterns(".venv", "node_modules", ".git", "site", ".cache", "build", "__pycache__", ".pytest_cache")
KATEX_INIT = r"""
// Material for MkDocs' documented KaTeX setup (auto-render on every page load, instant navigation included).
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true }
    ],
    macros: { "\\dmodel": "d_{\\text{model}}", "\\softmax": "\\operatorname{softmax}",
              "\\Var": "\\operatorname{Var}", "\\E": "\\mathbb{E}" },
  })
})
"""
FORCE_FIGURES_HOOK = '''
import sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tmj import state
from tmj.figures import build_all, install


def on_pre_build(config, **kwargs):
    state.figures = build_all(force=True)  # baseline: no figure cache


def on_post_build(config, **kwargs):
    for fig in state.figures.values():
        install(fig, Path(config["site_dir"]) / "figures")
'''


def copy_project(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=IGNORE, symlinks=True)
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


def make_baseline(dest: Path) -> None:
    """Turn a copy of the project into the default-Material variant."""
    cfg = (dest / "mkdocs.yml").read_text(encoding="utf-8")
    cfg = re.sub(r"\n  font: false[^\n]*", "", cfg)
    cfg = re.sub(r"\n  custom_dir: overrides[^\n]*", "", cfg)
    cfg = re.sub(r"\n  favicon: [^\n]*", "", cfg)
    cfg = re.sub(r"\n    - navigation\.prune[^\n]*", "", cfg)
    cfg = re.sub(r"\n  - hooks/(math|perf)\.py[^\n]*", "", cfg)
    cfg = re.sub(r"extra_css:.*?\n\n", "extra_css:\n  - javascripts/katex/katex.min.css\n  - assets/stylesheets/extra.css\n\n", cfg, flags=re.S)
    cfg = re.sub(r"extra_javascript:.*?\n\n", "extra_javascript:\n  - javascripts/katex/katex.min.js\n"
                 "  - javascripts/katex/contrib/auto-render.min.js\n  - javascripts/katex-init.js\n\n", cfg, flags=re.S)
    (dest / "mkdocs.yml").write_text(cfg, encoding="utf-8")
    # Figure rules only (no content-visibility, no contrast fixes): what the site had before this work.
    css = (dest / "docs/assets/stylesheets/extra.css").read_text(encoding="utf-8")
    (dest / "docs/assets/stylesheets/extra.css").write_text(css.split("/* Speed:")[0], encoding="utf-8")
    kdir = dest / "docs/javascripts/katex"
    kdist = ROOT / "node_modules/katex/dist"
    (kdir / "contrib").mkdir(parents=True)
    for name in ("katex.min.js", "katex.min.css"):
        shutil.copyfile(kdist / name, kdir / name)
    shutil.copyfile(kdist / "contrib/auto-render.min.js", kdir / "contrib/auto-render.min.js")
    shutil.copytree(kdist / "fonts", kdir / "fonts")
    (dest / "docs/javascripts/katex-init.js").write_text(KATEX_INIT, encoding="utf-8")
    (dest / "hooks/figures.py").write_text(FORCE_FIGURES_HOOK, encoding="utf-8")


def build(project: Path, site_dir: Path, site_url: str) -> float:
    env = dict(os.environ, SITE_URL=site_url, NO_MKDOCS_2_WARNING="1")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
                          cwd=project, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"build failed in {project}:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return time.perf_counter() - t0


def median_question(site_dir: Path) -> str:
    pages = sorted((p.stat().st_size, p.parent.relative_to(site_dir).as_posix() + "/")
                   for p in site_dir.glob("*/q[0-9][0-9]-*/index.html"))
    return pages[len(pages) // 2][1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="throttled visits per page and site (median)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM_ARGS
    from tmj.serve import serve
    from tmj.visit import SLOW_3G, cold_visit

    rows: dict[str, dict[str, object]] = {"ours": {}, "default": {}}
    with tempfile.TemporaryDirectory(prefix="tmj-bench-") as tmp:
        tmp = Path(tmp)
        sites = {}
        for name in ("ours", "default"):
            proj = copy_project(tmp / f"proj-{name}")
            if name == "default":
                make_baseline(proj)
            site_dir = tmp / f"site-{name}"
            print(f"[{name}] cold build …", flush=True)
            rows[name]["cold build s"] = build(proj, site_dir, "http://127.0.0.1:8000/")
            print(f"[{name}] warm build …", flush=True)
            rows[name]["warm build s"] = build(proj, site_dir, "http://127.0.0.1:8000/")
            sites[name] = site_dir
        pages = {"Q4": "attention/q04-scaled-attention/", "median": median_question(sites["ours"])}
        print(f"median question page: /{pages['median']}")
        with sync_playwright() as p:
            exe = find_browser()
            browser = p.chromium.launch(args=CHROMIUM_ARGS, **({"executable_path": exe} if exe else {}))
            for name, site_dir in sites.items():
                server, origin = serve(site_dir)
                for label, path in pages.items():
                    visits = [cold_visit(browser, f"{origin}/{path}", origin, throttle=SLOW_3G, scroll=False)
                              for _ in range(args.runs)]
                    v = visits[0]
                    r = rows[name]
                    r[f"{label} KB (decoded)"] = v.decoded / 1024
                    r[f"{label} KB (gzip)"] = v.transferred / 1024
                    r[f"{label} requests"] = len(v.resources)
                    r[f"{label} off-site (blocked)"] = len(v.blocked)
                    r[f"{label} render-blocking"] = len(v.render_blocking)
                    r[f"{label} FCP s"] = statistics.median((x.fcp_ms or 0) for x in visits) / 1000
                    r[f"{label} math done s"] = statistics.median((x.math_ms or 0) for x in visits) / 1000
                    print(f"[{name}] {label}: {[round((x.math_ms or 0) / 1000, 1) for x in visits]} s", flush=True)
                server.shutdown()
            browser.close()

    print(f"\nQ4 = /{pages['Q4']}, median = /{pages['median']}; slow 3G (400 ms, 400 kbit/s); "
          f"timings: median of {args.runs}\n")
    print(f"| {'metric':28} | {'this site':>10} | {'default Material':>16} | {'ratio':>6} |")
    print(f"|{'-' * 30}|{'-' * 12}:|{'-' * 18}:|{'-' * 7}:|")
    for key in rows["ours"]:
        a, b = rows["ours"][key], rows["default"][key]
        ratio = f"{a / b:.2f}" if isinstance(b, (int, float)) and b else "–"
        fa = f"{a:.1f}" if isinstance(a, float) else str(a)
        fb = f"{b:.1f}" if isinstance(b, float) else str(b)
        print(f"| {key:28} | {fa:>10} | {fb:>16} | {ratio:>6} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
