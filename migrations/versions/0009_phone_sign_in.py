"""phone sign-in and sign-in cards

A login may sign in with a phone number instead of an email (either or both): `user_account.email` becomes
optional and `user_account.phone` (E.164, unique) is added. `sign_in_card` keeps the hash of each printed
card's code, for a trainee without a login to make one.

Revision ID: 0009_phone_sign_in
Revises: 0008_paper_pledge
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import foundation.columns

revision: str = "0009_phone_sign_in"
down_revision: str | None = "0008_paper_pledge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sqlite_rebuilds_user_account() -> None:
    """SQLite changes a column by copying the table, dropping it and renaming the copy: with foreign keys
    enforced, dropping `user_account` while roles, sessions and the audit log point at it fails. So they are
    not enforced while this migration runs (it is the first statement of its transaction: the pragma takes
    effect then, and not later), and checked once the table is back."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA foreign_keys=OFF")


def _check_sqlite_foreign_keys() -> None:
    if op.get_bind().dialect.name == "sqlite":
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rows pointing at nothing after rebuilding user_account: {broken[:5]}")


def upgrade() -> None:
    _sqlite_rebuilds_user_account()
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        batch_op.add_column(sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.create_unique_constraint("uq_user_account_phone", ["phone"])
    op.create_table(
        "sign_in_card",
        sa.Column("code_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("created_at", foundation.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", foundation.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", foundation.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_at", foundation.columns.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["issued_by"], ["user_account.id"]),
        sa.ForeignKeyConstraint(["trainee_id"], ["trainee.id"]),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    with op.batch_alter_table("sign_in_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_card_trainee_id"), ["trainee_id"], unique=False)
    _check_sqlite_foreign_keys()


def downgrade() -> None:
    _sqlite_rebuilds_user_account()
    with op.batch_alter_table("sign_in_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_card_trainee_id"))
    op.drop_table("sign_in_card")
    # Phone-only logins keep their rows (the audit log points at them) under an address that mails nobody.
    op.execute("UPDATE user_account SET email = phone || '@phone.invalid' WHERE email IS NULL")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint("uq_user_account_phone", type_="unique")
        batch_op.drop_column("phone")
        batch_op.alter_column("email", existing_type=sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False)
