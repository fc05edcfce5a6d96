"""Mutation-found gaps in reading the engine configuration file (``LEDGER.engine.toml``).

Rules (engine/config.py): the file is TOML, which is UTF-8 by definition, so it is read as
UTF-8 whatever the platform's locale; and every refusal is one line naming the file it came
from (the error messages are part of the contract).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from perpspec.reference.engine.config import load_engine_config
from perpspec.reference.errors import SpecError

READ_BOOK = (
    "import sys; from pathlib import Path; "
    "from perpspec.reference.engine.config import load_engine_config; "
    "print(load_engine_config(Path(sys.argv[1])).liquidity.account.encode('utf-8').hex())"
)


def test_an_unknown_key_is_refused_naming_the_file(tmp_path: Path) -> None:
    """A key other than profile, unit and liquidity: the reason starts with the file's path."""
    path = tmp_path / "run.engine.toml"
    path.write_text('profile = "seed-gate"\nseed = 1\n', encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_engine_config(path)
    assert str(caught.value) == f"{path}: seed: unknown key (profile, unit, liquidity)"


def test_the_file_is_read_as_utf8_under_an_ascii_locale(tmp_path: Path) -> None:
    """A book account named "mårket" (UTF-8 bytes c3 a5 for "å") is read back exactly by a
    process whose locale encoding is ASCII (the C locale, with Python's UTF-8 mode and locale
    coercion turned off)."""
    path = tmp_path / "run.engine.toml"
    path.write_bytes(b'profile = "seed-gate"\n[liquidity]\naccount = "m\xc3\xa5rket"\n')
    env = dict(os.environ, LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    done = subprocess.run(
        [sys.executable, "-c", READ_BOOK, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "mårket".encode().hex()
