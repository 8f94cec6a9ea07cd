"""cancelled sessions

A session can be cancelled with a reason: it stays on record (who cancelled it, when and why) but no longer
counts for attendance, reminders, the schedule or the course's completion.

Revision ID: 0011_cancelled_sessions
Revises: 0010_audit_log_paging
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import foundation.columns

revision: str = "0011_cancelled_sessions"
down_revision: str | None = "0010_audit_log_paging"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("class_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancelled_at", foundation.columns.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("cancelled_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("cancelled_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )
        batch_op.create_foreign_key(
            "fk_class_session_cancelled_by_user_account", "user_account", ["cancelled_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("class_session", schema=None) as batch_op:
        batch_op.drop_constraint("fk_class_session_cancelled_by_user_account", type_="foreignkey")
        batch_op.drop_column("cancelled_reason")
        batch_op.drop_column("cancelled_by")
        batch_op.drop_column("cancelled_at")
