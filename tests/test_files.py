"""Atomic writes keep the previous file when a write fails; bounded reads refuse big files."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from micrograd_ann import files


def test_write_atomic_writes_text_and_bytes(tmp_path: Path) -> None:
    files.write_atomic(tmp_path / "a.txt", "héllo\n")
    files.write_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo\n"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_failed_write_keeps_previous_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "model.json"
    target.write_text("previous", encoding="utf-8")

    def failing_fsync(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space left"):
        files.write_atomic(target, "new content that never lands")
    assert target.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_read_limited_refuses_an_endless_file() -> None:
    with pytest.raises(ValueError, match="larger than the limit of 1,024 bytes"):
        files.read_limited("/dev/zero", 1024, "model file")


def test_read_limited_returns_small_files(tmp_path: Path) -> None:
    (tmp_path / "x").write_bytes(b"12345")
    assert files.read_limited(tmp_path / "x", 5, "file") == b"12345"


# -------------------------------------------------------------------------------------------------
# What a write may replace: regular files only; symbolic links are followed
# -------------------------------------------------------------------------------------------------


@pytest.fixture
def replacing_only_inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A guard for these tests (which run as root): os.replace refuses any destination outside
    tmp_path, so that a broken write_atomic could never replace /dev/null itself."""
    real_replace = os.replace

    def guarded(source: str, destination: str) -> None:
        inside = Path(os.path.realpath(os.path.dirname(destination))).is_relative_to(
            os.path.realpath(tmp_path))
        assert inside, f"write_atomic tried to replace {destination}"
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", guarded)


def test_a_named_pipe_or_a_directory_is_refused(
    tmp_path: Path, replacing_only_inside: None
) -> None:
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    with pytest.raises(files.NotARegularFileError, match=r"model.json' is a named pipe \(FIFO\), "
                       "not a regular file.*name a regular file"):
        files.write_atomic(fifo, "{}")
    assert fifo.is_fifo()
    folder = tmp_path / "folder.json"
    folder.mkdir()
    with pytest.raises(files.NotARegularFileError, match="is a directory") as caught:
        files.write_atomic(folder, "{}")
    assert isinstance(caught.value, OSError) and caught.value.filename == str(folder)
    assert folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.json", "model.json"]


def test_save_and_page_save_refuse_a_named_pipe(tmp_path: Path) -> None:
    from micrograd_ann import MLP, Value, save
    from micrograd_ann.pages import backprop_page

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(files.NotARegularFileError):
        save(MLP(1, [1], seed=0), fifo)
    y = Value(2.0, label="x") * 3.0
    y.backward()
    with pytest.raises(files.NotARegularFileError):
        backprop_page(y).save(fifo)
    assert fifo.is_fifo()


def test_a_link_to_a_device_is_refused_and_the_device_kept(
    tmp_path: Path, replacing_only_inside: None
) -> None:
    # `save(m, "/dev/null")` as root used to replace /dev/null with a plain file. The path here
    # is a link to it, so that the guard above can stop a wrong rename before it happens.
    link = tmp_path / "null.json"
    link.symlink_to(os.devnull)
    with pytest.raises(files.NotARegularFileError, match=r"null\.json' is a character device"):
        files.write_atomic(link, "{}")
    assert Path(os.devnull).is_char_device()
    assert link.is_symlink()


def test_a_device_node_is_refused(tmp_path: Path, replacing_only_inside: None) -> None:
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own
    except (PermissionError, AttributeError):
        pytest.skip("cannot make a device node here")
    with pytest.raises(files.NotARegularFileError, match="is a character device"):
        files.write_atomic(node, "{}")
    assert node.is_char_device()


def test_a_symbolic_link_keeps_its_target_written_atomically(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    target = tmp_path / "runs" / "model-3.json"
    target.write_text("old")
    link = tmp_path / "model.json"
    link.symlink_to(Path("runs") / "model-3.json")  # relative, as links usually are
    files.write_atomic(link, "new")
    assert link.is_symlink() and os.readlink(link) == os.path.join("runs", "model-3.json")
    assert target.read_text() == "new"
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["model-3.json"]


def test_a_link_to_a_missing_file_creates_that_file_as_open_does(tmp_path: Path) -> None:
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "made.json")
    files.write_atomic(link, "made")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "made"


# -------------------------------------------------------------------------------------------------
# Modes, and long names
# -------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def test_an_existing_files_mode_is_kept(tmp_path: Path) -> None:
    private = tmp_path / "model.json"
    private.write_text("old")
    private.chmod(0o600)
    files.write_atomic(private, "new")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    shared = tmp_path / "shared.json"
    shared.write_text("old")
    shared.chmod(0o664)
    with umask(0o077):
        files.write_atomic(shared, "new")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664


@pytest.mark.parametrize("mask", [0o077, 0o022, 0o002])
def test_a_new_file_gets_the_mode_open_gives(tmp_path: Path, mask: int) -> None:
    with umask(mask):
        with open(tmp_path / "by-open", "w"):
            pass
        files.write_atomic(tmp_path / "by-write-atomic", "x")
    assert stat.S_IMODE((tmp_path / "by-write-atomic").stat().st_mode) == 0o666 & ~mask
    assert (tmp_path / "by-write-atomic").stat().st_mode == (tmp_path / "by-open").stat().st_mode


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_an_existing_files_owner_is_kept_when_root_writes_it(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.json"
    theirs.write_text("old")
    os.chown(theirs, 4321, 4321)
    theirs.chmod(0o640)
    files.write_atomic(theirs, "new")
    status = theirs.stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (4321, 4321, 0o640)


def test_the_longest_names_the_file_system_takes_can_be_written(tmp_path: Path) -> None:
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")  # 255 on ext4, tmpfs, btrfs, xfs
    for length in (limit - 13, limit):  # 242 and 255: the temporary name used to add 14
        name = "b" * (length - 5) + ".json"
        files.write_atomic(tmp_path / name, "{}")
        assert (tmp_path / name).read_text() == "{}"
    assert len(list(tmp_path.iterdir())) == 2  # no temporary file left
    with pytest.raises(OSError, match="too long"):  # one more is the file system's refusal
        files.write_atomic(tmp_path / ("b" * (limit + 1)), "{}")
    assert len(list(tmp_path.iterdir())) == 2
