"""Alembic environment: always run from :func:`assistant.web.database.migrate`, on the connection it passes."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
