"""Build the compiled core (perpspec/_core/scan.c) into a shared library at install time.

The library is plain C loaded with ctypes (perpspec/_core/__init__.py), so it needs no Python
headers and no build dependency beyond hatchling: the system compiler (``$CC``, else ``cc``)
is run once per build. Without a compiler, or when the compile fails, the install still
succeeds: the reason is written to ``perpspec/_core/BUILD_STATUS.txt`` and every command runs
on the exact path, saying so once. The library and the status file are git-ignored build
products; a wheel gets them through ``force_include`` and a platform tag, an editable install
finds them in the source tree.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CORE_DIR = Path("perpspec") / "_core"
SOURCE = CORE_DIR / "scan.c"
STATUS = CORE_DIR / "BUILD_STATUS.txt"
LIBRARY_NAME = "libperpspec_core.dylib" if sys.platform == "darwin" else "libperpspec_core.so"
COMPILE_SECONDS = 120


def source_hash(source: Path) -> str:
    """The SHA-256 of the C source, compiled into the library so the loader can tell a stale
    build from a current one."""
    return hashlib.sha256(source.read_bytes()).hexdigest()


def compile_core(root: Path) -> str | None:
    """Compile the core next to its source; the reason when it could not be built."""
    source = root / SOURCE
    target = root / CORE_DIR / LIBRARY_NAME
    compiler = shlex.split(os.environ.get("CC", "cc"))
    if not compiler or shutil.which(compiler[0]) is None:
        return f"no C compiler found (tried {compiler[0] if compiler else '$CC'!r})"
    if sys.platform == "win32":
        return "building the compiled core on Windows is not supported"
    command = [
        *compiler,
        "-O2",
        "-std=c99",
        "-shared",
        "-fPIC",
        f'-DPERPSPEC_CORE_SOURCE_HASH="{source_hash(source)}"',
        "-o",
        str(target),
        str(source),
    ]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=COMPILE_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"the compiler could not run: {error}"
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        return f"the compile failed (exit {result.returncode}): {first}"
    return None


class CustomBuildHook(BuildHookInterface):
    """Compiles the core for every wheel (standard and editable); never fails the build."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        library = root / CORE_DIR / LIBRARY_NAME
        status = root / STATUS
        library.unlink(missing_ok=True)
        reason = compile_core(root)
        if reason is None:
            status.write_text("built\n", encoding="utf-8")
        else:
            status.write_text(f"not built: {reason}\n", encoding="utf-8")
            self.app.display_warning(f"perpspec: the compiled core is not built ({reason})")
        if version != "editable":
            build_data["force_include"][str(status)] = str(STATUS)
            if reason is None:
                build_data["force_include"][str(library)] = str(CORE_DIR / LIBRARY_NAME)
                build_data["pure_python"] = False
                build_data["tag"] = f"py3-none-{_platform_tag()}"


def _platform_tag() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")
