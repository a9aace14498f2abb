"""Output folders (`pairing.atomic`, `pairing.marker`): pairing's own or refused,
swapped in whole, nothing pairing did not write ever lost.

The crash tests run a folder write in a forked child that dies (``os._exit``)
at its k-th file-system step, for every k, with the one-step swap and with
the two-rename fallback, and check that the folder is then the old complete
one or the new complete one, and that the next run puts every file someone
else wrote back and leaves no leftover.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from pairing import _exchange, atomic
from pairing.atomic import OutputRefused, check_output, folder, recover
from pairing.marker import MARKER, read_marker
from pairing.report._names import MAX_BYTES, file_stems

OLD = {"a.txt": b"old a", "sub/b.txt": b"old b", "gone.txt": b"old only"}
NEW = {"a.txt": b"new a", "sub/b.txt": b"new b", "c.txt": b"new c"}
THEIRS = {"notes.txt": b"someone's notes", "mine/deep.txt": b"\x00\x01"}


def _write(kind: str, out: Path, files: dict[str, bytes], **kw: bool) -> None:
    with folder(out, kind, **kw) as tmp:
        for rel, data in files.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_bytes(data)


def _files(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def _state(out: Path) -> str:
    """``old``, ``new`` or ``missing``: what pairing's files in ``out`` are."""
    if not out.exists():
        return "missing"
    marker = read_marker(out)
    assert marker is not None and marker.state == "complete", "no complete marker"
    mine = {rel: (out / rel).read_bytes() for rel in marker.files}
    assert mine in (OLD, NEW), mine
    return "old" if mine == OLD else "new"


def _setup(root: Path) -> Path:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir()
    out = root / "out"
    _write("plan", out, OLD)
    for rel, data in THEIRS.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    return out


# -- refusal and keeping ----------------------------------------------------------


def test_a_new_folder_gets_a_marker_listing_its_files(tmp_path: Path) -> None:
    _write("plan", tmp_path / "out", NEW)
    marker = read_marker(tmp_path / "out")
    assert marker is not None and marker.kind == "plan"
    assert sorted(marker.files) == sorted(NEW)
    assert os.listdir(tmp_path) == ["out"]


def test_replacing_keeps_every_file_pairing_did_not_write(tmp_path: Path) -> None:
    out = _setup(tmp_path / "r")
    _write("plan", out, NEW)
    assert _files(out) == NEW | THEIRS  # gone.txt (pairing's) is gone
    assert os.listdir(out.parent) == ["out"]


def test_a_folder_that_is_not_pairing_s_is_refused_unless_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    for kind in ("plan", "report", "instance"):
        with pytest.raises(OutputRefused, match="pairing did not write"):
            _write(kind, out, NEW)
    assert _files(out) == {"notes.txt": b"mine"}
    _write("report", out, NEW, force=True)
    assert _files(out) == NEW | {"notes.txt": b"mine"}
    with pytest.raises(OutputRefused, match="'report', not 'plan'"):
        _write("plan", out, NEW)
    assert os.listdir(tmp_path) == ["out"]


