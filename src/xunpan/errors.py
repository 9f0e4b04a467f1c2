"""Exceptions shown to users. Their messages name the file, row, column, value and what was expected."""

from __future__ import annotations

from dataclasses import asdict, dataclass


class XunpanError(Exception):
    """Base class for errors a user can act on; the CLI prints the message without a traceback."""


@dataclass(frozen=True)
class CellProblem:
    """One bad cell (or a file-level problem when row/column are None)."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def describe(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        got = "" if self.value is None else f": got {self.value!r}"
        return f"{', '.join(where)}{got}; expected {self.expected}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class InputRejected(XunpanError):
    """A whole input file is refused; `problems` lists every bad cell found (up to a cap)."""

    def __init__(self, file: str, reason: str, problems: list[CellProblem] | None = None) -> None:
        self.file = file
        self.reason = reason
        self.problems = list(problems or [])
        lines = [f"{file}: {reason}"]
        lines += [f"  - {p.describe()}" for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"  ... and {len(self.problems) - 20} more")
        super().__init__("\n".join(lines))
