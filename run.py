#!/usr/bin/env python3
"""One entry point for contributors and CI. Needs only Python >= 3.11 and Node >= 20.

    python3 run.py serve     set everything up, then serve the site with live reload (http://127.0.0.1:8000/)
    python3 run.py test      set everything up (browser included), then run the whole test suite
    python3 run.py build     set everything up, then `mkdocs build --strict` into site/
    python3 run.py check     set everything up, then the content checks (python -m tmj.checks) on the given files or all
    python3 run.py setup     only install: .venv from requirements.lock (hash-checked), node_modules from package-lock.json
    python3 run.py bench     print build time, page weight and search-index numbers (benchmarks/bench_site.py)

Installs are skipped when the lock files have not changed since the last run.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
UV_VERSION = "0.13.9"
# Chromium binaries tried in order before falling back to Playwright's own browser download.
SYSTEM_BROWSERS = [
    "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
]


def say(msg: str) -> None:
    print(f"[run.py] {msg}", flush=True)


def run(cmd: list, **kw) -> None:
    say(" ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, cwd=kw.pop("cwd", ROOT), **kw)


def digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def stamp_ok(stamp: Path, value: str) -> bool:
    return stamp.is_file() and stamp.read_text().strip() == value


def setup_python() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Python >= 3.11 is required")
    if not PY.exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = ROOT / "requirements.lock"
    stamp = VENV / ".requirements.sha256"
    want = digest(lock)
    if stamp_ok(stamp, want):
        return
    run([PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", f"uv=={UV_VERSION}"])
    run([BIN / "uv", "pip", "sync", "--python", PY, "--require-hashes", lock])
    stamp.write_text(want)


def setup_node() -> None:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        sys.exit("Node.js >= 20 (with npm) is required: KaTeX renders the formulas at build time")
    major = int(subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip().lstrip("v").split(".")[0])
    if major < 20:
        sys.exit(f"Node.js >= 20 is required (found {major})")
    stamp = ROOT / "node_modules" / ".package-lock.sha256"
    want = digest(ROOT / "package-lock.json")
    if stamp_ok(stamp, want):
        return
    run([npm, "ci", "--no-audit", "--no-fund"])
    stamp.write_text(want)


def find_browser() -> str | None:
    """A Chromium for the browser tests: $TMJ_CHROMIUM, a system Chromium/Chrome, or None."""
    env = os.environ.get("TMJ_CHROMIUM")
    if env:
        return env
    for name in SYSTEM_BROWSERS:
        path = shutil.which(name) or (name if os.path.isabs(name) and os.path.exists(name) else None)
        if path:
            return path
    return None


def setup_browser() -> None:
    path = find_browser()
    if path:
        os.environ["TMJ_CHROMIUM"] = path
        say(f"browser: {path}")
        return
    # No system Chromium (a laptop, or GitHub's runners without it): Playwright's own browser build.
    say("no system Chromium found: installing Playwright's Chromium")
    run([PY, "-m", "playwright", "install", "chromium"])


def setup() -> None:
    setup_python()
    setup_node()


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "help"
    rest = argv[1:]
    if cmd == "setup":
        setup()
    elif cmd == "serve":
        setup()
        run([BIN / "mkdocs", "serve", "--livereload", *rest])
    elif cmd == "build":
        setup()
        run([BIN / "mkdocs", "build", "--strict", *rest])
    elif cmd == "check":
        setup()
        run([PY, "-m", "tmj.checks", *rest])
    elif cmd == "test":
        setup()
        setup_browser()
        run([PY, "-m", "pytest", "tests", *rest])
    elif cmd == "bench":
        setup()
        setup_browser()
        run([PY, ROOT / "benchmarks" / "bench_site.py", *rest])
    else:
        print(__doc__)
        return 0 if cmd in ("help", "-h", "--help") else 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as e:
        sys.exit(e.returncode)
    except KeyboardInterrupt:
        sys.exit(130)
