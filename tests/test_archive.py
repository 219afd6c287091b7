"""Untrusted archives: members read in memory, hostile names harmless, bombs refused fast."""

from __future__ import annotations

import io
import os
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from export_builders import (
    encrypted_member_zip,
    fit_of,
    gzip_bomb,
    lying_size_zip,
    write,
    zip_bytes,
    zip_of_zeros,
)

from runload.exceptions import ArchiveError, UnsafeInputError
from runload.io.archive import (
    ArchiveLimits,
    SafeZip,
    member_display,
    normalise_member_name,
)
from runload.io.batch import read_activities


def _read(path: Path, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_activities(path, cache=None, jobs=1, **kwargs)  # type: ignore[arg-type]


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_normalised_names_are_only_labels() -> None:
    assert normalise_member_name("./activities/1.fit") == "activities/1.fit"
    assert normalise_member_name("/abs/x.gpx") == "abs/x.gpx"
    assert normalise_member_name("a\\b.tcx") == "a/b.tcx"
    assert member_display("e.zip", "x\n.fit") == "e.zip!x?.fit"


def test_path_traversal_names_are_read_in_memory_and_create_nothing(tmp_path: Path) -> None:
    box = tmp_path / "box"
    archive = write(
        box / "hostile.zip",
        zip_bytes(
            {
                "../../evil.fit": fit_of(1),
                "/etc/evil2.fit": fit_of(2),
                "..\\..\\evil3.fit": fit_of(3),
            }
        ),
    )
    before = _tree(tmp_path)
    cwd_before = set(os.listdir(os.getcwd()))
    log = _read(archive)
    assert _tree(tmp_path) == before  # nothing extracted anywhere under tmp_path
    assert set(os.listdir(os.getcwd())) == cwd_before
    assert len(log.activities) == 3
    shown = set(log.activities["source_path"])
    assert shown == {
        f"{archive}!../../evil.fit",
        f"{archive}!/etc/evil2.fit",
        f"{archive}!..\\..\\evil3.fit",
    }
    assert log.errors.empty


def test_zip_bomb_is_an_error_row_in_under_a_second(tmp_path: Path) -> None:
    bomb = zip_of_zeros("activities/bomb.fit", 64 << 20)  # 64 MiB of zeros, ~64 KiB packed
    assert len(bomb) < 1 << 20
    buf = io.BytesIO(bomb)  # the bomb next to a good file in one archive
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("activities/ok.fit", fit_of(1))
    archive = write(tmp_path / "bomb.zip", buf.getvalue())
    t0 = time.perf_counter()
    log = _read(archive)
    elapsed = time.perf_counter() - t0
    assert elapsed < 1.0
    assert len(log.activities) == 1
    row = log.errors.set_index("reason").loc["decompression_bomb"]
    assert row["path"] == f"{archive}!activities/bomb.fit"


def test_member_lying_about_its_size_stops_at_the_claim(tmp_path: Path) -> None:
    archive = write(tmp_path / "liar.zip", lying_size_zip("x.fit", 8 << 20, 1000))
    t0 = time.perf_counter()
    log = _read(archive)
    assert time.perf_counter() - t0 < 1.0
    assert list(log.errors["reason"]) == ["bad_member"]


def test_gzip_bomb_member_is_an_error_row_in_under_a_second(tmp_path: Path) -> None:
    bomb = gzip_bomb(1 << 30)  # 1 GiB of zeros from about 1 MiB
    assert len(bomb) < 2 << 20
    archive = write(
        tmp_path / "export.zip",
        zip_bytes({"activities/bomb.fit.gz": bomb, "activities/ok.fit": fit_of(1)}),
    )
    t0 = time.perf_counter()
    log = _read(archive)
    assert time.perf_counter() - t0 < 1.0
    assert len(log.activities) == 1
    assert log.errors.set_index("path").loc[f"{archive}!activities/bomb.fit.gz", "reason"] == (
        "decompression_bomb"
    )


def test_gzip_bomb_file_on_disk_is_an_error_row_in_under_a_second(tmp_path: Path) -> None:
    write(tmp_path / "runs" / "bomb.gpx.gz", gzip_bomb(1 << 30))
    write(tmp_path / "runs" / "ok.fit", fit_of(2))
    t0 = time.perf_counter()
    log = _read(tmp_path / "runs")
    assert time.perf_counter() - t0 < 1.0
    assert len(log.activities) == 1
    assert list(log.errors["reason"]) == ["decompression_bomb"]


def test_encrypted_member_is_skipped_with_a_reason(tmp_path: Path) -> None:
    archive = write(
        tmp_path / "enc.zip",
        encrypted_member_zip({"a.fit": fit_of(1), "secret.fit": fit_of(2)}, "secret.fit"),
    )
    with SafeZip(archive, display="enc.zip") as z:
        assert [m.encrypted for m in z] == [False, True]
    log = _read(archive)
    assert len(log.activities) == 1
    assert list(log.errors["reason"]) == ["encrypted"]
    assert log.errors["path"].iloc[0] == f"{archive}!secret.fit"


def test_nesting_depth_two_is_read_three_is_refused(tmp_path: Path) -> None:
    level3 = zip_bytes({"deep.fit": fit_of(3)})
    level2 = zip_bytes({"inner.fit": fit_of(2), "deeper.zip": level3})
    archive = write(tmp_path / "outer.zip", zip_bytes({"a.fit": fit_of(1), "nested.zip": level2}))
    log = _read(archive)
    assert len(log.activities) == 2
    assert sorted(log.activities["source_path"]) == [
        f"{archive}!a.fit",
        f"{archive}!nested.zip!inner.fit",
    ]
    assert list(log.errors["reason"]) == ["nesting_too_deep"]
    assert log.errors["path"].iloc[0] == f"{archive}!nested.zip!deeper.zip"


def test_member_count_cap_refuses_the_archive(tmp_path: Path) -> None:
    archive = write(tmp_path / "many.zip", zip_bytes({f"{i}.txt": b"x" for i in range(10)}))
    with pytest.raises(UnsafeInputError) as info:
        SafeZip(archive, display="many.zip", limits=ArchiveLimits(max_members=5))
    assert info.value.reason == "too_many_members"
    log = _read(archive, limits=ArchiveLimits(max_members=5))
    assert list(log.errors["reason"]) == ["too_many_members"]


def test_member_size_and_total_caps(tmp_path: Path) -> None:
    one = fit_of(1)
    archive = write(tmp_path / "caps.zip", zip_bytes({"a.fit": one, "b.fit": fit_of(2)}))
    small = ArchiveLimits(max_member_bytes=len(one) - 1)
    log = _read(archive, limits=small)
    assert list(log.errors["reason"]) == ["member_too_large", "member_too_large"]
    # A total budget of a bit more than one file: the second file is refused.
    total = ArchiveLimits(max_total_bytes=len(one) + 10)
    log = _read(archive, limits=total)
    assert len(log.activities) == 1
    assert list(log.errors["reason"]) == ["archive_too_large"]


def test_not_a_zip_is_an_archive_error(tmp_path: Path) -> None:
    fake = write(tmp_path / "fake.zip", b"PK\x03\x04 definitely not a zip")
    with pytest.raises(ArchiveError) as info:
        SafeZip(fake, display="fake.zip")
    assert info.value.reason == "bad_zip"
    log = _read(fake)
    assert list(log.errors["reason"]) == ["bad_zip"]


def test_read_refuses_a_missing_member(tmp_path: Path) -> None:
    archive = write(tmp_path / "a.zip", zip_bytes({"a.fit": fit_of(1)}))
    with SafeZip(archive, display="a.zip") as z:
        assert z.find("./a.fit") is not None
        with pytest.raises(ArchiveError) as info:
            z.read("b.fit")
    assert info.value.reason == "missing_file"


def test_macos_metadata_members_are_ignored(tmp_path: Path) -> None:
    archive = write(
        tmp_path / "mac.zip",
        zip_bytes(
            {
                "run.fit": fit_of(1),
                "__MACOSX/._run.fit": b"\x00\x05\x16\x07 AppleDouble",
                "._other.gpx": b"\x00\x05\x16\x07 AppleDouble",
            }
        ),
    )
    log = _read(archive)
    assert len(log.activities) == 1
    assert log.errors.empty
