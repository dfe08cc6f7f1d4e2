"""Weak searches: each search's content words and the most one result held.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("searches")}
    for name in ("words", "held"):
        if name not in have:  # a log of the release that added them without migrations
            op.add_column("searches", sa.Column(name, sa.Integer, nullable=False,
                                                server_default="0"))
