"""Database triggers that make the audit tables append-only (created by migration 0003).

PostgreSQL: row triggers refuse UPDATE and DELETE, a statement trigger refuses TRUNCATE.
SQLite: row triggers refuse UPDATE and DELETE (SQLite has no TRUNCATE; `DELETE FROM t` fires the
DELETE trigger). A database superuser can still disable triggers: that is what checkpoints, the
verifier and independent witnesses (audit_witness) are for. In production the application's
role also lacks UPDATE/DELETE/TRUNCATE grants on these tables (audit/README.md).
"""

from contextlib import contextmanager

TABLES = ("audit_auditevent", "audit_auditnode", "audit_auditcheckpoint")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def create_sql(vendor, tables=TABLES):
    """Statements creating the triggers. Note for later migrations: on SQLite, altering one of
    these tables rebuilds it and drops its triggers; such a migration must run these again."""
    if vendor == "postgresql":
        statements = [_PG_FUNCTION]
        for table in tables:
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();"
            )
            statements.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();"
            )
        return statements
    if vendor == "sqlite":
        statements = []
        for table in tables:
            for operation in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {operation} on {table} refused'); END;"
                )
        return statements
    raise NotImplementedError(f"no append-only triggers for {vendor}")


def drop_sql(vendor, tables=TABLES):
    if vendor == "postgresql":
        statements = []
        for table in tables:
            statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            statements.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        return statements + ["DROP FUNCTION IF EXISTS audit_refuse_change();"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_{op} ;" for table in tables for op in ("update", "delete")]
    raise NotImplementedError(f"no append-only triggers for {vendor}")


@contextmanager
def suspended(connection):
    """For tests that flush the whole test database and for tamper simulations only: lets this
    connection bypass the triggers, then restores them. On PostgreSQL it needs a superuser
    (`session_replication_role = replica` skips ordinary triggers for this session only); on
    SQLite it drops and recreates the triggers. Never used by the product."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        else:
            for statement in drop_sql(vendor):
                cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
            else:
                for statement in create_sql(vendor):
                    cursor.execute(statement)
