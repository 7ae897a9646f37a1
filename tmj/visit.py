"""Measure a cold visit of a page in Chromium (Playwright + CDP): every response with its transferred (encoded)
bytes, render-blocking requests, first contentful paint and the moment the math is rendered.

Used by tests/test_budgets.py and benchmarks/bench_site.py. ``scroll=True`` scrolls through the whole page
the way a reader does, so lazy images below the fold are counted as well.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

# Network.emulateNetworkConditions profile close to Chrome DevTools' "Slow 3G"/Lighthouse's mobile:
# 400 ms RTT, 400 kbit/s down, 400 kbit/s up.
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 / 8, "uploadThroughput": 400 * 1024 / 8}

MATH_DONE_JS = """() => {
  const math = document.querySelectorAll('.arithmatex');
  if (!math.length) return true;
  // client-side KaTeX (auto-render) leaves \\( \\) in text until it ran; build-time KaTeX has .katex already.
  const raw = [...math].some(e => !e.querySelector('.katex'));
  return !raw && document.fonts.status === 'loaded';
}"""


@dataclass
class Visit:
    url: str
    resources: list[dict] = field(default_factory=list)  # {url, type, bytes (transferred), size (decoded)}
    blocked: list[str] = field(default_factory=list)      # off-site requests (aborted)
    render_blocking: list[str] = field(default_factory=list)
    fcp_ms: float | None = None
    math_ms: float | None = None

    @property
    def transferred(self) -> int:
        return sum(r["bytes"] for r in self.resources)

    @property
    def decoded(self) -> int:
        return sum(r["size"] for r in self.resources)

    def biggest(self, n: int = 8) -> list[dict]:
        return sorted(self.resources, key=lambda r: -r["bytes"])[:n]


def cold_visit(browser, url: str, origin: str, *, throttle: dict | None = None, scroll: bool = True,
               color_scheme: str = "light", viewport=None, timeout_ms: int = 180_000) -> Visit:
    """Open ``url`` in a fresh context (empty cache) and record what the browser fetched."""
    ctx = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, color_scheme=color_scheme,
                              locale="zh-CN")
    visit = Visit(url)
    try:
        def route(r):
            if r.request.url.startswith(origin + "/") or r.request.url.startswith(("data:", "blob:")):
                r.continue_()
            else:
                visit.blocked.append(r.request.url)
                r.abort()
        ctx.route("**/*", route)
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        if throttle:
            cdp.send("Network.emulateNetworkConditions", throttle)
        reqs: dict[str, dict] = {}

        def on_request(e):
            # CDP marks render-blocking requests (Network.Request.renderBlockingBehavior in recent Chromium).
            behaviour = e.get("renderBlockingBehavior") or e["request"].get("renderBlockingBehavior") or ""
            reqs[e["requestId"]] = {"url": e["request"]["url"], "type": e.get("type", ""), "bytes": 0, "size": 0,
                                   "blocking": behaviour in ("Blocking", "InBodyParserBlocking")}

        def on_data(e):
            if e["requestId"] in reqs:
                reqs[e["requestId"]]["size"] += e.get("dataLength", 0)

        def on_done(e):
            if e["requestId"] in reqs:
                reqs[e["requestId"]]["bytes"] = e.get("encodedDataLength", 0)

        cdp.on("Network.requestWillBeSent", on_request)
        cdp.on("Network.dataReceived", on_data)
        cdp.on("Network.loadingFinished", on_done)
        t0 = time.perf_counter()
        page.goto(url, wait_until="load", timeout=timeout_ms)
        page.wait_for_function(MATH_DONE_JS, timeout=timeout_ms, polling=20)
        visit.math_ms = (time.perf_counter() - t0) * 1000  # from navigation start to every formula rendered
        visit.fcp_ms = page.evaluate(
            "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null")
        if scroll:
            height = page.evaluate("document.documentElement.scrollHeight")
            step = page.evaluate("innerHeight")
            y = 0
            while y < height:
                y += step
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(60)
                height = page.evaluate("document.documentElement.scrollHeight")
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        page.wait_for_timeout(300)
        for r in reqs.values():
            if r["url"].startswith(origin + "/") and (r["bytes"] or r["size"]):
                visit.resources.append({k: r[k] for k in ("url", "type", "bytes", "size")})
                if r["blocking"]:
                    visit.render_blocking.append(r["url"])
    finally:
        ctx.close()
    return visit
