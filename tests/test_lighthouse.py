"""Lighthouse (npm `lighthouse`, mobile settings, simulated throttling) on every page, one run per page,
sequentially, against the site served like GitHub Pages (gzip; tmj/serve.py). Every category must score at
least 95; a failure names the page, its scores and the audits that lost points."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, site_pages

sys.path.insert(0, str(ROOT / "benchmarks"))

MIN_SCORE = 95
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"


@pytest.fixture(scope="module")
def lighthouse_reports(site):
    from lighthouse_run import chromium, lighthouse, losses, scores
    from tmj.serve import serve

    assert LIGHTHOUSE.exists(), "node_modules/.bin/lighthouse missing: run `python3 run.py setup`"
    server, origin = serve(site.dir)
    reports = {}
    t0 = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp, chromium() as port:
            for path in site_pages(site.dir):
                t = time.perf_counter()
                lhr = lighthouse(f"{origin}/{path}", Path(tmp), port)
                s = scores(lhr)
                lost = {c: losses(lhr, c) for c, v in s.items() if v < 100}
                reports[path] = (s, lost)
                print(f"/{path}: {s} ({time.perf_counter() - t:.0f} s)")
    finally:
        server.shutdown()
    print(f"lighthouse total: {time.perf_counter() - t0:.0f} s for {len(reports)} pages")
    return reports


def test_lighthouse_scores(lighthouse_reports):
    problems = []
    for path, (s, lost) in sorted(lighthouse_reports.items()):
        low = {c: v for c, v in s.items() if v < MIN_SCORE}
        if low:
            detail = "\n      ".join(f"{c}: {line}" for c in low for line in lost.get(c, []))
            problems.append(f"/{path}: {s}\n      {detail}")
    assert not problems, f"pages below {MIN_SCORE}:\n" + "\n".join(problems)
