"""Scale test: does the build stay linear as the site grows to hundreds of pages?

    .venv/bin/python benchmarks/scale_test.py [--sizes 250 500 1000] [--no-prune]

For each size N it copies the project to a temporary folder (figure and notebook caches included, so only the
page work is measured), generates N synthetic pages from the real question template (templates/question.md,
placeholders filled the way tmj/new.py fills them) with formulas, cross-links to neighbouring pages, a citation
and one shared figure, puts them into the navigation in sections of 20 (like the real topics), builds strictly,
and reports build time per page, peak memory of the build, average HTML size, search-index size and the search
latency in headless Chromium (query typed into Material's search box until the first result shows).

Synthetic pages live in docs/scale/ and are ordinary pages, not question pages: question ids are two digits
(q01-q99, enforced by tmj/new.py), so the real scaffolder cannot create more than 99 questions.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_site import copy_project  # noqa: E402
from run import find_browser  # noqa: E402

SECTION = 20
FORMULAS = [
    r"$\softmax\left(\frac{QK^\top}{\sqrt{d_k}}\right)V$",
    r"$\Var(q\cdot k) = d_k$",
    r"$W^Q_i \in \mathbb{R}^{\dmodel \times d_k}$",
]
DISPLAY = r"""$$
\operatorname{Attention}(Q,K,V)=\softmax\left(\frac{QK^\top}{\sqrt{d_k}}\right)V,\qquad
\sum_{j=1}^{n} \alpha_{ij} = 1
$$"""


def page_text(i: int, n: int) -> str:
    from tmj.new import yaml_scalar

    text = (ROOT / "templates" / "question.md").read_text(encoding="utf-8")
    values = {"qid": str(1000 + i), "title": yaml_scalar(f"合成题 {i}：注意力的第 {i} 个变体为什么有效？"),
              "nav_title": yaml_scalar(f"合成题 {i}"), "tags": "注意力", "figure": "q04_dot_variance"}
    for key, val in values.items():
        text = text.replace("{" + key + "}", val)
    text = re.sub(r"<!--.*?-->\n", "", text, flags=re.S)
    links = " ".join(f"[合成题 {j}](s{j:04d}.md)" for j in (i - 1, i + 1, (i * 7) % n + 1) if 1 <= j <= n and j != i)
    body = (f"\n第 {i} 题的推导：" + "，".join(FORMULAS) + f"。参见 {links}，以及 [Q4](../attention/q04-scaled-attention.md)"
            f" [@vaswani2017, §3.2.1]。\n\n{DISPLAY}\n\n")
    return text.replace("## 详细解答\n", "## 详细解答\n" + body, 1)


def generate(project: Path, n: int) -> None:
    out = project / "docs" / "scale"
    out.mkdir()
    for i in range(1, n + 1):
        (out / f"s{i:04d}.md").write_text(page_text(i, n), encoding="utf-8")
    nav = ["  - 规模测试:"]
    for start in range(1, n + 1, SECTION):
        nav.append(f"      - 第 {start}–{min(n, start + SECTION - 1)} 题:")
        nav += [f"          - 合成题 {i}: scale/s{i:04d}.md" for i in range(start, min(n, start + SECTION - 1) + 1)]
    cfg = (project / "mkdocs.yml").read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(nav) + "\n"
    (project / "mkdocs.yml").write_text(cfg, encoding="utf-8")


WRAPPER = ("import resource, runpy, sys; sys.argv = ['mkdocs'] + sys.argv[1:]\n"
           "try:\n    runpy.run_module('mkdocs', run_name='__main__')\n"
           "finally:\n    print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")


def build(project: Path, site_dir: Path) -> tuple[float, int]:
    env = dict(os.environ, SITE_URL="http://127.0.0.1:8000/", NO_MKDOCS_2_WARNING="1")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAPPER, "build", "--strict", "-d", str(site_dir)],
                          cwd=project, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"build failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
    peak = int(re.search(r"PEAK_KB (\d+)", proc.stderr).group(1))
    return dt, peak


def search_latency(browser, origin: str, query: str = "合成题", runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = ctx.new_page()
        page.goto(origin + "/", wait_until="networkidle")
        box = page.locator("input[data-md-component=search-query]")
        box.click()
        page.wait_for_load_state("networkidle")  # the index is fetched when search gets focus
        t0 = time.perf_counter()
        box.type(query)
        box.press("End")
        page.wait_for_selector(".md-search-result__item", timeout=120_000)
        times.append(time.perf_counter() - t0)
        ctx.close()
    return sorted(times)[len(times) // 2]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000])
    ap.add_argument("--no-prune", action="store_true", help="build without navigation.prune (to compare)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM_ARGS
    from tmj.serve import serve

    rows = []
    with tempfile.TemporaryDirectory(prefix="tmj-scale-") as tmp, sync_playwright() as p:
        exe = find_browser()
        browser = p.chromium.launch(args=CHROMIUM_ARGS, **({"executable_path": exe} if exe else {}))
        for n in args.sizes:
            proj = copy_project(Path(tmp) / f"proj-{n}")
            if (ROOT / ".cache").is_dir():
                import shutil
                shutil.copytree(ROOT / ".cache", proj / ".cache")
            if args.no_prune:
                cfg = proj / "mkdocs.yml"
                cfg.write_text(re.sub(r"\n    - navigation\.prune[^\n]*", "", cfg.read_text(encoding="utf-8")))
            generate(proj, n)
            site = Path(tmp) / f"site-{n}"
            print(f"N={n}: building …", flush=True)
            secs, peak_kb = build(proj, site)
            pages = list((site / "scale").glob("s*/index.html"))
            html_kb = sum(p.stat().st_size for p in pages) / len(pages) / 1024
            index = site / "search" / "search_index.json"
            docs = len(json.loads(index.read_text(encoding="utf-8"))["docs"])
            server, origin = serve(site)
            lat = search_latency(browser, origin)
            server.shutdown()
            rows.append((n, secs, secs / n * 1000, peak_kb / 1024, html_kb, index.stat().st_size / 1024 / 1024, docs, lat))
            print(f"N={n}: {secs:.1f} s, peak {peak_kb / 1024:.0f} MB, search {lat:.2f} s", flush=True)
        browser.close()
    print(f"\nnavigation.prune: {'off' if args.no_prune else 'on'}\n")
    print("| pages | build s | ms / page | peak MB | HTML KB / page | search index MB | index docs | search s |")
    print("|------:|--------:|----------:|--------:|---------------:|----------------:|-----------:|---------:|")
    for n, secs, ms, mb, kb, idx, docs, lat in rows:
        print(f"| {n} | {secs:.1f} | {ms:.0f} | {mb:.0f} | {kb:.1f} | {idx:.2f} | {docs} | {lat:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
