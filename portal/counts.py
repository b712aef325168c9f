"""How many public items each catalogue entry has (portal.PublicCount), for the column's
per-category counts: the home page reads a few hundred rows instead of counting every item.

Database triggers on the items' table keep the counts, in the transaction of the change: every way
an item is written (the workflow, imports, bulk loads, the admin) counts, with nothing to forget.
An item counts while it is public (workflow.DisclosureItemQuerySet.public), under its entry.

On SQLite, a migration that alters the items' table rebuilds it and drops its triggers: after
every migrate, `ensure` puts missing triggers back and counts again (apps.PortalConfig)."""

from workflow.models import PUBLIC_STATES

_STATES = ", ".join(f"'{state}'" for state in PUBLIC_STATES)


def _public(row):
    return f"({row}.state IN ({_STATES}) AND {row}.published_at IS NOT NULL)"


_ADD = (
    "INSERT INTO portal_publiccount (entry_id, items) VALUES (NEW.catalogue_entry_id, 1) "
    "ON CONFLICT (entry_id) DO UPDATE SET items = portal_publiccount.items + 1"
)
_REMOVE = "UPDATE portal_publiccount SET items = items - 1 WHERE entry_id = OLD.catalogue_entry_id"

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION portal_count_public() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {_public('OLD')} = {_public('NEW')} AND OLD.catalogue_entry_id = NEW.catalogue_entry_id THEN
        RETURN NULL;  -- an edit that changes neither whether nor where the item counts
    END IF;
    IF TG_OP <> 'INSERT' AND {_public('OLD')} THEN
        {_REMOVE};
    END IF;
    IF TG_OP <> 'DELETE' AND {_public('NEW')} THEN
        {_ADD};
    END IF;
    RETURN NULL;
END
$$""",
    "CREATE OR REPLACE TRIGGER portal_count_public AFTER INSERT OR DELETE OR UPDATE OF state, published_at, catalogue_entry_id "
    "ON workflow_disclosureitem FOR EACH ROW EXECUTE FUNCTION portal_count_public()",
]
SQLITE_TRIGGERS = {
    "portal_count_public_insert": f"AFTER INSERT ON workflow_disclosureitem WHEN {_public('NEW')} BEGIN {_ADD}; END",
    "portal_count_public_delete": f"AFTER DELETE ON workflow_disclosureitem WHEN {_public('OLD')} BEGIN {_REMOVE}; END",
    "portal_count_public_update": (
        "AFTER UPDATE OF state, published_at, catalogue_entry_id ON workflow_disclosureitem "
        f"WHEN {_public('OLD')} IS NOT {_public('NEW')} OR OLD.catalogue_entry_id IS NOT NEW.catalogue_entry_id BEGIN "
        f"{_REMOVE} AND {_public('OLD')}; "
        # SQLite reads "SELECT ... ON CONFLICT" only after a WHERE clause.
        f"INSERT INTO portal_publiccount (entry_id, items) SELECT NEW.catalogue_entry_id, 1 WHERE {_public('NEW')} "
        "ON CONFLICT (entry_id) DO UPDATE SET items = portal_publiccount.items + 1; END"
    ),
}
UNDO = {
    "postgresql": ["DROP TRIGGER IF EXISTS portal_count_public ON workflow_disclosureitem", "DROP FUNCTION IF EXISTS portal_count_public()"],
    "sqlite": [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS],
}
RECOUNT = [
    "DELETE FROM portal_publiccount",
    "INSERT INTO portal_publiccount (entry_id, items) SELECT catalogue_entry_id, COUNT(*) FROM workflow_disclosureitem "
    f"WHERE {_public('workflow_disclosureitem')} GROUP BY catalogue_entry_id",
]


def create_sql(vendor):
    if vendor == "postgresql":
        return POSTGRESQL
    if vendor == "sqlite":
        return [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in SQLITE_TRIGGERS.items()]
    raise NotImplementedError(f"no counting triggers for {vendor}")


def install(connection):
    """Create the triggers and count every item (migration 0007)."""
    with connection.cursor() as cursor:
        for statement in create_sql(connection.vendor) + RECOUNT:
            cursor.execute(statement)


def uninstall(connection):
    with connection.cursor() as cursor:
        for statement in UNDO.get(connection.vendor, []):
            cursor.execute(statement)


def ensure(connection):
    """After a migration: on SQLite, recreate triggers a table rebuild dropped, and count again
    (rows were copied without them). PostgreSQL keeps triggers through ALTER TABLE."""
    if connection.vendor != "sqlite":
        return
    tables = connection.introspection.table_names()
    if "portal_publiccount" not in tables or "workflow_disclosureitem" not in tables:
        return  # before migration 0007 (or a partial migrate)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)", list(SQLITE_TRIGGERS))
        if cursor.fetchone()[0] == len(SQLITE_TRIGGERS):
            return
    install(connection)
