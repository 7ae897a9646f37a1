"""MkDocs hook: a failed `mkdocs build` leaves no site behind, so nothing half-rendered can be published."""
from __future__ import annotations

import shutil
from pathlib import Path

_command = None
_site_dir: Path | None = None
_docs_dir: Path | None = None


def on_startup(command, **kwargs):
    global _command
    _command = command


def on_config(config, **kwargs):
    global _site_dir, _docs_dir
    _site_dir, _docs_dir = Path(config["site_dir"]).resolve(), Path(config["docs_dir"]).resolve()
    return config


def on_build_error(error, **kwargs):
    if _command != "build" or _site_dir is None or not _site_dir.is_dir():
        return
    # Refuse to delete anything that is obviously not a build output.
    if _site_dir in (_docs_dir, Path.cwd().resolve(), Path.home()) or _docs_dir in _site_dir.parents or _site_dir in _docs_dir.parents or len(_site_dir.parts) < 3:
        return
    shutil.rmtree(_site_dir, ignore_errors=True)
