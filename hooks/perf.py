"""MkDocs hook: font preloads, a deferred Material bundle and missing ARIA names on every page, a cheaper
palette CSS (tmj/perf.py), and Material's stylesheets without the rules nothing on the site can match
(tmj/csspurge.py).

Runs after hooks/math.py (listed after it in mkdocs.yml), so it sees KaTeX's rendered HTML.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tmj package beside hooks/

from tmj.perf import postprocess


def on_post_page(output, page, config, **kwargs):
    return postprocess(output, page.url)


def on_post_build(config, **kwargs):
    from tmj.csspurge import purge_site
    from tmj.perf import drop_palette_switching_rule, minify_own_assets

    own = [str(c) for c in config["extra_css"]] + [str(getattr(j, "path", j)) for j in config["extra_javascript"]]
    minify_own_assets(config["site_dir"], own)
    drop_palette_switching_rule(config["site_dir"])
    purge_site(config["site_dir"])  # last: it reads every built page and script to see which classes are used
