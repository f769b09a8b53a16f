"""The code base stays ruff-clean (lint and format), as configured in pyproject.toml."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_lint():
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


# A reader has the repository and nothing else: no file may send them to a folder beside it or
# to the machine it was written on, nor cite an issue tracker they cannot open. The patterns
# are built so that this file does not match itself.
OUTSIDE_REFERENCES = {
    "a folder beside the repository": re.compile(re.escape(".." + "/shared")),
    "a path of the development machine": re.compile(re.escape("/" + "work" + "/")),
    "an issue number": re.compile(r"\bissues?\s*(?:#|no\.?\s*|number\s*)?\d+", re.IGNORECASE),
    "an issue the reader does not have": re.compile(r"\bthe issue" + "'s\\b", re.IGNORECASE),
}


def repository_files() -> list[Path]:
    """The files of the repository: git's list when there is one, else the tree without the
    local folders that are never committed."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        names = [n for n in listed.stdout.decode().split("\0") if n]
        return [ROOT / n for n in names if (ROOT / n).is_file()]
    skip = {".git", ".venv", "instance", "node_modules", "__pycache__", ".pytest_cache"}
    skip |= {".ruff_cache", ".hypothesis", "out"}
    return [
        p
        for p in ROOT.rglob("*")
        if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts)
    ]


def test_no_file_refers_outside_the_repository_or_to_issue_numbers():
    found = []
    for path in repository_files():
        data = path.read_bytes()
        if b"\0" in data:
            continue  # binary
        text = data.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for what, pattern in OUTSIDE_REFERENCES.items():
                if pattern.search(line):
                    where = path.relative_to(ROOT)
                    found.append(f"{where}:{number}: {what}: {line.strip()[:120]}")
    assert not found, "\n".join(found)


def test_the_outside_reference_check_catches_each_kind():
    lines = [
        "see " + ".." + "/shared/data/x.xml",
        "cd /" + "work" + "/main",
        "as issue " + "6 asks",
        "the " + "issue's benchmark",
    ]
    for line in lines:
        assert any(p.search(line) for p in OUTSIDE_REFERENCES.values()), line
    assert not any(
        p.search("SQLite issues BEGIN on each transaction") for p in OUTSIDE_REFERENCES.values()
    )