def test_force_never_replaces_a_file_of_someone_else_s(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("theirs")
    with pytest.raises(OutputRefused, match="a.txt would be replaced"):
        _write("plan", out, NEW, force=True)
    assert _files(out) == {"a.txt": b"theirs"}
    assert os.listdir(tmp_path) == ["out"]


def test_an_edited_pairing_file_is_someone_else_s(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write("plan", out, OLD)
    (out / "a.txt").write_bytes(b"edited by hand")
    with pytest.raises(OutputRefused, match="a.txt"):
        _write("plan", out, NEW)
    assert (out / "a.txt").read_bytes() == b"edited by hand"
    # a copy with new times but the same bytes is still pairing's (digest)
    copy = tmp_path / "copy"
    _write("plan", copy, OLD)
    for p in copy.rglob("*.txt"):
        os.utime(p, (1, 1))
    _write("plan", copy, NEW)
    assert _files(copy) == NEW


def test_empty_folders_and_nested_subfolders(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir(mode=0o750)
    _write("plan", out, NEW)  # an empty folder is fine; its mode is kept
    assert out.stat().st_mode & 0o777 == 0o750
    (out / "sub" / "extra.txt").write_text("mine")  # inside pairing's subfolder
    _write("plan", out, OLD)
    assert _files(out) == OLD | {"sub/extra.txt": b"mine"}


def test_check_output_refuses_inputs_the_current_folder_files_and_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inp = tmp_path / "in" / "inst"
    inp.mkdir(parents=True)
    for out in (inp, inp.parent):
        with pytest.raises(OutputRefused, match="input"):
            check_output(out, "plan", inputs=[inp])
        check_output(out, "plan", inputs=[inp], force=True)  # force: files kept
    monkeypatch.chdir(inp)
    for out in (Path("."), Path(".."), inp):
        with pytest.raises(OutputRefused, match="current folder"):
            check_output(out, "plan", force=True)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").write_text("x")
    (tmp_path / "l").symlink_to(inp)
    for out, words in (("f", "a file"), ("l", "symbolic link")):
        with pytest.raises(OutputRefused, match=words):
            check_output(tmp_path / out, "plan", force=True)
    with pytest.raises(ValueError, match="kind must be"):
        check_output(tmp_path / "x", "plans-typo")


def test_permissions_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        _write("plan", tmp_path / "a", NEW)
        atomic.write_text(tmp_path / "f.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "a" / "a.txt").stat().st_mode & 0o777 == 0o600
    old = os.umask(0o022)
    try:
        _write("plan", tmp_path / "b", NEW)
        atomic.write_text(tmp_path / "g.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "b").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "b" / "sub" / "b.txt").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "g.txt").stat().st_mode & 0o777 == 0o644


def test_an_error_while_building_leaves_the_old_folder(tmp_path: Path) -> None:
    out = _setup(tmp_path / "r")
    before = _files(out)
    with pytest.raises(OSError, match="disk full"), folder(out, "plan") as tmp:
        (tmp / "a.txt").write_bytes(b"half")
        raise OSError(28, "disk full")
    assert _files(out) == before and os.listdir(out.parent) == ["out"]


def test_json_is_strict() -> None:
    text = atomic.json_text({"inf": float("inf"), "nan": float("nan"), "n": [1.5]})
    assert "Infinity" not in text and "NaN" not in text and '"inf": null' in text


# -- crashes at every step ----------------------------------------------------------

_STEPS = ("rename", "replace", "unlink", "rmdir", "mkdir", "chmod")


def _crash_at(k: int, out: Path, fallback: bool) -> int:
    """Write NEW over ``out`` in a child that dies at its k-th step."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            count = [0]

            def step(fn):  # type: ignore[no-untyped-def]
                def inner(*args, **kwargs):  # type: ignore[no-untyped-def]
                    count[0] += 1
                    if count[0] == k:
                        os._exit(99)
                    return fn(*args, **kwargs)

                return inner

            for name in _STEPS:
                setattr(os, name, step(getattr(os, name)))
            if fallback:
                _exchange.exchange = lambda a, b: False  # type: ignore[assignment]
                _exchange.rename_new = lambda a, b: False  # type: ignore[assignment]
            else:
                _exchange.exchange = step(_exchange.exchange)  # type: ignore[assignment]
            _write("plan", out, NEW)
        except BaseException:  # noqa: BLE001 (report, then die)
            code = 98
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(sys.platform == "win32", reason="needs fork")
@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "two-renames"])
def test_a_crash_at_any_step_leaves_old_or_new_and_loses_nothing(
    tmp_path: Path, fallback: bool
) -> None:
    if not fallback and not _exchange.exchange(*_pair(tmp_path)):
        pytest.skip("this file system cannot swap in one step")
    seen = set()
    for k in range(1, 200):
        out = _setup(tmp_path / "r")
        code = _crash_at(k, out, fallback)
        assert code in (0, 99), f"step {k}: the writer failed ({code})"
        state = _state(out)
        seen.add(state)
        if state == "new" and not set(THEIRS) <= set(_files(out)):
            seen.add("new, their files still in the old folder")
        if not fallback:
            assert state != "missing", f"step {k}: no folder at all"
        # the next write (or recover) repairs: their files all back, no leftover
        notes = recover(out)
        assert _state(out) in ("old", "new"), (k, notes)
        theirs = {r: d for r, d in _files(out).items() if r in THEIRS}
        assert theirs == THEIRS, f"step {k}: lost {set(THEIRS) - set(theirs)}"
        assert os.listdir(out.parent) == ["out"], f"step {k}: {os.listdir(out.parent)}"
        if code == 0:
            assert state == "new"
            break
    else:
        raise AssertionError("the write never finished")
    assert seen >= {"old", "new", "new, their files still in the old folder"}


def _pair(root: Path) -> tuple[Path, Path]:
    a, b = root / "probe-a", root / "probe-b"
    a.mkdir()
    b.mkdir()
    return a, b


@pytest.mark.skipif(sys.platform == "win32", reason="needs signals")
def test_signals_wait_for_the_swap(tmp_path: Path) -> None:
    """SIGTERM during the swap is delivered right after it: the new folder is in."""
    out = _setup(tmp_path / "r")
    got: list[int] = []
    old = signal.signal(signal.SIGTERM, lambda s, f: got.append(s))
    real = _exchange.exchange

    def exchange(a: Path, b: Path) -> bool:
        os.kill(os.getpid(), signal.SIGTERM)  # arrives mid-swap
        assert not got  # held back
        return real(a, b)

    try:
        _exchange.exchange = exchange  # type: ignore[assignment]
        _write("plan", out, NEW)
    finally:
        _exchange.exchange = real  # type: ignore[assignment]
        signal.signal(signal.SIGTERM, old)
    assert got == [signal.SIGTERM] and _state(out) == "new"


def test_leftovers_of_a_live_process_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write("plan", out, OLD)
    live = tmp_path / f".out.pairing-new.{os.getppid()}.abcd"
    live.mkdir()
    (live / "x").write_text("in progress")
    recover(out)
    assert live.exists()


# -- file names from ids -------------------------------------------------------------


def test_file_stems_are_unique_bounded_and_readable() -> None:
    ids = ["220100", "a/b", "a_b", "A", "a", "CON", "con.x", ".hidden", "x" * 300,
           "长" * 100, "e\u0301", "\u00e9", "trailing.", "a|b", "a b", ""]  # fmt: skip
    stems = file_stems(ids)
    assert stems["220100"] == "220100" and stems["a_b"] == "a_b"
    values = list(stems.values())
    assert len({v.casefold() for v in values}) == len(ids)
    assert all(len(v.encode()) <= MAX_BYTES for v in values)
    assert all(v and not v.startswith(".") and "/" not in v for v in values)
    assert stems["a/b"].startswith("a_b-") and stems["x" * 300].startswith("xxx")
    assert file_stems(ids) == stems  # deterministic


def test_nested_folders_a_national_set(tmp_path: Path) -> None:
    """Provinces are built inside the set's build folder and swapped in with it."""
    out = tmp_path / "national"

    def national(text: str) -> None:
        with folder(out, "national") as tmp:
            for code in ("22", "23"):
                with folder(tmp / code, "instance") as sub:
                    (sub / "regions.csv").write_text(f"{code} {text}")

    national("v1")
    marker = read_marker(out)
    assert marker is not None and "22/regions.csv" in marker.files
    assert read_marker(out / "22") is not None  # each province is an instance
    (out / "22" / "notes.txt").write_text("mine")
    national("v2")
    assert (out / "22" / "regions.csv").read_text() == "22 v2"
    assert (out / "22" / "notes.txt").read_text() == "mine"
    assert os.listdir(tmp_path) == ["national"]
