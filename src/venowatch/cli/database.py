"""Commands that work on the database open it here: settings from the environment, Django set
up, and a schema that is up to date (an old one would only fail table by table)."""

from __future__ import annotations

from venowatch.cli.serve import prepare_environment


def open_database() -> None:
    prepare_environment()
    import django

    django.setup()
    require_migrated()
    from venowatch.audit.models import ActorKind, Channel
    from venowatch.services.security import audit

    # What a command reads or writes is logged as the operator's, from the command line.
    audit.set_origin(Channel.CLI, ActorKind.CLI)


def require_migrated() -> None:
    """Refuse, naming the fix, a database that is not set up or not up to date."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    from venowatch.cli.errors import UsageError

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise UsageError(f"cannot read the database: {exc}") from None
    if pending:
        raise UsageError(
            "the database is not set up or not up to date: run `venowatch serve` once (it "
            "applies migrations), or `python -m django migrate --settings venowatch.settings`"
        )
