"""Refuse UPDATE, DELETE and TRUNCATE on the audit tables (see audit/triggers.py)."""

from django.db import migrations

from audit import triggers

TABLES = ("audit_auditevent", "audit_auditnode", "audit_auditcheckpoint")


def create(apps, schema_editor):
    for statement in triggers.create_sql(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    for statement in triggers.drop_sql(schema_editor.connection.vendor, TABLES):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_tree_and_checkpoints")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
