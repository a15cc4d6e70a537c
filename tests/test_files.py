"""Atomic writes keep the previous file when a write fails; bounded reads refuse big files."""

from __future__ import annotations

import os
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
