"""Write a new revision from the models' changes: `python -m storage.migrations ID MESSAGE`.

The operations are found by comparing the models with a scratch SQLite database at head; review
the file (data changes, server defaults and renames need writing by hand), then `make test`
checks that models and migrations agree on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse

from alembic import command
from sqlalchemy import create_engine

from storage.schema import alembic_config, upgrade


def main() -> None:
    """Autogenerate storage/migrations/versions/ID.py on top of the current head."""
    parser = argparse.ArgumentParser(prog="python -m storage.migrations", description=__doc__)
    parser.add_argument("id", help="the new revision's id, e.g. 0003_quiz_tags")
    parser.add_argument("message", help="what it changes, in one line")
    args = parser.parse_args()
    scratch = create_engine("sqlite://")  # in memory: one connection, so the tables stay
    upgrade(scratch)
    with scratch.begin() as connection:
        config = alembic_config(connection)
        config.set_main_option("file_template", "%%(rev)s")  # the file is named after the id
        hooks = {"hooks": "ruff", "ruff.type": "module", "ruff.module": "ruff"}
        hooks["ruff.options"] = "format REVISION_SCRIPT_FILENAME"
        for name, value in hooks.items():
            config.set_section_option("post_write_hooks", name, value)
        command.revision(config, message=args.message, autogenerate=True, rev_id=args.id)


if __name__ == "__main__":
    main()
