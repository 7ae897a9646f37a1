"""Turn our errors into MkDocs build failures that name file, line and reason."""
from __future__ import annotations

import os
import sys

from mkdocs.exceptions import PluginError


def annotate(file: str, line: int | None, reason: str) -> None:
    """Under GitHub Actions, print an ``::error`` annotation so the error shows on the PR's changed line."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        msg = reason.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error file={file},line={line or 1}::{msg}", file=sys.stderr, flush=True)


def fail(file: str, line: int | None, reason: str) -> PluginError:
    """Build a PluginError; under GitHub Actions also print an annotation for the PR diff."""
    annotate(file, line, reason)
    return PluginError(f"{file}:{line or 1}: {reason}")


def report(file: str, line: int | None, reason: str) -> None:
    """Name file and line for a problem MkDocs itself only logs (dead links, anchors): print and annotate."""
    print(f"ERROR   -  {file}:{line or 1}: {reason}", file=sys.stderr, flush=True)
    annotate(file, line, reason)
