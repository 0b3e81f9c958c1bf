"""Django's PostgreSQL backend, with the values of a query bound on the server (prepared
statements, training/settings/base.py) kept under the protocol's limit of 65,535 parameters a
query.

With client-side binding (Django's default) a bulk insert or the delete collector's
`… IN (…)` of 100,000 rows is one long SQL string; bound on the server, each value is a
parameter, and PostgreSQL refuses a query with more than 65,535 of them. Django 5.2 does not
split such queries for PostgreSQL (it does for SQLite's limit), so the batch size here does:
`bulk_create`, `bulk_update` and cascading deletes (a retention purge of many rows) run in
batches that fit.
"""

from itertools import chain

from django.db import models
from django.db.backends.postgresql import base, operations

# PostgreSQL's wire protocol counts a query's parameters in 16 bits.
MAX_PARAMETERS = 65_535


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        if not self.connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            return super().bulk_batch_size(fields, objs)
        columns = list(
            chain.from_iterable(
                field.fields if isinstance(field, models.CompositePrimaryKey) else [field]
                for field in fields
            )
        )
        return min(len(objs), max(MAX_PARAMETERS // max(len(columns), 1), 1))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
