"""Atomic, non-destructive writes: the old file or the new one, never half; never someone else's file."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from pyramid_sym import fileio
from pyramid_sym.errors import InputError
from pyramid_sym.fileio import GENERATED_MARKER, atomic_write, is_generated, stale_temporaries, write_generated

OLD = f"# {GENERATED_MARKER}\nold contents\n"
NEW = f"# {GENERATED_MARKER}\nnew contents\n"


def _temps(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- ordinary writes ---------------------------------------------------------------------------------

def test_atomic_write_text_and_bytes(tmp_path):
    p = tmp_path / "out.py"
    atomic_write(p, "hello\n")
    assert p.read_text() == "hello\n"
    atomic_write(p, b"\x89PNG\x00")
    assert p.read_bytes() == b"\x89PNG\x00"
    assert _temps(tmp_path) == []


def test_new_file_gets_ordinary_permissions(tmp_path):
    p = tmp_path / "out.py"
    atomic_write(p, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~umask  # not the 0600 of a temporary file


def test_replacement_keeps_permissions(tmp_path):
    p = tmp_path / "tool.sh"
    p.write_text("old")
    p.chmod(0o750)
    atomic_write(p, "new")
    assert stat.S_IMODE(p.stat().st_mode) == 0o750 and p.read_text() == "new"


def test_symlink_target_is_written_and_link_kept(tmp_path):
    target = tmp_path / "real.py"
    target.write_text(OLD)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_generated(link, NEW)
    assert link.is_symlink() and target.read_text() == NEW


@pytest.mark.parametrize("bad", ["missing-folder/out.py", "\x00.py"])
def test_bad_targets(tmp_path, bad):
    with pytest.raises(InputError) as info:
        atomic_write(str(tmp_path / bad) if "\x00" not in bad else bad, "x")
    assert str(info.value).endswith(".")


def test_folder_target_refused(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        write_generated(tmp_path, NEW)
    with pytest.raises(InputError, match="is a folder"):
        atomic_write(tmp_path, NEW)


# --- never overwrite a file we did not generate --------------------------------------------------

def test_refuses_foreign_file(tmp_path):
    p = tmp_path / "mine.py"
    p.write_text("my own work\n")
    with pytest.raises(InputError, match="--force"):
        write_generated(p, NEW)
    assert p.read_text() == "my own work\n"
    write_generated(p, NEW, force=True)
    assert p.read_text() == NEW


def test_replaces_generated_file(tmp_path):
    p = tmp_path / "gen.py"
    p.write_text(OLD)
    write_generated(p, NEW)
    assert p.read_text() == NEW and is_generated(p)


def test_binary_marker(tmp_path):
    p = tmp_path / "plot.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"tEXtSoftware\x00" + GENERATED_MARKER.encode() + b" probe" + b"\x00" * 100)
    assert is_generated(p)
    write_generated(p, b"\x89PNG new")
    assert p.read_bytes() == b"\x89PNG new"
    assert not is_generated(p)  # the caller must embed the marker; this payload did not
    with pytest.raises(InputError):
        write_generated(p, b"\x89PNG again")


def test_marker_beyond_the_head_does_not_count(tmp_path):
    p = tmp_path / "late.py"
    p.write_text("x" * 5000 + GENERATED_MARKER)
    assert not is_generated(p)
    assert not is_generated(tmp_path / "does-not-exist")


# --- interruptions ---------------------------------------------------------------------------------

def test_exception_during_write_leaves_old_file(tmp_path, monkeypatch):
    p = tmp_path / "gen.py"
    p.write_text(OLD)

    def boom(fd):
        raise KeyboardInterrupt  # Ctrl-C between writing and renaming

    monkeypatch.setattr(fileio.os, "fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        write_generated(p, NEW * 1000)
    assert p.read_text() == OLD
    assert _temps(tmp_path) == []


def test_disk_full_leaves_old_file(tmp_path, monkeypatch):
    p = tmp_path / "gen.py"
    p.write_text(OLD)

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(OSError):
        write_generated(p, NEW)
    assert p.read_text() == OLD and _temps(tmp_path) == []


_WRITER = textwrap.dedent("""
    import os, sys, time
    from pyramid_sym import fileio
    target, ready = sys.argv[1], sys.argv[2]
    real_fsync = os.fsync
    def slow_fsync(fd):
        # the temporary file is written but not yet renamed: tell the parent, then wait to be killed
        open(ready, "w").close()
        time.sleep(60)
        real_fsync(fd)
    fileio.os.fsync = slow_fsync
    fileio.write_generated(target, "# {marker}\\n" + "new " * 200000)
""").replace("{marker}", GENERATED_MARKER)


def _start_writer(tmp_path):
    target = tmp_path / "gen.py"
    target.write_text(OLD)
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), str(ready)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60  # generous: start-up of a Python with NumPy/SymPy on a loaded machine
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"the writer did not reach the rename: {err.decode()[-500:]}")
        time.sleep(0.02)
    return proc, target


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_writer_killed_midway_leaves_old_file_and_no_temporary(tmp_path, sig):
    proc, target = _start_writer(tmp_path)
    assert len(_temps(tmp_path)) == 1  # the half-done write exists now
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    assert target.read_text() == OLD
    assert _temps(tmp_path) == []


def test_sigkill_leaves_old_file_and_next_write_sweeps(tmp_path):
    proc, target = _start_writer(tmp_path)
    proc.kill()
    proc.wait(timeout=60)
    assert target.read_text() == OLD
    left = _temps(tmp_path)
    assert len(left) == 1 and f".{proc.pid}." in left[0]  # SIGKILL cannot be intercepted
    assert [p.name for p in stale_temporaries(target)] == left
    write_generated(target, NEW)
    assert target.read_text() == NEW and _temps(tmp_path) == []


def test_live_writers_temporaries_are_not_swept(tmp_path):
    target = tmp_path / "gen.py"
    mine = tmp_path / f".gen.py.{os.getpid()}.abc.tmp"  # this process is alive: not stale
    mine.write_text("in progress")
    other = tmp_path / ".other.py.999999999.abc.tmp"  # another target: never touched
    other.write_text("x")
    atomic_write(target, NEW)
    assert mine.exists() and other.exists()


# --- the commands that write: emit refuses a file it did not generate ------------------------------

def _emit(tmp_path, *argv):
    return subprocess.run([sys.executable, "-m", "pyramid_sym", "emit", *argv], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)


def test_emit_refuses_foreign_file_unless_forced(tmp_path):
    from pyramid_sym.cli import _commands

    if "emit" not in [m.NAME for m in _commands()]:
        pytest.skip("the emit command does not exist yet")
    mine = tmp_path / "kernels.py"
    mine.write_text("my hand-written kernels\n")
    refused = _emit(tmp_path, "--target", "numpy", "-o", "kernels.py")
    assert refused.returncode == 2 and "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert mine.read_text() == "my hand-written kernels\n" and _temps(tmp_path) == []
    forced = _emit(tmp_path, "--target", "numpy", "-o", "kernels.py", "--force")
    assert forced.returncode == 0, forced.stderr
    assert is_generated(mine)
    again = _emit(tmp_path, "--target", "numpy", "-o", "kernels.py")  # its own output: replaced without --force
    assert again.returncode == 0 and _temps(tmp_path) == []
