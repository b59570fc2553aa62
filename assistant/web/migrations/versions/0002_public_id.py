"""Each exchange gets a random public id: the page and the API name an exchange by it, never by the row counter.

Exchanges already stored get one too. The column stays nullable in the schema (SQLite cannot add a NOT NULL
column without rebuilding the table, which would cascade-delete feedback and reviews); the store always fills it.

Revision ID: 0002
Revises: 0001
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("exchanges", sa.Column("public_id", sa.Text, nullable=True))
    exchanges = sa.table("exchanges", sa.column("id", sa.Integer), sa.column("public_id", sa.Text))
    bind = op.get_bind()
    ids = [row.id for row in bind.execute(sa.select(exchanges.c.id).where(exchanges.c.public_id.is_(None)))]
    for exchange_id in ids:
        bind.execute(exchanges.update().where(exchanges.c.id == exchange_id).values(public_id=secrets.token_hex(16)))
    op.create_index("exchanges_public_id", "exchanges", ["public_id"], unique=True)


def downgrade() -> None:
    op.drop_index("exchanges_public_id", "exchanges")
    op.drop_column("exchanges", "public_id")
