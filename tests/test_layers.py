"""Dependencies point one way: training ← courses ← cohorts ← certificates (docs: STYLE.md,
issue 19). An earlier app never reaches into a later one; a later app extends an earlier one
through what the earlier one offers (a signal, a registry like training/dashboard.py).

Every .py file of each app is read with `ast`, so an import inside a function or under
`if TYPE_CHECKING:` counts as much as one at the top. A reference is:

- an import (`import x`, `from x import y`, relative imports resolved), or a module named as a
  constant string to `import_module`, `__import__` or `import_string`;
- a model named by its label: a relation field's target (`ForeignKey("certificates.Track")`,
  `ParentalKey(...)`) or `apps.get_model(...)`: the foreign key ties the tables and the
  migrations of both apps together as much as an import ties their code.

Templates count too: a template under templates/<app>/ that reverses a later app's URL
(`{% url 'care:check_in' %}`; each app's URL namespace is its label) ties the earlier app to the
later one as much as an import (test_no_template_reverses_a_later_apps_url).

Migrations are read for imports only: their dependencies and model labels are history (a link
that has moved still has its old migrations), not code that runs.

The project's own wiring names every app as a dotted string by design, not as an import:
INSTALLED_APPS and the beat schedule in training/settings, `include("cohorts.urls")` in
training/urls.py (the ROOT_URLCONF). Those strings are not references here.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# In dependency order: each may use the ones before it, never those after. The responder pool is
# part of certificates (certificates/pool*.py), not an app of its own.
LAYERS = ("training", "courses", "cohorts", "certificates", "community", "care")

IMPORTING_CALLS = frozenset({"import_module", "__import__", "import_string"})
RELATION_FIELDS = frozenset({
    "ForeignKey", "OneToOneField", "ManyToManyField", "ParentalKey", "ParentalManyToManyField",
})  # fmt: skip

# Known references that are still being moved (issue 19, wave 1): (file, what it reaches) -> who
# removes it. Keep this list short and shrinking: an entry that no longer matches anything fails
# the test (test_the_allowed_exceptions_are_all_still_needed), so it is deleted with its fix.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Reference:
    path: str  # relative to the repository, with "/"
    line: int
    target: str  # the module imported, or the model label named
    code: str  # the statement or call, as written

    @property
    def app(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def target_app(self) -> str:
        return self.target.split(".", 1)[0]

    def __str__(self):
        return f"{self.path}:{self.line}: {self.code}  ({self.app} -> {self.target_app})"


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _absolute(node: ast.ImportFrom, relative: str) -> str:
    """The module a `from … import` reaches, relative imports resolved from `relative`'s package
    (for an __init__.py, the package it is the body of)."""
    if not node.level:
        return node.module or ""
    package = relative.removesuffix(".py").split("/")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _model_label(node: ast.Call) -> str | None:
    """`"app.Model"` when the call names a model by its label, else None."""
    name = _call_name(node)
    if name in RELATION_FIELDS:
        target = node.args[0] if node.args else None
        target = next((kw.value for kw in node.keywords if kw.arg == "to"), target)
        label = _string(target)
        return label if label and "." in label else None
    if name == "get_model" and node.args:
        first = _string(node.args[0])
        if first is None:
            return None
        second = _string(node.args[1]) if len(node.args) > 1 else None
        return f"{first}.{second}" if second else first
    return None


def references(path: Path, root: Path = ROOT) -> list[Reference]:
    """Every module `path` imports and every model label it names, with their lines."""
    relative = path.relative_to(root).as_posix()
    is_migration = "/migrations/" in relative
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=relative)):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            targets = [_absolute(node, relative)]
        elif isinstance(node, ast.Call):
            if _call_name(node) in IMPORTING_CALLS and node.args:
                targets = [name for name in [_string(node.args[0])] if name]
            elif not is_migration:
                targets = [label for label in [_model_label(node)] if label]
        code = ast.unparse(node)
        code = code if len(code) <= 100 else f"{code[:99]}…"
        found += [Reference(relative, node.lineno, target, code) for target in targets]
    return found


def violations() -> list[Reference]:
    """The references from an app to a later one."""
    found = []
    for rank, app in enumerate(LAYERS):
        later = set(LAYERS[rank + 1 :])
        for path in sorted((ROOT / app).rglob("*.py")):
            found += [ref for ref in references(path) if ref.target_app in later]
    return found


def _allowed(ref: Reference) -> bool:
    return (ref.path, ref.target) in ALLOWED


def test_no_app_imports_a_later_app():
    found = [str(ref) for ref in violations() if not _allowed(ref)]
    assert not found, (
        "An earlier app reaches into a later one (training <- courses <- cohorts <- "
        "certificates); emit a signal or offer a registry instead:\n" + "\n".join(found)
    )


def test_the_allowed_exceptions_are_all_still_needed():
    used = {(ref.path, ref.target) for ref in violations()}
    assert not set(ALLOWED) - used, f"Fixed, remove from ALLOWED: {sorted(set(ALLOWED) - used)}"


# --- The checker itself: each kind of reference is found, and nothing else -----------------------

SAMPLE = """
import certificates.pdf
from certificates import views
from certificates.models import Track as T
from . import sibling
from ..i18n import record
from training.i18n import record as ok

def later():
    from certificates.services import certificate_issue
    import_module("certificates.tasks")
    return certificate_issue

