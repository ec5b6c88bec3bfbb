"""Reading a knowledge or overlay file: regular files only, inside their folder, of a sane size.

A reload runs unattended whenever the folder changes, so whatever lands there must not be able to
hang it (a FIFO blocks `open()`, `/dev/zero` never ends), exhaust memory, or pull in content from
elsewhere (a symlink out of the folder whose text would then be quoted in problem reports, and
those reach the unauthenticated /healthz). Symlinks that stay inside the folder are followed:
Kubernetes ConfigMaps mount every file as one.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_FILE_BYTES = 512 * 1024
"""The whole bundled knowledge base is ~200 KiB; one file ten times the largest is still far below."""


class FileRefused(Exception):
    """The file is not read; the message says why, in words for the curator."""


def read_text(path: Path, root: Path | None = None, limit: int = MAX_FILE_BYTES) -> str:
    """The file's UTF-8 text, or FileRefused (UnicodeDecodeError for bytes that are not UTF-8)."""
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise FileRefused("missing (or a link to nothing)") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop on older Pythons
        raise FileRefused(f"cannot follow: {getattr(exc, 'strerror', None) or type(exc).__name__}") from None
    if root is not None and not real.is_relative_to(root.resolve()):
        raise FileRefused("is a link to a file outside the knowledge folder; copy the file in instead")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise FileRefused(f"cannot read: {exc.strerror or type(exc).__name__}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("not a regular file (a pipe, device or folder); only plain files are read")
        if info.st_size > limit:
            raise FileRefused(f"larger than {limit // 1024} KiB ({info.st_size // 1024} KiB); split it up")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, 64 * 1024)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise FileRefused(f"larger than {limit // 1024} KiB; split it up")
    except OSError as exc:
        raise FileRefused(f"cannot read: {exc.strerror or type(exc).__name__}") from None
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8")


def describe(value: object, limit: int = 40) -> str:
    """A value from a file, named for a problem report without `repr` of arbitrary structures
    (a YAML alias bomb is tiny on disk and gigabytes as text)."""
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple, set)):
        return "a list"
    text = value if isinstance(value, str) else str(value)
    text = "".join(c if c.isprintable() else " " for c in text[:limit]) + ("…" if len(text) > limit else "")
    return f"{type(value).__name__} {text!r}"
