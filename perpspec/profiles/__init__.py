"""The shipped profiles: one TOML file per documented system (``<name>.toml`` beside this file).

Each file names every option of :mod:`perpspec.reference.profile`; ``docs/profiles.md`` gives
each one's source, date and the reason for every value.
"""

from __future__ import annotations

import importlib.resources
import pathlib

from perpspec.reference.errors import SpecError

__all__ = ["list_profiles", "profile_path"]


def list_profiles() -> list[str]:
    """Names of the shipped profiles, sorted (``perpspec profiles`` lists them)."""
    folder = importlib.resources.files(__name__)
    return sorted(
        item.name[: -len(".toml")] for item in folder.iterdir() if item.name.endswith(".toml")
    )


def profile_path(name: str) -> pathlib.Path:
    """The file of the shipped profile ``name``; :class:`SpecError` naming the choices if unknown.

    The package is installed as plain files (never zipped), so the resource is a real path.
    """
    if name not in list_profiles():
        raise SpecError(f"{name}: not a shipped profile (one of {', '.join(list_profiles())})")
    return pathlib.Path(str(importlib.resources.files(__name__) / f"{name}.toml"))
