"""Statements compiled once and run straight on the driver's cursor, for the answer path.

Every answer runs about a dozen small statements. Through `Session.execute` each one costs
SQLAlchemy 40-60 µs of Python (statement cache lookup, parameter construction, execution
context, result object) while SQLite itself takes about 10: on a busy bot that machinery
was a third of the CPU of an answer. Here a Core statement is compiled the way
`Connection.execute` compiles it (for the dialect, with the parameters' names as column
keys), once; later runs only convert the values with the types' own bind and result
processors and call the DBAPI cursor of the session's connection, inside its transaction.

What this skips: SQLAlchemy's `before_cursor_execute` events and echo (statements run here
are not logged), and Python-side column defaults (refused: give every value). The session's
pending ORM changes are flushed first, as its autoflush would.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any] | None


@dataclass
class _Plan:
    """A statement compiled for one dialect and one set of parameter names."""

    sql: str
    names: tuple[str, ...]  # the bind names, in the order the driver takes them (positional)
    positional: bool
    literals: dict[str, Any]  # values written into the statement (`x + 1`)
    processors: dict[str, Processor]
    returns: Sequence[Any]  # the columns a row holds, for their result processors
    results: list[Processor] | None = field(default=None)  # set from the first cursor

    def values(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The parameters as the driver takes them, each converted by its type."""
        processors, literals = self.processors, self.literals
        converted = {}
        for name in self.names:
            value = params[name] if name in params else literals[name]
            processor = processors[name]
            converted[name] = processor(value) if processor is not None else value
        return [converted[name] for name in self.names] if self.positional else converted

    def rows(self, cursor: Any, dialect: Dialect) -> list[tuple[Any, ...]]:
        """The cursor's rows, each value converted by its column's type."""
        if cursor.description is None:
            return []
        if self.results is None:  # some drivers' processors depend on the column's type code
            self.results = [
                column.type.dialect_impl(dialect).result_processor(dialect, described[1])
                for column, described in zip(self.returns, cursor.description, strict=True)
            ]
        rows = cursor.fetchall()
        if not any(self.results):
            return [tuple(row) for row in rows]
        processors = self.results
        return [
            tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True))
            for row in rows
        ]


@functools.lru_cache(maxsize=256)  # hot statements are module constants: a handful per dialect
def _plan(statement: ClauseElement, dialect: Dialect, keys: tuple[str, ...]) -> _Plan:
    compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys))
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError(f"Python-side column defaults are not run here: give them\n{compiled}")
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError(f"an expanding (IN) parameter cannot be prepared\n{compiled}")
    if getattr(compiled, "escaped_bind_names", None):
        raise ValueError(f"a bind name the driver needs escaped: rename it\n{compiled}")
    binds = compiled.binds
    positional = bool(dialect.positional)
    names = tuple(compiled.positiontup) if positional else tuple(binds)
    literals = {name: binds[name].effective_value for name in names if name not in keys}
    processors = {
        name: binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    }
    return _Plan(
        sql=str(compiled),
        names=names,
        positional=positional,
        literals=literals,
        processors=processors,
        returns=list(getattr(statement, "exported_columns", ())),
    )


def _cursor(session: Session) -> tuple[Any, Dialect]:
    # The driver's cursor skips the session's autoflush: changes made to ORM objects in this
    # transaction are written first, so the statement sees them as Session.execute would.
    if session.new or session.dirty or session.deleted:
        session.flush()
    connection = session.connection()  # begins the session's transaction if not yet begun
    return connection.connection.cursor(), connection.dialect


def execute(
    session: Session, statement: ClauseElement, params: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """Run the statement in the session's transaction; the rows it returns, if any."""
    cursor, dialect = _cursor(session)
    plan = _plan(statement, dialect, tuple(sorted(params)))
    try:
        cursor.execute(plan.sql, plan.values(params))
        return plan.rows(cursor, dialect)
    except dialect.loaded_dbapi.Error as error:
        raise _wrapped(error, plan, params, dialect) from error
    finally:
        cursor.close()


def execute_many(
    session: Session, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Run a statement that returns nothing once per row of parameters (all with the same
    names), in one driver call."""
    if not rows:
        return
    cursor, dialect = _cursor(session)
    plan = _plan(statement, dialect, tuple(sorted(rows[0])))
    try:
        cursor.executemany(plan.sql, [plan.values(row) for row in rows])
    except dialect.loaded_dbapi.Error as error:
        raise _wrapped(error, plan, rows, dialect) from error
    finally:
        cursor.close()


def _wrapped(error: Exception, plan: _Plan, params: Any, dialect: Dialect) -> StatementError:
    """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError, …), so
    callers catch the same exceptions whichever way a statement ran."""
    return DBAPIError.instance(plan.sql, params, error, dialect.loaded_dbapi.Error, dialect=dialect)
