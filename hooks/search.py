"""MkDocs hook: make typed notation findable. After the search plugin has written search_index.json, append
to each entry the aliases (data/search_aliases.yml) of the TeX notation it contains, e.g. \\sqrt{d_k} -> 根号 dk."""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from mkdocs.plugins import event_priority

ALIASES = Path(__file__).resolve().parent.parent / "data" / "search_aliases.yml"


def load_aliases(path: Path = ALIASES) -> list[tuple[re.Pattern, list[str]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [(re.compile(pattern), [str(a) for a in aliases]) for pattern, aliases in data.items()]


def add_aliases(index: dict, aliases: list[tuple[re.Pattern, list[str]]]) -> int:
    added = 0
    for doc in index["docs"]:
        text = doc.get("text", "") + " " + doc.get("title", "")
        extra: list[str] = []
        for pattern, words in aliases:
            if pattern.search(text):
                extra += [w for w in words if w not in extra]
        if extra:
            # \u200b is one of the search separators; the aliases land at the very end of the entry, so they
            # never show in the preview of a result.
            doc["text"] = doc.get("text", "") + "\u200b" + "\u200b".join(extra)
            added += len(extra)
    return added


@event_priority(100)  # before the search plugin, which initialises jieba
def on_config(config, **kwargs):
    """jieba logs four lines ("Building prefix dict ...", "Loading model cost ...") on every build and every
    `mkdocs serve` rebuild; only its warnings are worth showing."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return config


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config, **kwargs):
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    add_aliases(index, load_aliases())
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
