"""Turn our errors into MkDocs build failures that name file, line and reason."""
from __future__ import annotations

import os
import sys

from mkdocs.exceptions import PluginError


def fail(file: str, line: int | None, reason: str) -> PluginError:
    """Build a PluginError; under GitHub Actions also print an annotation for the PR diff."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        msg = reason.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error file={file},line={line or 1}::{msg}", file=sys.stderr, flush=True)
    return PluginError(f"{file}:{line or 1}: {reason}")
