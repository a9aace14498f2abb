"""Screenshots of the deliverables as a provincial office sees them (R16).

    python scripts/screenshots.py OUT [--households N] [--seed S]
    python scripts/screenshots.py OUT --instance DIR --plan DIR

Plans a synthetic province (or reads the given instance and plan), writes
the report, and leaves in ``OUT``:

* ``annex1.png``, ``annex2.png`` — the first printed page of each annex
  (LibreOffice renders the workbook to PDF, poppler turns the page into a
  PNG), and ``roster.png``, the second page of the largest roster (the
  header repeated);
* ``report.png`` — ``index.html`` in headless Chromium (the whole page).

Needs the Debian packages ``.ci/run`` installs (LibreOffice Calc, Chromium,
poppler, Noto CJK). Nothing it makes belongs in git.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _need(program: str) -> str:
    exe = shutil.which(program)
    if exe is None:
        sys.exit(f"{program} is not installed (see .ci/run for the Debian packages)")
    return exe


def _pdf(books: list[Path], out: Path, profile: Path) -> list[Path]:
    subprocess.run(
        [
            _need("soffice"),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, books),
        ],
        check=True,
        capture_output=True,
    )
    return [out / f"{b.stem}.pdf" for b in books]


def _page(pdf: Path, page: int, png: Path, dpi: int = 110) -> Path:
    stem = png.with_suffix("")
    subprocess.run(
        [
            _need("pdftoppm"),
            "-png",
            "-r",
            str(dpi),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return png


def _page_of(pdf: Path, page: int) -> int:
    """``page``, or the last page when the PDF is shorter."""
    info = subprocess.run(
        [_need("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(next(x for x in info.splitlines() if x.startswith("Pages:")).split()[1])
    return min(page, pages)


def _report_png(index: Path, png: Path, work: Path) -> Path:
    subprocess.run(
        [
            _need("chromium"),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={work / 'chromium'}",
            "--window-size=1200,7000",
            f"--screenshot={png}",
            index.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--households", type=int, default=43_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--instance", type=Path, help="an instance to read")
    parser.add_argument("--plan", type=Path, help="its plan (with --instance)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    args = parser.parse_args(argv)

    import pairing
    from pairing.plan import Plan
    from pairing.report import write_report

    if args.instance:
        inst = pairing.load_instance(args.instance)
        plan = Plan.load(args.plan) if args.plan else pairing.solve(inst, time_limit=60)
    else:
        inst = pairing.generate(households=args.households, seed=args.seed)
        plan = pairing.solve(inst, time_limit=60, seed=0)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        work = Path(tmp)
        files = write_report(inst, plan, work / "report", lang=args.lang)
        rosters = [p for k, p in files.items() if k.startswith("roster:")]
        largest = max(rosters, key=lambda p: p.stat().st_size)
        books = [files["annex1"], files["annex2"], largest]
        a1, a2, roster = _pdf(books, work / "pdf", work / "profile")
        made = [
            _page(a1, 1, out / "annex1.png"),
            _page(a2, 1, out / "annex2.png"),
            _page(roster, _page_of(roster, 2), out / "roster.png"),
            _report_png(files["index"], out / "report.png", work),
        ]
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
