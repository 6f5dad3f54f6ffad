"""Every requirement code the code cites exists in docs/requirements.md: a reader who meets
"(F3)" or "(D2, D3)" in a comment or docstring can look it up."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "baozhang"
REQUIREMENTS = ROOT / "docs" / "requirements.md"

# An ID is a capital letter and one or two digits. P1–P4 are ticket priorities, not
# requirements, so P is left out.
_CODE = r"[A-OQ-Z]\d{1,2}"
# A list of codes at the start of a parenthesis, "(F3)", "(D2, D3)", "(S1–S6)",
# "(D7: at least 3 seats)", or at the start of a docstring, "S3, F2, F4: deadlines ...".
_IN_PARENTHESES = re.compile(rf"\(\s*({_CODE}(?:\s*[,–-]\s*{_CODE})*)\b")
_LEADING = re.compile(rf"^\s*({_CODE}(?:\s*[,–-]\s*{_CODE})*):")
_ONE = re.compile(rf"\b{_CODE}\b")
# A list item of the requirements: "- F3 Engineers dispatched ...".
_ID = re.compile(r"^- ([A-Z]\d{1,2}) ", re.MULTILINE)


def _texts(source: str) -> list[str]:
    """The comments and docstrings of a module."""
    texts = [
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                texts.append(doc)
    return texts


def codes_in(text: str) -> set[str]:
    """The requirement codes `text` cites."""
    lists = [m.group(1) for m in _IN_PARENTHESES.finditer(text)]
    lists += [m.group(1) for m in _LEADING.finditer(text)]
    return {code for found in lists for code in _ONE.findall(found)}


def cited_codes() -> dict[str, str]:
    """Each code cited in baozhang/ (migrations aside), with one file that cites it."""
    cited: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for text in _texts(path.read_text(encoding="utf-8")):
            for code in codes_in(text):
                cited.setdefault(code, str(path.relative_to(ROOT)))
    return cited


def test_the_code_pattern_finds_citations_and_nothing_else() -> None:
    # Given comments and docstrings as the code writes them
    cited = "A limit per priority (D2, D3); dispatch (F3); (S1–S6); (D7: at least 3 seats)"
    leading = "S3, F2, F4: deadlines from the policy"
    unrelated = "priority (P1), HTTP (200), a version (v2), DNS (A record), PT4H, an H4 title"

    # When codes are looked for, then only the citations are found
    assert codes_in(cited) == {"D2", "D3", "F3", "S1", "S6", "D7"}
    assert codes_in(leading) == {"S3", "F2", "F4"}
    assert codes_in(unrelated) == set()


def test_every_cited_requirement_code_is_in_docs_requirements() -> None:
    # Given the IDs of docs/requirements.md
    ids = set(_ID.findall(REQUIREMENTS.read_text(encoding="utf-8")))
    assert {"D1", "F10", "S6", "N1"} <= ids

    # When every comment and docstring of baozhang/ is read
    cited = cited_codes()

    # Then each code cited is one of them
    assert len(cited) >= 10
    unknown = {code: where for code, where in cited.items() if code not in ids}
    assert not unknown, f"codes not in docs/requirements.md: {unknown}"
