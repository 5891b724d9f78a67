"""Tests of forecast.outputs: atomic replacement, in-place writes, errors, CSV and JSON."""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import threading

import numpy as np
import pandas as pd
import pytest

from forecast import outputs
from forecast.errors import ForecastError, OutputError, WriteFailedError
from forecast.outputs import to_csv, to_json, write_text, write_with


def _one_line(exc: ForecastError) -> str:
    message = str(exc)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_new_file_is_written_with_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_text(tmp_path / "out.csv", "a,b\n")
    finally:
        os.umask(old)
    assert (tmp_path / "out.csv").read_text() == "a,b\n"
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["out.csv"]


def test_existing_file_is_replaced_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old content that is longer\n")
    target.chmod(0o640)
    inode = target.stat().st_ino
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.stat().st_ino != inode  # replaced (rename), not rewritten in place
    assert os.listdir(tmp_path) == ["out.csv"]


def test_dev_null_stays_a_character_device():
    write_text("/dev/null", "text\n")
    write_with("/dev/null", lambda tmp: tmp.write_bytes(b"image"), ".png")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_dev_stdout_is_written_in_place(capfd):
    if not os.path.islink("/dev/stdout"):
        pytest.skip("no /dev/stdout link")
    # under capfd, fd 1 is a regular temporary file: it must be appended to, not replaced
    inode = os.fstat(1).st_ino
    write_text("/dev/stdout", "text\n")
    write_with("/dev/stdout", lambda tmp: tmp.write_bytes(b"image\n"), ".png")
    assert os.fstat(1).st_ino == inode and os.path.islink("/dev/stdout")
    assert capfd.readouterr().out == "text\nimage\n"


def test_descriptor_path_appends_to_the_open_file(tmp_path):
    log = tmp_path / "log"
    log.write_text("before\n")
    inode = log.stat().st_ino
    with open(log, "a") as handle:  # as a shell's `>> log` would open it
        path = f"/proc/self/fd/{handle.fileno()}"
        if not os.path.exists(path):
            pytest.skip("no /proc/self/fd")
        write_text(path, "after\n")
    assert log.read_text() == "before\nafter\n" and log.stat().st_ino == inode


def test_fifo_gets_the_bytes_in_place(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_text(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert received == [b"through the pipe\n"]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_symlink_stays_a_link_and_its_target_is_replaced(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.csv"
    target.write_text("old\n")
    target.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(os.path.join("real", "out.csv"))
    write_text(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "out.csv")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path / "real")) == ["out.csv"]


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "made.csv")
    write_text(link, "x\n")
    assert link.is_symlink() and (tmp_path / "made.csv").read_text() == "x\n"


def test_read_only_file_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("keep\n")
    target.chmod(0o444)
    with pytest.raises(OutputError) as info:
        write_text(target, "new\n")
    assert _one_line(info.value) == (
        f"cannot write {str(target)!r}: the file is read-only; "
        "make it writable or choose another name"
    )
    assert info.value.exit_code == 2
    assert target.read_text() == "keep\n" and os.listdir(tmp_path) == ["out.csv"]


def test_missing_parent_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError) as info:
        write_text("nodir/x.csv", "a\n")
    assert _one_line(info.value) == (
        "cannot write 'nodir/x.csv': directory 'nodir' does not exist; "
        "create it or choose another path"
    )
    assert info.value.exit_code == 2
    with pytest.raises(OutputError, match="directory 'nodir' does not exist"):
        write_with("nodir/x.png", lambda tmp: tmp.write_bytes(b"png"), ".png")


def test_parent_is_a_regular_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError) as info:
        write_text("file/x.csv", "a\n")
    assert _one_line(info.value) == (
        "cannot write 'file/x.csv': 'file' is not a directory; choose another path"
    )
    assert info.value.exit_code == 2


def test_permission_denied(tmp_path):
    if os.geteuid() == 0:  # root ignores file modes, but /sys takes no new file even from root
        if not os.path.isdir("/sys"):
            pytest.skip("no /sys to provoke a permission error as root")
        path = "/sys/forecast-test.csv"
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        path = str(locked / "x.csv")
    with pytest.raises(OutputError) as info:
        write_text(path, "a\n")
    assert _one_line(info.value) in (
        f"cannot write {path!r}: permission denied; choose a path you can write to",
        f"cannot write {path!r}: read-only file system; choose another path",  # /sys mounted ro
    )
    assert info.value.exit_code == 2


def test_path_that_is_a_directory(tmp_path):
    with pytest.raises(OutputError) as info:
        write_text(tmp_path, "a\n")
    assert _one_line(info.value).endswith("it is a directory; give a file name")
    assert info.value.exit_code == 2 and tmp_path.is_dir()


