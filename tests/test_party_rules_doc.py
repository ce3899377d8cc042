"""docs/party-rules.md lists every Party rule the portal implements (registry rules 1–11, cell meetings 12–13,
discipline 14–15, dues 16–17)
with its text and a test that exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "party-rules.md"
DEFAULT_FILE = "members/tests/test_party_rules.py"


def _rows():
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].isdigit():
            yield cells


def test_every_rule_has_a_line_with_code_text_and_test():
    rows = list(_rows())
    assert {int(r[0]) for r in rows} == set(range(1, 18))
    for number, what, where, text, tests in rows:
        assert what and where and text, number
        assert "test_" in tests, f"rule {number} names no test"


def test_every_named_test_exists():
    defined = {}
    for path in ROOT.rglob("test_*.py"):
        if ".venv" in path.parts:
            continue
        names = set(re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M))
        defined[path.relative_to(ROOT).as_posix()] = names
    for number, *_, tests in _rows():
        current = DEFAULT_FILE
        for ref in re.findall(r"`([^`]*test_\w+)`", tests):
            file, _, name = ref.rpartition("::")
            if ref.startswith("::"):
                current = DEFAULT_FILE
            elif file:
                current = file
            assert name in defined.get(current, set()), f"rule {number}: {current}::{name} does not exist"


def test_the_discipline_condition_is_filled_from_the_register():
    """QĐ 366-QĐ/TW Art. 11.1 no longer waits: the doc has no TODO for it and the hook reads the register."""
    doc = DOC.read_text(encoding="utf-8")
    assert "TODO: awaits the discipline register" not in doc
    source = (ROOT / "organizations" / "rating_rules.py").read_text(encoding="utf-8")
    assert "def discipline_evidence" in source and "counting_in(year)" in source
