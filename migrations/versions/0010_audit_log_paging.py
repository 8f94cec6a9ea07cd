"""audit log indexes for keyset paging

The audit log page is paged by keyset, newest first (ORDER BY id DESC, WHERE id < the last one seen), under
any filter: an index ending in the id serves each one, so a page deep in a million entries reads its 50 rows
and no more. The record type: (entity_type, id); one record's history: (entity_type, entity_id, id), which
replaces (entity_type, entity_id); who: (actor_id, id), which replaces (actor_id). A date range is turned into
a range of ids through the existing index on the time.

Revision ID: 0010_audit_log_paging
Revises: 0009_phone_sign_in
Create Date: 2026-12-07 23:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_audit_log_paging"
down_revision: str | None = "0009_phone_sign_in"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_audit_entry_entity", table_name="audit_entry")
    op.drop_index("ix_audit_entry_actor_id", table_name="audit_entry")
    op.create_index("ix_audit_entry_type", "audit_entry", ["entity_type", "id"])
    op.create_index("ix_audit_entry_entity", "audit_entry", ["entity_type", "entity_id", "id"])
    op.create_index("ix_audit_entry_actor", "audit_entry", ["actor_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_entry_actor", table_name="audit_entry")
    op.drop_index("ix_audit_entry_entity", table_name="audit_entry")
    op.drop_index("ix_audit_entry_type", table_name="audit_entry")
    op.create_index("ix_audit_entry_actor_id", "audit_entry", ["actor_id"])
    op.create_index("ix_audit_entry_entity", "audit_entry", ["entity_type", "entity_id"])
