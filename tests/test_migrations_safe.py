"""Migrations are safe to run while the previous release still serves (README, "Upgrading").

Every migration newer than tests/migrations_baseline.txt is linted by django-migration-linter
(its SQL as PostgreSQL would run it): dropping or renaming a column or table, a NOT NULL column
without a database default, a changed column type… would break the old web processes that
still run during an upgrade, so the test fails. Split such a change: expand (add, nullable or
with a default), migrate the data, and contract (drop) only in a later release. A contract
step that is safe because no released code uses the column any more goes in IGNORED with the
reason; the baseline file is never extended.
"""

from pathlib import Path

import pytest
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django_migration_linter import MigrationLinter
from django_migration_linter.sql_analyser import analyse_sql_statements

from tests.conftest import skip_or_fail

BASELINE = Path(__file__).with_name("migrations_baseline.txt")
OUR_APPS = ("training", "courses", "cohorts", "certificates", "community", "care")
# (app_label, migration name): why it is safe although the linter objects.
IGNORED: dict[tuple[str, str], str] = {}

pytestmark = pytest.mark.django_db


def _baseline() -> set[tuple[str, str]]:
    lines = BASELINE.read_text().splitlines()
    return {tuple(line.split()) for line in lines if line.strip() and not line.startswith("#")}


def _postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("the linter reads the SQL PostgreSQL runs: set DATABASE_URL (CI does)")


def _linter() -> MigrationLinter:
    return MigrationLinter(
        include_apps=OUR_APPS,
        no_cache=True,
        no_output=False,
        ignore_name=[name for _app, name in IGNORED],
    )


def test_the_baseline_names_existing_migrations_only():
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    assert _baseline() <= on_disk, sorted(_baseline() - on_disk)


def test_new_migrations_are_safe_with_old_code_running(capsys):
    _postgresql()
    linter = _linter()
    new = sorted(
        (key, migration)
        for key, migration in linter.migration_loader.disk_migrations.items()
        if key[0] in OUR_APPS and key not in _baseline()
    )
    for key, migration in new:
        if key not in IGNORED:
            linter.lint_migration(migration)
    output = capsys.readouterr().out
    assert linter.nb_total == len([key for key, _m in new if key not in IGNORED]), output
    assert not linter.has_errors, (
        "A migration would break the web processes of the previous release, which still run "
        "while it is applied (README, 'Upgrading': expand / migrate / contract):\n" + output
    )


def _issues(app_label, operations):
    """What the linter finds in a migration made of `operations`, after the app's last one."""
    loader = MigrationLoader(connection)
    last = max(name for app, name in loader.disk_migrations if app == app_label)
    state = loader.project_state((app_label, last))
    migration = migrations.Migration("9999_probe", app_label)
    migration.operations = operations
    migration.dependencies = [(app_label, last)]
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        migration.apply(state, editor, collect_sql=True)
    errors, _ignored, _warnings = analyse_sql_statements(
        _linter().sql_analyser_class, editor.collected_sql
    )
    return errors


@pytest.mark.parametrize(
    "operations",
    [
        pytest.param([migrations.RemoveField("notificationlog", "kind")], id="drop a column"),
        pytest.param(
            [migrations.RenameField("notificationlog", "kind", "sort")], id="rename a column"
        ),
        pytest.param(
            [
                migrations.AddField(
                    "notificationlog", "required", models.IntegerField(default=1), False
                )
            ],
            id="NOT NULL column without a database default",
        ),
        pytest.param([migrations.DeleteModel("notificationlog")], id="drop a table"),
    ],
)
def test_a_dangerous_migration_is_caught(operations):
    _postgresql()
    assert _issues("training", operations), "the linter let a dangerous operation through"


def test_a_safe_expand_step_passes():
    _postgresql()
    operations = [
        migrations.AddField("notificationlog", "note", models.TextField(null=True, blank=True)),
        migrations.AddField(
            "notificationlog", "retries", models.IntegerField(default=0, db_default=0)
        ),
    ]
    assert _issues("training", operations) == []
