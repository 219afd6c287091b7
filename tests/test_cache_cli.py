"""``runload cache info`` and ``runload cache clear``: what they say, and that they do it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from export_builders import fit_of, write

from runload.cli import main
from runload.io.batch import read_activities
from runload.io.cache import CACHE_ENV, MAX_BYTES_ENV, ActivityCache

DB = "activities-v3.sqlite"


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    for day in (1, 3, 5):
        write(tmp_path / "runs" / f"{day}.fit", fit_of(day))
    return tmp_path / "runs"


def _fill(runs: Path, folder: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = read_activities(runs, jobs=1, cache=folder)
    assert log.stats["parsed"] == 3


def _field(text: str, name: str) -> str:
    match = re.search(rf"^{name}:\s+(.*)$", text, re.MULTILINE)
    assert match is not None, text
    return match.group(1)


def test_info_of_a_cache_that_does_not_exist_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MAX_BYTES_ENV, raising=False)
    folder = tmp_path / "nowhere"
    assert main(["cache", "info", "--cache-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert _field(out, "cache folder") == str(folder)
    assert _field(out, "database") == f"{folder / DB} (not created yet)"
    assert _field(out, "entries").startswith("0 cached file(s)")
    assert _field(out, "size limit").startswith("2.0 GiB (the default")
    assert _field(out, "oldest use") == "-"
    assert main(["cache", "clear", "--cache-dir", str(folder)]) == 0
    assert capsys.readouterr().out.strip() == f"no cache at {folder}: nothing to clear"
    assert not folder.exists()


def test_info_then_clear(
    runs: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MAX_BYTES_ENV, "750M")
    folder = tmp_path / "cache"
    _fill(runs, folder)
    assert main(["cache", "info", "--cache-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert _field(out, "database") == str(folder / DB)
    assert _field(out, "entries").startswith("3 cached file(s)")
    assert _field(out, "size limit").startswith(f"750.0 MiB (from ${MAX_BYTES_ENV})")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", _field(out, "newest use"))
    assert re.fullmatch(r"[\d.]+ (B|KiB|MiB)", _field(out, "size on disk"))

    assert main(["cache", "clear", "--cache-dir", str(folder)]) == 0
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(
        rf"cleared the cache at {re.escape(str(folder))}: 3 cached file\(s\) removed, "
        r"[\d.]+ (B|KiB|MiB) freed",
        out,
    ), out
    assert len(ActivityCache(folder)) == 0
    # Cleared means read again: every file is parsed.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert read_activities(runs, jobs=1, cache=folder).stats["parsed"] == 3


def test_the_cache_command_follows_runload_cache_dir(runs: Path, tmp_path: Path) -> None:
    folder = tmp_path / "from-env"
    _fill(runs, folder)
    env = {**os.environ, CACHE_ENV: str(folder), MAX_BYTES_ENV: "a lot"}
    command = [sys.executable, "-m", "runload", "cache"]
    done = subprocess.run([*command, "info"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert _field(done.stdout, "cache folder") == str(folder)
    assert _field(done.stdout, "entries").startswith("3 cached file(s)")
    # A bad limit is reported, and the default kept.
    assert f"${MAX_BYTES_ENV} ignored" in done.stderr
    assert _field(done.stdout, "size limit").startswith("2.0 GiB")
    done = subprocess.run([*command, "clear"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"cleared the cache at {folder}: 3 cached file(s) removed")
    assert len(ActivityCache(folder)) == 0


def test_a_cache_folder_that_is_a_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = write(tmp_path / "a-file", b"x")
    # Nothing to report there, and nothing to clear: a cache is never created by these.
    assert main(["cache", "info", "--cache-dir", str(blocker)]) == 0
    assert main(["cache", "clear", "--cache-dir", str(blocker)]) == 0
    assert blocker.read_bytes() == b"x"
    capsys.readouterr()


def test_a_damaged_cache_is_reported_not_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / DB).write_bytes(b"not a database" * 100)
    # Moved aside and started afresh, as a batch read would.
    assert main(["cache", "info", "--cache-dir", str(folder)]) == 0
    assert _field(capsys.readouterr().out, "entries").startswith("0 cached file(s)")
    assert any(p.name.startswith(f"{DB}.damaged") for p in folder.iterdir())


def test_cache_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["cache"])
    assert exc.value.code == 2
    assert "info" in capsys.readouterr().err


def test_a_cache_that_cannot_be_used_fails_with_the_reason(
    runs: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "c"
    _fill(runs, folder)

    def refuse(self: ActivityCache) -> None:
        raise OSError("database is locked")

    with monkeypatch.context() as patched:
        patched.setattr(ActivityCache, "_open", refuse)
        for action in ("info", "clear"):
            assert main(["cache", action, "--cache-dir", str(folder)]) == 1
            err = capsys.readouterr().err
            assert err.startswith(
                f"runload: runload cache at {folder} not used: database is locked"
            )
    assert len(ActivityCache(folder)) == 3  # nothing was cleared


def test_clear_removes_a_database_of_the_previous_layout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "activities-v1.sqlite").write_bytes(b"o" * 4096)
    assert main(["cache", "info", "--cache-dir", str(folder)]) == 0
    assert _field(capsys.readouterr().out, "size on disk") == "4.0 KiB"
    assert main(["cache", "clear", "--cache-dir", str(folder)]) == 0
    out = capsys.readouterr().out.strip()
    assert out == f"cleared the cache at {folder}: 0 cached file(s) removed, 4.0 KiB freed"
    assert list(folder.iterdir()) == []
