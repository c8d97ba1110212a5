"""Kinds of background exports, registered by the apps (their background_exports.py); exportjobs knows no domain.

A kind has a title for the job page, a `build(params, file, progress)` writing the file into the binary file
object `file` and returning (file name, content type), and `can_request(user, params)`, the app's own permission
rule (checked when the job is asked for, and again when it is seen or downloaded). A builder raises
`ExportInputError` with a message for the user when its parameters cannot be used.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings

Progress = Callable[[int, int], None]


class ExportInputError(Exception):
    """Parameters that cannot give a file; the message is shown on the job page."""


@dataclass(frozen=True)
class ExportKind:
    name: str
    title: Callable[[dict], str]
    build: Callable[[dict, BinaryIO, Progress], tuple[str, str]]
    can_request: Callable[[Any, dict], bool]


_kinds: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> ExportKind | None:
    return _kinds.get(name)


def needs_background(fmt: str, rows: int) -> bool:
    """Whether a file of `rows` rows in `fmt` is built by a worker (settings.PORTAL_EXPORT_BACKGROUND_ROWS)."""
    threshold = settings.PORTAL_EXPORT_BACKGROUND_ROWS.get(fmt)
    return threshold is not None and rows > threshold


def counted(rows: Iterable, *, total: int, progress: Progress, every: int = 1000) -> Iterator:
    """The rows, reporting progress every `every` of them."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            progress(done, total)
    progress(done, total)


def write_pieces(pieces: Iterable[bytes], file: BinaryIO) -> None:
    for piece in pieces:
        file.write(piece)
