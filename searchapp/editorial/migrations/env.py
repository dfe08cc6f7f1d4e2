"""Alembic's entry point: migrations run on the connection `Database.migrate` gives."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection)
with context.begin_transaction():
    context.run_migrations()
