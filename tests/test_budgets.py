"""Budgets: a cold visit of each question page (light theme, scrolled to the end so every lazy image a reader
would see is loaded), served like GitHub Pages (gzip), stays under 150 KB transferred and requests nothing
from any other host. A page over budget is named with its biggest resources."""
from __future__ import annotations

import re

import pytest

from conftest import site_pages

BUDGET_BYTES = 150 * 1024
QUESTION_RE = re.compile(r"^[a-z-]+/q\d\d-[a-z0-9-]+/$")


@pytest.fixture(scope="module")
def pages_server(site):
    from tmj.serve import serve

    server, origin = serve(site.dir)
    yield origin
    server.shutdown()


@pytest.fixture(scope="module")
def question_visits(site, browser, pages_server):
    from tmj.visit import cold_visit

    return {path: cold_visit(browser, f"{pages_server}/{path}", pages_server)
            for path in site_pages(site.dir) if QUESTION_RE.match(path)}


def _kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def test_question_pages_fit_the_budget(question_visits):
    assert len(question_visits) >= 10
    over = []
    for path, v in sorted(question_visits.items()):
        print(f"/{path}: {_kb(v.transferred)} transferred ({_kb(v.decoded)} decoded), {len(v.resources)} requests")
        if v.transferred > BUDGET_BYTES:
            top = "\n      ".join(f"{_kb(r['bytes']):>9}  {r['url'].split('/', 3)[-1]}" for r in v.biggest())
            over.append(f"/{path}: {_kb(v.transferred)} > {_kb(BUDGET_BYTES)}; biggest:\n      {top}")
    assert not over, "over the 150 KB (gzip) budget:\n" + "\n".join(over)


def test_question_pages_request_nothing_off_site(question_visits):
    off = {p: v.blocked for p, v in question_visits.items() if v.blocked}
    assert not off, off
