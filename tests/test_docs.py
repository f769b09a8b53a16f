"""The documentation points at things that exist: every repository path and module it names,
and every link (with its #anchor) between its pages. Files move; the docs must follow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted(
    [ROOT / "README.md", ROOT / "scheduler" / "README.md"]
    + list((ROOT / "docs").glob("*.md"))
    + list((ROOT / "examples").rglob("README.md"))
)
TOP_FOLDERS = ("pdservice", "scheduler", "tests", "bench", "examples", "templates", "docs")
TOP_FOLDERS += ("tools", "migrations")
#: Made when a command runs, never committed.
MADE_AT_RUN_TIME = {"bench/out/"}
PATH = re.compile(r"(?<![\w/.-])((?:" + "|".join(TOP_FOLDERS) + r")/[\w./-]*)")
MODULE = re.compile(r"(?<![\w/.])((?:pdservice|scheduler)(?:\.\w+)+)")
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def code_text(text: str) -> str:
    """What the reader copies: inline code spans and fenced blocks."""
    spans = re.findall(r"`([^`\n]+)`", FENCE.sub("", text))
    return "\n".join(spans + FENCE.findall(text))


def named_paths(text: str) -> set[str]:
    found = set()
    for match in PATH.finditer(code_text(text)):
        path = match.group(1).rstrip(".,:;")
        if "<" not in path and "*" not in path:
            found.add(path)
    return found


def module_exists(dotted: str) -> bool:
    """`a.b.c` names a module or package, or an attribute defined in one (`a.b.c` with c a
    function of a/b.py)."""
    parts = dotted.split(".")
    for size in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:size])
        for source in (base.with_suffix(".py"), base / "__init__.py"):
            if source.is_file():
                rest = parts[size:]
                if not rest:
                    return True
                return len(rest) == 1 and re.search(rf"\b{rest[0]}\b", source.read_text())
    return False


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, re.MULTILINE)}


def doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("doc", DOCS, ids=doc_id)
def test_every_path_a_doc_names_exists(doc):
    missing = [
        p
        for p in sorted(named_paths(doc.read_text()))
        if p not in MADE_AT_RUN_TIME and not (ROOT / p).exists()
    ]
    assert not missing, f"{doc_id(doc)} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=doc_id)
def test_every_module_a_doc_names_exists(doc):
    names = set(MODULE.findall(code_text(doc.read_text())))
    missing = sorted(n for n in names if not module_exists(n))
    assert not missing, f"{doc_id(doc)} names modules that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=doc_id)
def test_every_link_between_the_docs_leads_somewhere(doc):
    broken = []
    for target in LINK.findall(FENCE.sub("", doc.read_text())):
        if re.match(r"[a-z]+:", target):
            continue  # an address outside the repository (http:, mailto:)
        file_part, _, anchor = target.partition("#")
        linked = (doc.parent / file_part).resolve() if file_part else doc
        wrong_anchor = anchor and linked.suffix == ".md" and anchor not in anchors(linked)
        if not linked.exists() or wrong_anchor:
            broken.append(target)
    assert not broken, f"{doc_id(doc)} has links that lead nowhere: {broken}"


def test_the_checks_see_paths_modules_and_anchors():
    text = "Run `bench/enrol.py`, then\n```\npython -m scheduler.bench examples/xhstt/\n```\n"
    assert named_paths(text) == {"bench/enrol.py", "examples/xhstt/"}
    assert module_exists("scheduler.bench")
    assert not module_exists("scheduler.no_such_module")
    assert slug("The co-teaching solver (`python -m scheduler.bench`)") == (
        "the-co-teaching-solver-python--m-schedulerbench"
    )
