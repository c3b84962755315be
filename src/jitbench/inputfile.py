"""Reading the user's files: any problem becomes one JitbenchError line naming the file.

Results, configs, benchmark sources and pyperf files all come through here, so undecodable,
truncated, empty, huge or absurdly nested input never reaches the caller as a traceback.
"""

from __future__ import annotations

import gzip
import io
import json
import tokenize
import zlib
from pathlib import Path
from typing import Any

from .errors import JitbenchError

# Far above any real result (a million values is ~20 MB of JSON), far below what hurts to load.
MAX_BYTES = 512 * 1024 * 1024


def read_bytes(path: Path, what: str, *, limit: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``; ``what`` ("result file", ...) names the file in the error."""
    try:
        size = Path(path).stat().st_size
        if size > limit:
            raise JitbenchError(
                f"{path}: {what} is {size / 2**20:.0f} MiB, more than the "
                f"{limit // 2**20} MiB jitbench reads; is it the right file?"
            )
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise JitbenchError(f"{path}: {what} not found") from None
    except IsADirectoryError:
        raise JitbenchError(f"{path}: is a directory, not a {what}") from None
    except OSError as exc:
        raise JitbenchError(f"{path}: cannot read {what}: {exc.strerror}") from None


def decode(data: bytes, path: Path, what: str) -> str:
    """``data`` as UTF-8 text; the error gives the first bad byte and its offset."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise JitbenchError(
            f"{path}: {what} is not UTF-8 text (byte 0x{bad:02x} at offset "
            f"{exc.start}); is it the right file?"
        ) from None


def read_text(path: Path, what: str, *, limit: int = MAX_BYTES) -> str:
    """The UTF-8 text of ``path``, or one JitbenchError line naming it and the problem."""
    return decode(read_bytes(path, what, limit=limit), path, what)


def gunzip(data: bytes, path: Path, what: str) -> bytes:
    """``data`` uncompressed when it starts with the gzip magic, else unchanged."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise JitbenchError(f"{path}: {what} is a damaged gzip file ({exc})") from None


def parse_json(text: str, path: Path, what: str, hint: str) -> Any:
    """The JSON value of ``text``; empty, truncated or too deeply nested input is one line."""
    if not text.strip():
        raise JitbenchError(f"{path}: {what} is empty; {hint}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JitbenchError(
            f"{path}: not JSON ({exc.msg}: line {exc.lineno} column {exc.colno}); {hint}"
        ) from None
    except RecursionError:
        raise JitbenchError(
            f"{path}: {what} is nested too deeply to be JSON jitbench reads; {hint}"
        ) from None


def read_source(path: Path, what: str, *, limit: int = MAX_BYTES) -> str:
    """Python source text, decoded as Python would (UTF-8 unless a coding cookie says otherwise)."""
    data = read_bytes(path, what, limit=limit)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except SyntaxError as exc:  # an unknown coding cookie
        raise JitbenchError(f"{path}: {what} is not Python source: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise JitbenchError(
            f"{path}: {what} is not {encoding} text (byte "
            f"0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8 "
            "or declare its encoding (# -*- coding: ... -*-)"
        ) from None
