"""The layer contract (docs/architecture.md) is enforced by import-linter, not hoped for: `lint-imports` passes
on the code as it is, and fails as soon as a lower layer imports a higher one."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "organizations", "members", "discipline", "reports", "targets", "demo", "khoi_portal")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory):
    where = tmp_path_factory.mktemp("layers")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, where / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    return where


def test_the_layers_hold_today(copy_of_the_code):
    result = _lint(copy_of_the_code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_organizations_importing_reports_breaks_the_contract(copy_of_the_code):
    bad = copy_of_the_code / "organizations" / "tests" / "test_layer_break.py"
    bad.write_text("from reports import selectors  # noqa: F401\n")
    try:
        result = _lint(copy_of_the_code)
    finally:
        bad.unlink()
    assert result.returncode != 0
    assert "organizations is not allowed to import reports" in result.stdout


def test_the_product_importing_the_demo_breaks_the_contract(copy_of_the_code):
    bad = copy_of_the_code / "reports" / "uses_demo.py"
    bad.write_text("from demo import scale  # noqa: F401\n")
    try:
        result = _lint(copy_of_the_code)
    finally:
        bad.unlink()
    assert result.returncode != 0
    assert "demo" in result.stdout and "BROKEN" in result.stdout


# --- one home per rule ------------------------------------------------------------------------------------

PRODUCT = ("core", "organizations", "members", "discipline", "reports", "targets", "khoi_portal")
#: What deciding "on time / late" looks like in code: a submission time compared with a due date.
TIMELINESS_MARKS = re.compile(
    r"first_submitted_at__(lt|lte|gt|gte|date|range)\b"
    r"|\b(submitted\w*|day)\s*[<>]=?\s*[\w.]*due_on"
    r"|due_on\s*[<>]=?\s*[\w.]*submitted"
    r"|def (owes_report|classify)\b"
)


def _product_sources():
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            yield path


def test_the_timeliness_rule_lives_in_exactly_one_module():
    homes = sorted(
        str(path.relative_to(ROOT))
        for path in _product_sources()
        if TIMELINESS_MARKS.search(path.read_text())
    )
    assert homes == ["reports/timeliness.py"]


#: The first part of a cached value's key, where the code names it: ``cached_under_data_version(("name", …``.
CACHE_KEY_NAMES = re.compile(
    r"\b(?:cached_under_data_version|cached_when_version_read|cached_sums|per_request)\(\s*\(\s*\"([\w-]+)\""
)


def test_every_cached_value_has_a_key_of_its_own():
    """Two computations cached under the same name read each other's values: the dashboard's required
    resolutions (ids and titles) under the report form's name (Resolution objects) broke the form with a 500 in
    ``make load`` (issue 20). Each name appears once in the product."""
    seen: dict[str, list[str]] = {}
    for path in _product_sources():
        for name in CACHE_KEY_NAMES.findall(path.read_text()):
            seen.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert len(seen) > 15, sorted(seen)  # the pattern still finds the names
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}


# --- one way to type a decimal --------------------------------------------------------------------------------


def _product_form_classes():
    import importlib
    import inspect

    from django import forms

    for path in _product_sources():
        text = path.read_text()
        if "forms.Form" not in text and "forms.ModelForm" not in text:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


def test_every_decimal_field_of_every_form_takes_the_vietnamese_comma():
    """Issue 12: "90,5" is 90,5 in every decimal field, never 905 or "Nhập một số." — each decimal (or float)
    field a product form declares goes through ``core.forms.localized_decimal`` where the class is defined, so
    a new field typed as a bare ``forms.DecimalField`` fails here."""
    from django import forms

    from core.forms import DecimalInput

    seen, bare = [], []
    for cls in _product_form_classes():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.DecimalField | forms.FloatField):
                seen.append(f"{cls.__name__}.{name}")
                comma = (
                    field.localize and isinstance(field.widget, DecimalInput) and field.clean("1,5") == 1.5
                )
                if not comma:
                    bare.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert {"TargetForm.value", "DuesRateForm.percent"} <= set(seen), seen
    assert bare == []


# --- one module knows the roles ---------------------------------------------------------------------------


def _role_literals(source: str) -> list[int]:
    """Lines where a role's name is written as a string outside a choices class (``class X(TextChoices)``: an
    officer title or an inspection kind that happens to be spelt like a role is a value of its own)."""
    import ast

    from organizations import access

    tree = ast.parse(source)
    allowed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            getattr(base, "attr", getattr(base, "id", "")).endswith("Choices") for base in node.bases
        ):
            allowed.update(id(n) for n in ast.walk(node))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in access.ROLES and id(node) not in allowed
    ]


def test_only_the_access_module_knows_the_role_names():
    """Issue 13: ``organizations/access.py`` is the only module that knows role names; elsewhere a check reads
    ``access.is_secretary(user)``, ``access.changes_records(user)``, ``access.STAFF`` … A new
    ``role_of(user) == "bi_thu"`` anywhere in the product fails here."""
    from organizations import access

    sources = [*_product_sources(), *(p for p in (ROOT / "demo").rglob("*.py") if "tests" not in p.parts)]
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sources
        if path != ROOT / "organizations" / "access.py" and (lines := _role_literals(path.read_text()))
    }
    quoted = re.compile("|".join(rf"[\"']{role}[\"']" for role in access.ROLES))
    for package in (*PRODUCT, "templates"):
        for path in (ROOT / package).rglob("*.html"):
            if lines := [n for n, line in enumerate(path.read_text().splitlines(), 1) if quoted.search(line)]:
                found[str(path.relative_to(ROOT))] = lines
    assert found == {}


def test_the_role_check_finds_a_literal():
    """The check above can fail: a role compared as a string is found, a choices value is not."""
    assert _role_literals('if role_of(user) in ("van_phong", "bi_thu"):\n    pass\n') == [1, 1]
    assert _role_literals('class T(models.TextChoices):\n    BI_THU = "bi_thu", "Bí thư"\n') == []


def test_dates_typed_by_people_are_parsed_in_one_module():
    """Issue 13: one date parser (``core.dates``, which follows the forms' input formats): a second
    ``strptime`` elsewhere knew only dd/mm/yyyy and read "08-01-2021" as no date at all."""
    homes = sorted(str(p.relative_to(ROOT)) for p in _product_sources() if "strptime(" in p.read_text())
    assert homes == ["core/dates.py"]
