"""Alembic migrations of the web store's schema, shipped inside the package (run by :func:`..database.migrate`)."""
