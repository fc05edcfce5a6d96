"""The manifest of a vector directory, ``MANIFEST.json``: its one reader and its entries.

Shape (what :func:`perpspec.spec.vectors.render_manifest` writes)::

    {"spec_version": "0.1.0",
     "files": {"adl_rank.jsonl": {"valid": 11, "invalid": 5, "sha256": "<64 hex digits>"}}}

``valid`` and ``invalid`` count a file's cases without and with a ``reject_reason``;
``sha256`` is of the file's bytes. The writer and ``conform``'s check share
:func:`describe_vector_file` and :func:`read_manifest`, so the two cannot disagree on what an
entry means. A manifest with any other key, a count that is not a whole number >= 0, a hash
that is not 64 lowercase hex digits, or a name that is not a plain file name is refused with
one line naming the key: a manifest read in part would pin nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MANIFEST_NAME",
    "Manifest",
    "ManifestEntry",
    "ManifestError",
    "describe_vector_file",
    "read_manifest",
]

MANIFEST_NAME = "MANIFEST.json"

_SHA256 = re.compile(r"[0-9a-f]{64}")
_ENTRY_KEYS = ("valid", "invalid", "sha256")


class ManifestError(ValueError):
    """A manifest that cannot be read, or one the reader refuses (the message says where)."""


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One vector file as the manifest pins it."""

    valid: int
    invalid: int
    sha256: str

    def to_json(self) -> dict[str, object]:
        return {"valid": self.valid, "invalid": self.invalid, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class Manifest:
    """The spec version the vectors belong to, and every file it pins, by name."""

    spec_version: str
    files: Mapping[str, ManifestEntry]


def describe_vector_file(text: str) -> ManifestEntry:
    """The entry of a vector file's ``text``: a line with a ``reject_reason`` is an invalid
    case, any other nonblank line a valid one; the SHA-256 is of the UTF-8 bytes."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    invalid = sum(1 for case in lines if "reject_reason" in case)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return ManifestEntry(len(lines) - invalid, invalid, digest)


def _count(entry: Mapping[str, object], key: str, where: str) -> int:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ManifestError(f"{where}.{key}: expected a whole number >= 0, found {value!r}")
    return value


def _read_entry(name: object, entry: object, where: str) -> tuple[str, ManifestEntry]:
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in (".", ".."):
        raise ManifestError(f"{where}: {name!r} is not a plain file name")
    at = f"{where}.{name}"
    if not isinstance(entry, dict):
        raise ManifestError(f"{at}: expected an object, found {type(entry).__name__}")
    unknown = sorted(set(entry) - set(_ENTRY_KEYS))
    if unknown:
        raise ManifestError(f"{at}.{unknown[0]}: unknown key (an entry has valid, invalid, sha256)")
    digest = entry.get("sha256")
    if not isinstance(digest, str) or _SHA256.fullmatch(digest) is None:
        raise ManifestError(f"{at}.sha256: expected 64 lowercase hex digits, found {digest!r}")
    return name, ManifestEntry(_count(entry, "valid", at), _count(entry, "invalid", at), digest)


def read_manifest(path: Path) -> Manifest:
    """The manifest at ``path``, or :class:`ManifestError` with a one-line reason."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ManifestError(f"{path}: cannot read the file: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise ManifestError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ManifestError(f"{path}: invalid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise ManifestError(f"{path}: expected a JSON object, found {type(raw).__name__}")
    unknown = sorted(set(raw) - {"spec_version", "files"})
    if unknown:
        raise ManifestError(f"{path}: {unknown[0]}: unknown key (spec_version, files)")
    version = raw.get("spec_version")
    if not isinstance(version, str) or not version:
        raise ManifestError(f"{path}: spec_version: expected a nonempty string, found {version!r}")
    files = raw.get("files")
    if not isinstance(files, dict):
        raise ManifestError(f"{path}: files: expected an object, found {type(files).__name__}")
    where = f"{path}: files"
    entries = dict(_read_entry(name, entry, where) for name, entry in files.items())
    return Manifest(version, entries)
