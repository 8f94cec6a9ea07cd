"""trainee search and list indexes

Finding a trainee by any part of a name (Khmer has no spaces between words) or phone number must not read
every trainee: trigram indexes answer "contains" on both databases. On PostgreSQL, pg_trgm GIN indexes serve
the ILIKE conditions as written. On SQLite, an FTS5 table with the trigram tokenizer over the trainee table
(external content: it stores only the index), kept in step by triggers, is queried instead
(people/services/trainees.py: TextSearch).

The admin list pages through active trainees by Latin name: (active, name_latin, id) lets the count and the
page's ids come from the index alone, however deep the page.

Revision ID: 0007_trainee_search
Revises: 0006_scheduled_work
Create Date: 2026-11-21 23:58:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_trainee_search"
down_revision: str | None = "0006_scheduled_work"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = ("name_km", "name_latin", "phone")
COLUMNS = ", ".join(SEARCHED)
NEW_VALUES = ", ".join(f"new.{column}" for column in SEARCHED)
OLD_VALUES = ", ".join(f"old.{column}" for column in SEARCHED)


def upgrade() -> None:
    op.create_index("ix_trainee_active_name_latin", "trainee", ["active", "name_latin", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in SEARCHED:
            op.execute(f"CREATE INDEX ix_trainee_{column}_trigram ON trainee USING gin ({column} gin_trgm_ops)")
        return
    op.execute(
        f"CREATE VIRTUAL TABLE trainee_search USING fts5({COLUMNS}, "
        "content='trainee', content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER trainee_search_insert AFTER INSERT ON trainee BEGIN "
        f"INSERT INTO trainee_search(rowid, {COLUMNS}) VALUES (new.id, {NEW_VALUES}); END"
    )
    op.execute(
        "CREATE TRIGGER trainee_search_delete AFTER DELETE ON trainee BEGIN "
        f"INSERT INTO trainee_search(trainee_search, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD_VALUES}); END"
    )
    op.execute(
        f"CREATE TRIGGER trainee_search_update AFTER UPDATE OF {COLUMNS} ON trainee BEGIN "
        f"INSERT INTO trainee_search(trainee_search, rowid, {COLUMNS}) VALUES ('delete', old.id, {OLD_VALUES}); "
        f"INSERT INTO trainee_search(rowid, {COLUMNS}) VALUES (new.id, {NEW_VALUES}); END"
    )
    op.execute("INSERT INTO trainee_search(trainee_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in SEARCHED:
            op.execute(f"DROP INDEX ix_trainee_{column}_trigram")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER trainee_search_{trigger}")
        op.execute("DROP TABLE trainee_search")
    op.drop_index("ix_trainee_active_name_latin", "trainee")
