"""Lighthouse (npm, node_modules/.bin/lighthouse) on pages of a built site, mobile settings, one run per page.

    .venv/bin/python benchmarks/lighthouse_run.py [SITE_DIR] [PATH ...] [--runs 3]

Serves SITE_DIR like GitHub Pages (gzip, max-age; tmj/serve.py) and prints performance, accessibility,
best-practices and SEO per page (with --runs N: the median run by performance, and each run's score), plus the
audits that cost points. Drives the system Chromium ($CHROME_PATH, default what run.py finds). Runs are
sequential: parallel runs on a small machine skew timings.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from run import find_browser  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-background-networking"


def lighthouse(url: str, out_dir: Path, port: int | None = None, categories=CATEGORIES) -> dict:
    """Run Lighthouse once (its default mobile emulation and simulated slow-4G throttling); return the LHR.
    With ``port``, it drives an already running Chromium (see chromium()) instead of launching one per page.
    ``categories=("performance",)`` skips the accessibility, best-practices and SEO audits (a faster run)."""
    out = out_dir / "lhr.json"
    env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH") or find_browser() or "/usr/bin/chromium")
    cmd = [str(ROOT / "node_modules" / ".bin" / "lighthouse"), url, "--output=json", f"--output-path={out}",
           f"--chrome-flags={FLAGS}", "--only-categories=" + ",".join(categories), "--quiet",
           "--max-wait-for-load=60000"] + ([f"--port={port}"] if port else [])
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url}:\n{proc.stderr[-2000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


class chromium:
    """One headless Chromium with a DevTools port for all Lighthouse runs (a launch per page costs seconds)."""

    def __enter__(self) -> int:
        import socket
        import time as _t

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="tmj-lh-")
        exe = os.environ.get("CHROME_PATH") or find_browser() or "/usr/bin/chromium"
        self.proc = subprocess.Popen([exe, *FLAGS.split(), f"--remote-debugging-port={self.port}",
                                      f"--user-data-dir={self.dir}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self.port
            except OSError:
                _t.sleep(0.1)
        raise RuntimeError("Chromium did not open its DevTools port")

    def __exit__(self, *exc):
        import shutil

        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def scores(lhr: dict) -> dict[str, int]:
    return {c: round(100 * (lhr["categories"][c]["score"] or 0)) for c in CATEGORIES if c in lhr["categories"]}


def losses(lhr: dict, category: str) -> list[str]:
    """The audits of `category` that did not pass, with their display values (why points were lost)."""
    out = []
    for ref in lhr["categories"][category]["auditRefs"]:
        a = lhr["audits"][ref["id"]]
        if a.get("score") is not None and a["score"] < 0.9 and (ref.get("weight", 0) > 0 or category == "performance"):
            detail = a.get("displayValue", "")
            items = (a.get("details") or {}).get("items") or []
            nodes = [i.get("node", {}).get("selector") or i.get("url") for i in items[:3] if isinstance(i, dict)]
            nodes = [n for n in nodes if n]
            out.append(f"{ref['id']} ({a['score']:.2f}) {detail} {nodes if nodes else ''}".strip())
    return out




def median_run(url: str, out_dir: Path, port: int | None = None, runs: int = 1):
    """Lighthouse ``runs`` times on one page, one run at a time: the first run audits every category, the others
    performance only (accessibility, best practices and SEO do not depend on timing). Returns (scores, the audits
    that lost points per category below 100, the performance score of each run in ascending order): performance
    from the median run, the other categories from the first run."""
    first = lighthouse(url, out_dir, port)
    ordered = sorted([first] + [lighthouse(url, out_dir, port, ("performance",)) for _ in range(runs - 1)],
                     key=lambda lhr: scores(lhr)["performance"])
    median = ordered[len(ordered) // 2]
    s = {**scores(first), "performance": scores(median)["performance"]}
    lost = {c: losses(median if c == "performance" else first, c) for c, v in s.items() if v < 100}
    return s, lost, [scores(lhr)["performance"] for lhr in ordered]


if __name__ == "__main__":
    import argparse
    import statistics

    from tmj.serve import serve

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("site", nargs="?", default=str(ROOT / "site"))
    ap.add_argument("paths", nargs="*", help="pages relative to the site root (default: every page)")
    ap.add_argument("--runs", type=int, default=1, help="runs per page; prints the median (tests/test_lighthouse.py uses 5)")
    args = ap.parse_args()
    site_dir = Path(args.site)
    paths = args.paths or sorted(
        "" if p.parent == site_dir else p.parent.relative_to(site_dir).as_posix() + "/"
        for p in site_dir.rglob("index.html"))
    server, origin = serve(site_dir)
    print(f"{'page':42} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} {'time':>6}" + ("  performance of each run" if args.runs > 1 else ""))
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, chromium() as port:
        for path in paths:
            t0 = time.perf_counter()
            s, lost, each = median_run(f"{origin}/{path}", Path(tmp), port, args.runs)
            print(f"/{path:41} {s['performance']:5} {s['accessibility']:5} {s['best-practices']:5} {s['seo']:5} "
                  f"{(time.perf_counter() - t0) / args.runs:5.1f}s" + (f"  {each} (median {statistics.median(each):g})" if args.runs > 1 else ""),
                  flush=True)
            for c, lines in lost.items():
                for line in lines:
                    print(f"    {c}: {line}")
    print(f"total {time.perf_counter() - t_all:.0f} s")
    server.shutdown()
