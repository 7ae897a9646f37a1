"""Shared fixtures: the site built once (strict) and served on localhost, and a headless Chromium.

The browser is a system Chromium when one exists ($TMJ_CHROMIUM, set by run.py, or found on PATH),
otherwise Playwright's own Chromium (installed by `python3 run.py test` where no system one exists).
"""
from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from run import find_browser  # noqa: E402

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


def build_site(site_dir: Path, site_url: str, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, SITE_URL=site_url, NO_MKDOCS_2_WARNING="1", **(extra_env or {}))
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """Build the real site once, strictly, and serve it at http://127.0.0.1:<port>/ (site_url matches)."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    site_dir = tmp_path_factory.mktemp("site") / "site"
    proc = build_site(site_dir, origin + "/")
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{log[-4000:]}"
    warnings = [line for line in log.splitlines() if line.startswith("WARNING")]
    assert not warnings, "build warnings:\n" + "\n".join(warnings)
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield type("Site", (), {"dir": site_dir, "origin": origin, "url": origin + "/", "log": log})
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright gives every launch a fresh, empty profile (its own temporary --user-data-dir).
    with sync_playwright() as p:
        exe = find_browser()
        kwargs = {"args": CHROMIUM_ARGS}
        if exe:
            kwargs["executable_path"] = exe
        b = p.chromium.launch(**kwargs)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light", locale="zh-CN")
    yield ctx
    ctx.close()


def site_pages(site_dir: Path) -> list[str]:
    """Every HTML page of the built site, as a URL path ('' for the home page)."""
    pages = []
    for p in sorted(site_dir.rglob("index.html")):
        rel = p.parent.relative_to(site_dir).as_posix()
        pages.append("" if rel == "." else rel + "/")
    return pages
