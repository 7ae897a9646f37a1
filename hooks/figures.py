"""MkDocs hook: render figures_src/*.py to light/dark SVGs (cached) and put them into the built site."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tmj package beside hooks/

from pathlib import Path

from tmj import state
from tmj.errors import fail
from tmj.figures import SRC_DIR, FigureError, build_all, install


def on_pre_build(config, **kwargs):
    try:
        state.figures = build_all()
    except FigureError as e:
        raise fail(e.file and str(Path(e.file).resolve().relative_to(SRC_DIR.parent)), e.line, e.reason) from None


def on_post_build(config, **kwargs):
    out = Path(config["site_dir"]) / "figures"
    for fig in state.figures.values():
        install(fig, out)


def on_serve(server, config, builder, **kwargs):
    server.watch(str(SRC_DIR))  # an edited figure script triggers a rebuild, which re-renders only it
    return server
