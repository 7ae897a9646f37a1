"""Lighthouse (npm `lighthouse`, mobile settings, simulated throttling) on every page, against the site served like
GitHub Pages (gzip; tmj/serve.py). Every category must score at least 95 (issue 9's line; accessibility, best
practices and SEO score 100).

Performance is the median of five runs per page, as Lighthouse's own docs/variability.md advises (the median of
five runs is about twice as stable as one): on this 2-core machine one run of the same build usually moves a page
by up to 5 points, mostly in total blocking time, whose long tasks are the machine's own timings multiplied by 4,
and a burst of load on the machine can sink two runs in a row (Q4 once scored 81 and 88 beside a 98 in a
three-run check of a build whose other checks gave it 96-99). Pages are measured one run at a time, never in
parallel. Accessibility, best practices and SEO come from the first run (they do not depend on timing; the other
runs audit performance only, about 13 s each, so the whole check takes about 30 minutes). A failure names the
page, the five performance scores and the audits that lost points."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, site_pages

sys.path.insert(0, str(ROOT / "benchmarks"))

MIN_SCORE = 95  # issue 9: anything below 95 fails, in every category
RUNS = 5        # per page; the median run is the page's result
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"


@pytest.fixture(scope="module")
def lighthouse_reports(site):
    from lighthouse_run import chromium, median_run
    from tmj.serve import serve

    assert LIGHTHOUSE.exists(), "node_modules/.bin/lighthouse missing: run `python3 run.py setup`"
    server, origin = serve(site.dir)
    reports = {}
    t0 = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp, chromium() as port:
            for path in site_pages(site.dir):
                t = time.perf_counter()
                s, lost, perf = median_run(f"{origin}/{path}", Path(tmp), port, RUNS)
                reports[path] = (s, lost, perf)
                print(f"/{path}: {s} (performance of the {RUNS} runs: {perf}; {time.perf_counter() - t:.0f} s)")
    finally:
        server.shutdown()
    print(f"lighthouse total: {time.perf_counter() - t0:.0f} s for {len(reports)} pages")
    return reports


@pytest.mark.timeout(3600)  # 26 pages x 5 runs (~30 min) and the site build; pytest.ini's 1200 s is for one browser wait
def test_lighthouse_scores(lighthouse_reports):
    problems = []
    for path, (s, lost, perf) in sorted(lighthouse_reports.items()):
        low = {c: v for c, v in s.items() if v < MIN_SCORE}
        if low:
            detail = "\n      ".join(f"{c}: {line}" for c in low for line in lost.get(c, []))
            problems.append(f"/{path}: {s} (performance in {RUNS} runs: {perf})\n      {detail}")
    assert not problems, f"pages below {MIN_SCORE} (median of {RUNS} runs):\n" + "\n".join(problems)
