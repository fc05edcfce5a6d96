"""The built docs site the site tests read: ``make``'s build, or one built here once.

``make pytest`` builds the site first (``make docs``) and names it in ``PERPSPEC_SITE_DIR``;
run by hand, the first test that asks builds it strictly into a temporary folder, once per
process, so every site test reads the same build.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def get_built_site() -> Path:
    """The folder of the built site (its index.html checked present)."""
    named = os.environ.get("PERPSPEC_SITE_DIR")
    if named:
        site = Path(named)
        if not (site / "index.html").is_file():
            raise AssertionError(f"PERPSPEC_SITE_DIR={named}: no index.html (run `make docs`)")
        return site
    site = Path(tempfile.mkdtemp(prefix="perpspec-site-"))
    atexit.register(shutil.rmtree, site, True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{completed.stderr}")
    return site


def built_pages(site: Path) -> list[Path]:
    """Every HTML page of the site (the theme's 404 page included), in a stable order."""
    return sorted(site.rglob("*.html"))
