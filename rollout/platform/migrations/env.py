"""Alembic environment: runs on the connection handed over by rollout.platform.schema."""

from alembic import context
from sqlmodel import SQLModel

import rollout.platform.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
