"""The query log as first released: daily counts of searches and clicks.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    # A SQLite log made before migrations existed already has these tables: kept.
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "searches" not in have:
        op.create_table(
            "searches",
            sa.Column("day", sa.Text, primary_key=True),
            sa.Column("query", sa.Text, primary_key=True),
            sa.Column("searches", sa.Integer, nullable=False),
            sa.Column("results", sa.Integer, nullable=False),
            sa.Column("corrected", sa.Integer, nullable=False),
            sa.Column("concepts", sa.Text, nullable=False),
            sqlite_with_rowid=False)
    if "clicks" not in have:
        op.create_table(
            "clicks",
            sa.Column("day", sa.Text, primary_key=True),
            sa.Column("query", sa.Text, primary_key=True),
            sa.Column("summary", sa.Text, primary_key=True),
            sa.Column("clicks", sa.Integer, nullable=False),
            sqlite_with_rowid=False)