class Cohort:
    track = models.ForeignKey("certificates.Track", on_delete=models.CASCADE)
    skill = ParentalKey(to="certificates.Skill", on_delete=models.CASCADE)
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE)
    itself = models.ForeignKey("self", on_delete=models.CASCADE)

def with_apps(apps):
    return apps.get_model("certificates", "Track"), apps.get_model("certificates.Requirement")

include("certificates.urls")  # the project's wiring: a string, not an import
"""


def test_the_checker_finds_every_kind_of_reference(tmp_path):
    module = tmp_path / "cohorts" / "templatetags" / "tags.py"
    module.parent.mkdir(parents=True)
    module.write_text(SAMPLE)
    found = {(ref.line, ref.target) for ref in references(module, root=tmp_path)}
    assert found == {
        (2, "certificates.pdf"),
        (3, "certificates"),
        (4, "certificates.models"),
        (5, "cohorts.templatetags"),
        (6, "cohorts.i18n"),
        (7, "training.i18n"),
        (10, "certificates.services"),
        (11, "certificates.tasks"),
        (15, "certificates.Track"),
        (16, "certificates.Skill"),
        (17, "courses.CoursePage"),
        (21, "certificates.Track"),
        (21, "certificates.Requirement"),
    }


def test_migrations_are_read_for_imports_only(tmp_path):
    migration = tmp_path / "cohorts" / "migrations" / "0002_cohort_track.py"
    migration.parent.mkdir(parents=True)
    migration.write_text(
        "import certificates.fields\n"
        'dependencies = [("certificates", "0001_initial")]\n'
        'track = models.ForeignKey(to="certificates.track", on_delete=models.CASCADE)\n'
    )
    found = [(ref.line, ref.target) for ref in references(migration, root=tmp_path)]
    assert found == [(1, "certificates.fields")]


# --- Templates: an earlier app's templates never reverse a later app's URLs ----------------------
# `{% url 'namespace:name' … %}`, quoted either way; each app's namespace is its label.
URL_TAG = re.compile(r"""\{%\s*url\s+(?P<quote>['"])(?P<namespace>[\w-]+):[^'"]*(?P=quote)""")

# Known reversals still to be moved to a registry: (template, namespace) -> why it is still here.
# As ALLOWED: an entry that no longer matches anything fails the test, so it goes with its fix.
ALLOWED_TEMPLATES: dict[tuple[str, str], str] = {
    ("templates/training/profile.html", "cohorts"): "profile links: messages and calendar",
    ("templates/training/notification_settings.html", "cohorts"): "the calendar link",
    ("templates/training/includes/account_deletion_left.html", "certificates"): "the pool page",
    ("templates/training/email/account_deletion_left.txt", "cohorts"): "the cohorts list",
    ("templates/training/email/account_deletion_left.txt", "certificates"): "the pool page",
}


@dataclass(frozen=True)
class TemplateReference:
    path: str  # relative to the repository, with "/"
    line: int
    namespace: str
    code: str

    def __str__(self):
        app = self.path.split("/")[1]
        return f"{self.path}:{self.line}: {self.code}  ({app} -> {self.namespace})"


def template_references(path: Path, root: Path = ROOT) -> list[TemplateReference]:
    """Every URL namespace `path` (a template) reverses, with its line."""
    text = path.read_text(encoding="utf-8")
    relative = path.relative_to(root).as_posix()
    return [
        TemplateReference(relative, text.count("\n", 0, match.start()) + 1,
                          match["namespace"], match.group(0))
        for match in URL_TAG.finditer(text)
    ]  # fmt: skip


def template_violations(root: Path = ROOT) -> list[TemplateReference]:
    """The templates of each app (templates/<app>/) that reverse a later app's URL."""
    found = []
    for rank, app in enumerate(LAYERS):
        later = set(LAYERS[rank + 1 :])
        for path in sorted((root / "templates" / app).rglob("*")):
            if path.is_file():
                found += [ref for ref in template_references(path, root) if ref.namespace in later]
    return found


def test_no_template_reverses_a_later_apps_url():
    found = [str(ref) for ref in template_violations()
             if (ref.path, ref.namespace) not in ALLOWED_TEMPLATES]  # fmt: skip
    assert not found, (
        "A template of an earlier app reverses a later app's URL; let the later app register "
        "what it adds (courses.module_extras, cohorts.links…):\n" + "\n".join(found)
    )


def test_the_allowed_template_exceptions_are_all_still_needed():
    used = {(ref.path, ref.namespace) for ref in template_violations()}
    stale = set(ALLOWED_TEMPLATES) - used
    assert not stale, f"Fixed, remove from ALLOWED_TEMPLATES: {sorted(stale)}"


def test_the_template_checker_finds_later_apps_urls_only(tmp_path):
    template = tmp_path / "templates" / "courses" / "includes" / "offer.html"
    template.parent.mkdir(parents=True)
    template.write_text(
        "{% load i18n %}\n"
        "<a href=\"{% url 'care:check_in' %}?module=1\">x</a>\n"
        '<a href="{% url \'courses:mark_done\' page.pk %}">{% url "cohorts:list" as more %}</a>\n'
        "{% url 'training_home' %}{% url 'certificates:pool' as pool_url %}\n"
    )
    found = [(ref.line, ref.namespace) for ref in template_violations(root=tmp_path)]
    assert found == [(2, "care"), (3, "cohorts"), (4, "certificates")]
