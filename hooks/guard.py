"""MkDocs hook: a failed `mkdocs build` leaves no site behind, so nothing half-rendered can be published.

It also gives MkDocs' own link, anchor and nav warnings a file and line (MkDocs names only the file):
``docs/a/q.md:12: <MkDocs' message>``, plus a GitHub annotation under Actions (see tmj/locate.py).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tmj package beside hooks/

import logging
import shutil

from tmj.errors import report
from tmj.locate import locate

_command = None
_site_dir: Path | None = None
_docs_dir: Path | None = None
_config_file: Path | None = None


class _Locator(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        if _docs_dir is None:
            return
        try:
            msg = record.getMessage()
            project = _config_file.parent if _config_file else Path.cwd()
            found = locate(msg, _docs_dir, _config_file, project)
            if found:
                report(found[0], found[1], msg)
        except Exception:  # noqa: BLE001 - never let the locator break a build
            pass


_locator = _Locator()


def on_startup(command, **kwargs):
    global _command
    _command = command
    logger = logging.getLogger("mkdocs")
    if _locator not in logger.handlers:
        logger.addHandler(_locator)


def on_shutdown(**kwargs):
    logging.getLogger("mkdocs").removeHandler(_locator)


def on_config(config, **kwargs):
    global _site_dir, _docs_dir, _config_file
    _site_dir, _docs_dir = Path(config["site_dir"]).resolve(), Path(config["docs_dir"]).resolve()
    _config_file = Path(config["config_file_path"]).resolve() if config.get("config_file_path") else None
    return config


def on_build_error(error, **kwargs):
    if _command != "build" or _site_dir is None or not _site_dir.is_dir():
        return
    # Refuse to delete anything that is obviously not a build output.
    if _site_dir in (_docs_dir, Path.cwd().resolve(), Path.home()) or _docs_dir in _site_dir.parents or _site_dir in _docs_dir.parents or len(_site_dir.parts) < 3:
        return
    shutil.rmtree(_site_dir, ignore_errors=True)
