"""A static file server that behaves like GitHub Pages for what page-speed tools measure.

GitHub Pages (where the site is deployed) gzips text responses and sends ``Cache-Control: max-age=600``.
Python's SimpleHTTPRequestHandler does neither, so Lighthouse and the budgets would measure a server the readers
never meet. Used by tests/test_lighthouse.py, tests/test_budgets.py and benchmarks/*.py.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import os
import threading
from pathlib import Path

COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")


class PagesLikeHandler(http.server.SimpleHTTPRequestHandler):
    cache: dict = {}

    def log_message(self, *args):  # keep output readable
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the trailing slash
            path = os.path.join(path, "index.html")
        if (not path.endswith(COMPRESSIBLE) or "gzip" not in self.headers.get("Accept-Encoding", "")
                or not os.path.isfile(path)):
            return super().send_head()
        st = os.stat(path)
        key = (path, st.st_mtime_ns, st.st_size)
        body = self.cache.get(key)
        if body is None:
            body = gzip.compress(Path(path).read_bytes(), 6, mtime=0)
            self.cache[key] = body
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(st.st_mtime)))
        self.end_headers()
        import io
        return io.BytesIO(body)


def serve(directory: Path, port: int = 0, host: str = "127.0.0.1"):
    """Start serving ``directory`` in a daemon thread; return (server, origin). Stop with server.shutdown()."""
    handler = functools.partial(PagesLikeHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


if __name__ == "__main__":
    import sys
    import time

    srv, origin = serve(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    print(origin, flush=True)
    while True:
        time.sleep(3600)
