"""The store's first layout: exchanges, feedback, reviews (the SQLite layout written by hand before Alembic).

A database made by that code has these tables and no ``alembic_version``: it is stamped at this revision
(not re-created) before upgrading, so nothing in it is touched.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# ISO 8601 UTC stamps compared as text: byte order on PostgreSQL whatever the server's locale.
_STAMP = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.Text, nullable=False),
        sa.Column("created_at", _STAMP, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("abstained", sa.Integer, nullable=False),
        sa.Column("engine", sa.Text, nullable=False),
        sa.Column("model", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("exchanges_created", "exchanges", ["created_at"])
    op.create_index("exchanges_session", "exchanges", ["session_id"])
    op.create_table(
        "feedback",
        sa.Column("exchange_id", sa.Integer, sa.ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("vote", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_at", _STAMP, nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("exchange_id", sa.Integer, sa.ForeignKey("exchanges.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("case_id", sa.Text, nullable=False, server_default=""),
        sa.Column("updated_at", _STAMP, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("feedback")
    op.drop_table("exchanges")
