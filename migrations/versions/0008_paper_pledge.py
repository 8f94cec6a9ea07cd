"""paper pledges

A code of ethics pledge signed on paper is recorded by a trainer: the pledge says how it was given
(online or paper), the trainer's note, and who recorded it. Existing pledges were all accepted online.

Revision ID: 0008_paper_pledge
Revises: 0007_trainee_search
Create Date: 2026-12-07 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_paper_pledge"
down_revision: str | None = "0007_trainee_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORDED_BY_FK = "fk_pledge_acceptance_recorded_by_user_account"


def upgrade() -> None:
    with op.batch_alter_table("pledge_acceptance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "mode", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default="online"
            )
        )
        batch_op.add_column(
            sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("recorded_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(RECORDED_BY_FK, "user_account", ["recorded_by"], ["id"])
    # The defaults were for the rows already there; new rows get theirs from the model, as other tables do.
    with op.batch_alter_table("pledge_acceptance", schema=None) as batch_op:
        batch_op.alter_column("mode", server_default=None)
        batch_op.alter_column("note", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("pledge_acceptance", schema=None) as batch_op:
        batch_op.drop_constraint(RECORDED_BY_FK, type_="foreignkey")
        batch_op.drop_column("recorded_by")
        batch_op.drop_column("note")
        batch_op.drop_column("mode")
