"""The code base stays lint- and type-clean: ``ruff check`` and ``mypy``.

Both run as subprocesses of this interpreter (``python -m ruff`` /
``python -m mypy``) from the repository root, so they read the settings of
``pyproject.toml`` (``[tool.ruff]``, ``[tool.mypy]``). They come with the
``test`` extra (``pip install -e .[test]``). mypy gets a fresh cache in a
temporary folder: a full check takes well under a minute.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600  # seconds; a hung tool fails the test rather than the run


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"


def test_ruff_check():
    proc = _run("ruff", "check", "--no-cache", "src", "tests", "benchmarks", "examples")
    assert proc.returncode == 0, _output(proc)


def test_mypy(tmp_path):
    proc = _run(
        "mypy",
        "--cache-dir",
        str(tmp_path / "mypy_cache"),
        "--no-pretty",
        "--no-color-output",
        "src/pairing",
    )
    assert proc.returncode == 0, _output(proc)
