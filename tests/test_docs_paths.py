"""The docs stay true after code moves (issue 13): every file a document names in backticks —
`reports/timeliness.py`, `tests/test_fuzz.py::test_x`, `core/forms.py:60` — exists. README.md, DEVELOPERS.md and
docs/*.md are checked; globs (`*`, `?`, `{…}`), placeholders (`<version>`) and paths outside the repository
(`../shared/…`) are skipped. A path whose first part is not a top-level entry of the repository is read inside
the package the paragraph describes (`templatetags/fields.py` under core/), and a template name
(`organizations/year_form.html`, `includes/edit_conflict.html`) where Django looks for it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "DEVELOPERS.md", *sorted((ROOT / "docs").glob("*.md"))]
EXTENSIONS = ("py", "md", "html", "css", "js", "toml", "json", "txt", "cfg", "ini", "docx", "yml", "yaml",
              "sh", "xlsx", "png", "lock")  # fmt: skip
FILE = re.compile(rf"^[\w.\-/]+/[\w.\-]+\.({'|'.join(EXTENSIONS)})$")
SPAN = re.compile(r"`([^`\s]+)`")
PACKAGES = [p for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()]


def named_files(text: str):
    """(line number, path) for each backticked repository path in `text`."""
    for number, line in enumerate(text.splitlines(), 1):
        for span in SPAN.findall(line):
            path = re.split(r"::|:(?=\d)", span)[0].rstrip(".,;")
            if any(c in path for c in "*?{}<>$") or path.startswith(("/", "../", "http")):
                continue
            if FILE.match(path):
                yield number, path


def exists(path: str) -> bool:
    if (ROOT / path).exists():
        return True
    if path.endswith(".html"):
        dirs = [ROOT / "templates", *(p / "templates" for p in PACKAGES)]
        return any((d / path).exists() for d in dirs)
    if not (ROOT / path.split("/")[0]).exists():  # relative to the package the paragraph is about
        return any((p / path).exists() for p in PACKAGES)
    return False


def test_every_file_the_docs_name_exists():
    missing = [
        f"{doc.relative_to(ROOT)}:{number}: {path}"
        for doc in DOCUMENTS
        for number, path in named_files(doc.read_text())
        if not exists(path)
    ]
    assert missing == []


def test_the_check_sees_a_stale_path():
    """It can fail: a path that moved is reported, a glob and a path outside the repository are not."""
    text = (
        "See `reports/tests/test_dashboard.py::test_x` and `core/forms.py:60`, `docs/*.md`, `../shared/D.md`."
    )
    assert list(named_files(text)) == [(1, "reports/tests/test_dashboard.py"), (1, "core/forms.py")]
    assert not exists("reports/tests/test_dashboard.py") and exists("core/forms.py")
    assert exists("templatetags/fields.py") and exists("organizations/year_form.html")


def test_the_layer_order_the_docs_state_is_the_contracts():
    """Every "demo → … → core" a document writes is the layers contract of pyproject.toml (the discipline app,
    added later, was missing from two of them)."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    stated = {
        f"{doc.relative_to(ROOT)}: {chain}"
        for doc in DOCUMENTS
        for chain in re.findall(r"demo → [\w →]+ → core", doc.read_text())
    }
    assert stated and all(line.split(": ")[1].split(" → ") == layers for line in stated), (layers, stated)


PACKAGE_NAMES = (
    "core",
    "organizations",
    "members",
    "discipline",
    "reports",
    "targets",
    "demo",
    "khoi_portal",
)
DOTTED = re.compile(rf"`((?:{'|'.join(PACKAGE_NAMES)})(?:\.\w+)+)(?:\(\))?`")


def resolves(dotted: str) -> bool:
    """Whether `reports.timeliness.classify` (a module, then attributes) or `organizations.ClosedYear` (an app's
    model, as Django writes it) names something in the code."""
    import importlib

    from django.apps import apps

    parts = dotted.split(".")
    if len(parts) == 2 and parts[1][:1].isupper():
        try:
            apps.get_model(dotted)
            return True
        except LookupError:
            pass
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_every_function_the_docs_name_exists():
    """`reports.target_services.targets_load_2021()` was still the docs' advice after it was deleted."""
    missing = [
        f"{doc.relative_to(ROOT)}: {dotted}"
        for doc in DOCUMENTS
        for dotted in DOTTED.findall(doc.read_text())
        if not re.search(rf"\.({'|'.join(EXTENSIONS)})$", dotted) and not resolves(dotted)
    ]
    assert missing == [], "\n".join(missing)
    assert not resolves("reports.target_services.targets_load_2021") and resolves("core.dates.parse_date")
