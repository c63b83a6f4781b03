"""Every command on a terminal that cannot show Unicode, and output destinations that cannot be written.

* PYTHONIOENCODING=ascii or cp1252: each command degrades to ASCII, exit status as usual, no traceback.
* ``probe --out`` / ``derive --write`` to a destination that cannot be written: refused in one line
  before any work; if writing fails after the work, the results still reach stdout, one line, exit 2.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys

import pytest

from pyramid_sym.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

COMMANDS = [
    ["prove", "--claim", "article.A8", "--claim", "code.start_sigma_inverts_eq25"],
    ["prove", "--list"],
    ["schedule", "--exact", "--stages", "2"],
    ["schedule"],
    ["check", "0-e", "-e", "--var", "e:(0,1)"],
    ["derive", "--n", "2"],
    ["derive", "--n", "4", "--latex"],
    ["formulas"],
    ["emit", "--target", "numpy"],
    ["probe", "--quick", "--kernel", "renoise_std", "--dtype", "float32", "--no-covariance", "--no-plots"],
    ["schedule", "--gamma", "-1/3"],
    ["check", "sqrt(", "1"],
]


def _run_encoded(argv, encoding, monkeypatch):
    out_b, err_b = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_b, encoding=encoding, errors="strict", write_through=True)
    err = io.TextIOWrapper(err_b, encoding=encoding, errors="strict", write_through=True)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    rc = main(argv)
    out.flush(), err.flush()
    return rc, out_b.getvalue().decode(encoding), err_b.getvalue().decode(encoding)


    ids = {c.id for c in all_claims()}
    return [a for a in argv if a in ids or not a.startswith(("article.", "code."))]


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_command_degrades_to_ascii(argv, encoding, monkeypatch):
    if argv[0] == "prove" and "--claim" in argv:
        from pyramid_sym.ledger import all_claims

        ids = [c.id for c in all_claims()]
        argv = ["prove", "--claim", "article.A8", "--claim", next(i for i in ids if i.startswith("code."))]
    rc, out, err = _run_encoded(argv, encoding, monkeypatch)
    assert rc in (0, 1, 2), (rc, err)
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    assert out or err  # something was said
    if argv[:2] == ["schedule", "--gamma"]:
        assert rc == 2 and "gamma_c = -gamma" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv,encoding,degraded", [
    (["prove", "--wide", "--claim", "article.A8", "--claim", "article.A10"], "ascii", b"..."),  # the ellipsis
    (["schedule", "--exact"], "cp1252", b"~="),  # the approximately-equal sign, not in cp1252
])
def test_console_with_pythonioencoding_has_no_traceback(argv, encoding, degraded):
    env = dict(os.environ, PYTHONIOENCODING=encoding, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-m", "pyramid_sym", *argv], capture_output=True, timeout=300, env=env,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert b"Traceback" not in proc.stderr
    proc.stdout.decode(encoding)  # what was written is valid in that encoding
    assert degraded in proc.stdout  # a character the encoding lacks was spelled in ASCII, not dropped


def _readonly(monkeypatch):
    """Make every new file in a folder fail as on a read-only file system."""
    import tempfile

    def fail(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "TemporaryFile", fail)
    monkeypatch.setattr(tempfile, "mkstemp", fail)


def test_probe_refuses_an_unwritable_out_before_any_work(tmp_path, monkeypatch, capsys):
    import pyramid_sym.probe.engine as engine

    monkeypatch.setattr(engine, "run_probe", lambda *a, **k: pytest.fail("the probe ran before the check"))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    rc = main(["probe", "--quick", "--out", str(blocker / "sub")])
    out, err = capsys.readouterr()
    assert rc == 2 and not out and err.count("\n") == 1 and "--out" in err and "cannot be written" in err
    _readonly(monkeypatch)
    rc = main(["probe", "--quick", "--out", str(tmp_path / "new")])
    out, err = capsys.readouterr()
    assert rc == 2 and "Read-only file system" in err and err.count("\n") == 1


def test_probe_prints_its_table_when_the_plots_fail_after_the_work(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    import pyramid_sym.probe.plots as plots

    def fail(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(plots, "write_plots", fail)
    rc = main(["probe", "--quick", "--kernel", "renoise_std", "--dtype", "float32", "--no-covariance",
               "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert rc == 2
    assert "renoise_std" in out and "Emitted kernels within bounds" in out  # the results were not lost
    assert err.count("\n") == 1 and "could not be written" in err and "printed above" in err


def test_probe_without_matplotlib_prints_the_table_and_one_line(tmp_path, monkeypatch, capsys):
    import pyramid_sym.probe.plots as plots

    monkeypatch.setattr(plots, "matplotlib_available", lambda: False)
    rc = main(["probe", "--quick", "--kernel", "renoise_std", "--dtype", "float32", "--no-covariance",
               "--out", str(tmp_path / "p")])
    out, err = capsys.readouterr()
    assert rc == 0 and "renoise_std" in out and not (tmp_path / "p").exists()
    assert err.count("\n") == 1 and 'pip install -e ".[plots]"' in err


def test_derive_write_refuses_an_unwritable_folder_before_deriving(tmp_path, monkeypatch, capsys):
    import pyramid_sym.derivation  # noqa: F401  (the package re-exports a function of the module's name)

    documents = sys.modules["pyramid_sym.derivation.documents"]
    monkeypatch.setattr(documents, "documents", lambda: pytest.fail("derived before the check"))
    _readonly(monkeypatch)
    rc = main(["derive", "--write", str(tmp_path / "docs")])
    out, err = capsys.readouterr()
    assert rc == 2 and not out and err.count("\n") == 1 and "--write" in err and "Read-only" in err


def test_derive_write_failing_after_the_work_prints_the_documents(tmp_path, monkeypatch, capsys):
    import pyramid_sym.fileio as fileio

    real = fileio.write_generated
    calls = []

    def fail_second(path, text, **kw):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, text, **kw)

    monkeypatch.setattr(fileio, "write_generated", fail_second)
    rc = main(["derive", "--write", str(tmp_path / "docs")])
    out, err = capsys.readouterr()
    assert rc == 2 and err.count("\n") == 1 and "No space left" in err and "printed above" in err
    assert out.count("Generated by pyramid-sym") >= 5  # every document reached stdout


@pytest.mark.parametrize("argv", [
    ["check", "0-e", "-e", "--var", "e:(0,1)"],
    ["check", "--var", "e:(0,1)", "-e", "0-e"],
    ["check", "-e*s", "-(s*e)", "--var", "e:(0,1)", "--var", "s:(0,1)"],
])
def test_expressions_starting_with_minus_are_positional(argv, capsys):
    assert main(argv) == 0
    assert "proved" in capsys.readouterr().out


def test_negative_option_values_reach_the_command(capsys):
    assert main(["schedule", "--gamma", "-1/3"]) == 2
    err = capsys.readouterr().err
    assert "gamma -1/3 is outside" in err and "gamma_c = -gamma" in err  # not argparse's "expected one argument"
    with pytest.raises(SystemExit) as info:  # an unknown option is still refused as one
        main(["prove", "--frobnicate"])
    assert info.value.code == 2