def test_dev_full_is_no_space_left_exit_1():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    for write in (
        lambda: write_text("/dev/full", "a\n"),
        lambda: write_with("/dev/full", lambda tmp: tmp.write_bytes(b"png"), ".png"),
    ):
        with pytest.raises(WriteFailedError) as info:
            write()
        assert _one_line(info.value) == (
            "cannot write '/dev/full': no space left on device; free some space or write elsewhere"
        )
        assert info.value.exit_code == 1
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_disk_full_on_a_regular_file_keeps_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "fsync", full)
    with pytest.raises(WriteFailedError, match="no space left on device") as info:
        write_text(target, "new\n")
    assert info.value.exit_code == 1
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["out.csv"]


@pytest.mark.parametrize("error", [RuntimeError("writer broke"), KeyboardInterrupt()])
def test_failing_writer_leaves_old_file_and_no_temporary(tmp_path, error):
    target = tmp_path / "plot.png"
    target.write_bytes(b"old image")
    seen = []

    def writer(tmp):
        seen.append(tmp)
        tmp.write_bytes(b"half an ima")
        raise error

    with pytest.raises(type(error)):
        write_with(target, writer, ".png")
    assert seen[0].parent == tmp_path and seen[0].suffix == ".png"
    assert target.read_bytes() == b"old image" and os.listdir(tmp_path) == ["plot.png"]


def test_write_with_replaces_a_regular_file(tmp_path):
    target = tmp_path / "plot.png"
    target.write_bytes(b"old")
    write_with(target, lambda tmp: tmp.write_bytes(b"new image"), ".png")
    assert target.read_bytes() == b"new image" and os.listdir(tmp_path) == ["plot.png"]


def test_dash_writes_to_stdout(capsys):
    write_text("-", "a,b\n1,2\n")
    write_with("-", lambda tmp: tmp.write_bytes(b"bytes\n"), ".svg")
    assert capsys.readouterr().out == "a,b\n1,2\nbytes\n"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), "cannot write to stdout: the reader closed"),
        (OSError(errno.ENOSPC, "No space left"), "cannot write to stdout: no space left on device"),
    ],
)
def test_stdout_errors_are_one_line_exit_1(monkeypatch, error, message):
    class Failing(io.StringIO):
        def write(self, text):
            raise error

    monkeypatch.setattr(outputs.sys, "stdout", Failing())
    with pytest.raises(WriteFailedError) as info:
        write_text("-", "a\n")
    assert _one_line(info.value).startswith(message)
    assert info.value.exit_code == 1


def test_to_csv_escapes_formulas_in_text_cells_only():
    table = pd.DataFrame(
        {
            "id": ['=HYPERLINK("x")', "+1+A1", "-2+cmd", "@SUM(A1)", "\tx", "ok", None],
            "code": pd.Series(["=a", "b", "c", "d", "e", "g", "h"], dtype="string"),
            "y": [-1.5, 2.0, -3.0, 4.0, 5.0, 7.0, np.nan],
            "n": [-1, 2, 3, 4, 5, 7, 8],
        }
    )
    assert to_csv(table) == (
        "id,code,y,n\n"
        '"\'=HYPERLINK(""x"")",\'=a,-1.5,-1\n'
        "'+1+A1,b,2.0,2\n"
        "'-2+cmd,c,-3.0,3\n"
        "'@SUM(A1),d,4.0,4\n"
        "'\tx,e,5.0,5\n"
        "ok,g,7.0,7\n"
        ",h,,8\n"
    )
    assert to_csv(table, escape_formulas=False) == table.to_csv(index=False)
    assert to_csv(pd.DataFrame({"=x": [1]})) == "'=x\n1\n"
    # a signed number written as text (ids "-1", "+2") is no formula: kept, so it reads back
    ids = pd.DataFrame({"id": ["-1", "+2", "-0.5e3", "-1-1"]})
    assert to_csv(ids) == "id\n-1\n+2\n-0.5e3\n'-1-1\n"
    # a carriage return is escaped too (Python 3.11's csv writer leaves it unquoted)
    assert to_csv(pd.DataFrame({"a": ["\rx"]})).startswith("a\n'\r")


def test_to_json_keeps_full_precision_and_null():
    table = pd.DataFrame(
        {
            "id": ["a", "b"],
            "date": pd.to_datetime(["1961-01-01", "1961-02-01"]),
            "y": [1e-12, np.nan],
            "z": [0.1 + 0.2, -np.inf],
            "n": [1, 2],
        }
    )
    text = to_json(table)
    assert text == (
        "[\n"
        "  {\n"
        '    "id": "a",\n'
        '    "date": "1961-01-01T00:00:00.000",\n'
        '    "y": 1e-12,\n'
        '    "z": 0.30000000000000004,\n'
        '    "n": 1\n'
        "  },\n"
        "  {\n"
        '    "id": "b",\n'
        '    "date": "1961-02-01T00:00:00.000",\n'
        '    "y": null,\n'
        '    "z": null,\n'
        '    "n": 2\n'
        "  }\n"
        "]\n"
    )
    records = json.loads(text)
    assert records[0]["y"] == 1e-12 and records[0]["z"] == 0.1 + 0.2
