"""Answers written out as CSV or JSON, row by row, for teachers' own spreadsheets and tools.

Times are ISO 8601 in UTC to the second with a `Z`, e.g. `2026-11-25T16:32:36Z`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from datetime import UTC
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from storage.reports import ExportRow

FIELDS = ("answered_at", "user_id", "user_name", "question_id", "chosen", "correct")
# A spreadsheet runs a cell starting with one of these as a formula ("CSV injection"). Learners
# choose their names and teachers (or whoever sent the bank) the option texts: every text cell
# that starts so gets a leading apostrophe, as OWASP advises.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(rows: Iterable[ExportRow], stream: TextIO) -> int:
    """Write a header and one line per answer (correct as true/false); the number of answers."""
    writer = csv.writer(stream)  # quotes commas, quotes and line breaks inside values
    writer.writerow(FIELDS)
    count = 0
    for row in rows:
        record = _record(row)
        record["correct"] = "true" if row.correct else "false"
        writer.writerow(_inert(v) if isinstance(v, str) else v for v in record.values())
        count += 1
    return count


def write_json(rows: Iterable[ExportRow], stream: TextIO) -> int:
    """Write a JSON array of one object per answer, streamed; the number of answers."""
    count = 0
    stream.write("[")
    for row in rows:
        stream.write(",\n" if count else "\n")
        stream.write(json.dumps(_record(row), ensure_ascii=False))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count


def _record(row: ExportRow) -> dict[str, Any]:
    return {
        "answered_at": row.answered_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "user_id": row.user_id,
        "user_name": row.user_name,
        "question_id": row.question_id,
        "chosen": row.chosen,
        "correct": row.correct,
    }


def _inert(text: str) -> str:
    """The text, made safe from being run as a spreadsheet formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


Writer = Callable[[Iterable["ExportRow"], TextIO], int]
WRITERS: dict[str, Writer] = {"csv": write_csv, "json": write_json}
