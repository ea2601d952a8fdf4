"""`python -m bot db copy SOURCE_URL`: every row of another database into an empty one.

For moving from the SQLite file to PostgreSQL. Both are brought to the same migration first
(the source as any command would, on start), rows keep their ids, and the whole copy is one
transaction of the target: it is all there or none of it is.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Integer, Table, func, select, text

from storage.models import Base

BATCH_ROWS = 1000


class TargetNotEmpty(Exception):
    """The target already holds rows; nothing was copied."""

    def __init__(self, table: str, rows: int) -> None:
        super().__init__(f"{rows} rows in {table}")
        self.table, self.rows = table, rows


def copy_rows(source: Engine, target: Engine) -> dict[str, int]:
    """Copy every table's rows; returns rows copied per table. Raises TargetNotEmpty."""
    tables = Base.metadata.sorted_tables  # parents before children: foreign keys hold
    copied: dict[str, int] = {}
    with target.begin() as into, source.connect() as out_of:
        for table in tables:
            rows = into.scalar(select(func.count()).select_from(table)) or 0
            if rows:
                raise TargetNotEmpty(table.name, rows)
        for table in tables:
            copied[table.name] = _copy_table(out_of, into, table)
        if into.dialect.name == "postgresql":
            for table in tables:
                _move_sequence_past_copied_ids(into, table)
    return copied


def _copy_table(out_of: Connection, into: Connection, table: Table) -> int:
    result = out_of.execution_options(yield_per=BATCH_ROWS).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    count = 0
    for batch in result.mappings().partitions(BATCH_ROWS):
        into.execute(table.insert(), [dict(row) for row in batch])
        count += len(batch)
    return count


def _move_sequence_past_copied_ids(into: Connection, table: Table) -> None:
    """Rows came with their ids; PostgreSQL's sequence must hand out the next ones after them."""
    for column in table.primary_key.columns:
        if not isinstance(column.type, Integer):
            continue
        sequence = into.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        )
        if sequence is None:
            continue
        into.execute(
            text(
                f'SELECT setval(:sequence, COALESCE(MAX("{column.name}"), 1), '
                f'MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'
            ),
            {"sequence": sequence},
        )
