"""Debian's office and browser programs, run headless by the tests.

``.ci/run`` installs them (LibreOffice Calc, Chromium, poppler, CJK fonts).
Where one is missing a test that needs it is skipped, except under CI
(``CI`` set), where the missing program fails the test: there it must be
installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def need(program: str) -> str:
    """The path of ``program``; skip (fail under CI) when it is not installed."""
    exe = shutil.which(program)
    if exe is None:
        why = f"{program} is not installed (.ci/run installs it with apt-get)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return exe


class Office:
    """LibreOffice, headless, with a profile of its own (runs in parallel safely)."""

    def __init__(self, profile: Path) -> None:
        self.exe = need("soffice")
        self.profile = profile

    def convert(self, files: list[Path], to: str, out_dir: Path) -> list[Path]:
        """Convert ``files`` (``to``: ``pdf``, ``xlsx:Calc MS Excel 2007 XML``)."""
        out_dir.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [
                self.exe,
                f"-env:UserInstallation={self.profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                to,
                "--outdir",
                str(out_dir),
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        suffix = "." + to.split(":")[0]
        made = [out_dir / (Path(f).stem + suffix) for f in files]
        missing = [p for p in made if not p.is_file()]
        assert not missing, (missing, proc.stdout, proc.stderr)
        return made


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF, in content order (poppler's pdftotext)."""
    exe = need("pdftotext")
    text = subprocess.run(
        [exe, "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
