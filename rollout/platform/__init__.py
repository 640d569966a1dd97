"""What every domain stands on: database, schema, models, access, audit, users, errors, helpers."""
