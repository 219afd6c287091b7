"""The FIT importer on real device files, against the devices' own totals and fitdecode."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from corpus import CORPUS, files, needs_corpus, sessions

import runload
from runload.elevation import ElevationGain, ascent_descent

pytestmark = needs_corpus

FIT_FILES = files("fit")


def _read_quiet(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runload.read_activity(CORPUS / path)


_SESSION_TOTALS = ("start_time", "total_elapsed_time", "total_timer_time", "total_distance")


def _holds_no_activity(path: str) -> bool:
    """Whether a FIT file holds no activity, as fitdecode (not runload) reads it.

    True for a file whose ``file_id.type`` names another kind of file (course, settings,
    workout, weight, monitoring), and for one with neither a timed record nor a session
    with a start or a total (records without timestamps, a session of averages only).
    """
    import fitdecode

    kind, timed, totals = None, 0, False
    reader = fitdecode.FitReader(
        str(CORPUS / path),
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
    )
    with reader:
        try:
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                if frame.name == "file_id" and kind is None:
                    kind = frame.get_value("type", fallback=None)
                elif frame.name == "record":
                    timed += frame.get_value("timestamp", fallback=None) is not None
                elif frame.name == "session":
                    totals |= any(
                        frame.get_value(k, fallback=None) is not None for k in _SESSION_TOTALS
                    )
        except fitdecode.FitError:  # damaged files: what came before the damage counts
            pass
    return kind not in (None, "activity") or (timed == 0 and not totals)


def _outcome(path: str) -> tuple[object, ...]:
    """What reading a file gives: the refusal, or the invariants of every activity."""
    try:
        a = _read_quiet(path)
    except runload.RunloadError as exc:
        return ("refused", type(exc).__name__, exc.reason, exc.path == str(CORPUS / path))
    index = a.samples.index
    return (
        "read",
        a.format,
        index.is_monotonic_increasing,
        index.is_unique,
        str(index.tz),
        list(a.samples.columns),
        a.elapsed_time_s >= a.moving_time_s >= 0,
    )


@pytest.mark.parametrize("path", FIT_FILES)
def test_a_fit_file_is_refused_exactly_when_it_holds_no_activity(path):
    if _holds_no_activity(path):
        expected: tuple[object, ...] = (
            "refused",
            "UnsupportedFormatError",
            "not_an_activity",
            True,
        )
    else:
        expected = ("read", "fit", True, True, "UTC", list(runload.schema.SAMPLE_COLUMNS), True)
    assert _outcome(path) == expected


def test_non_activity_files_are_refused_with_a_reason():
    with pytest.raises(runload.UnsupportedFormatError) as info:
        _read_quiet("dtcooper__python-fitparse/tests/files/Settings.fit")
    assert info.value.reason == "not_an_activity"
    assert "Settings.fit" in str(info.value)


def _single_sessions() -> pd.DataFrame:
    s = sessions()
    s = s[s["n_sessions"] == 1].drop_duplicates("local_path")
    return s


def test_distance_within_one_percent_of_session_total_on_running_files():
    s = _single_sessions()
    run = s[(s["sport"] == "running") & (s["total_distance"] > 0)]
    assert len(run) >= 10
    errors = []
    for _, row in run.iterrows():
        activity = _read_quiet(row["local_path"])
        errors.append(100 * (activity.distance_m - row["total_distance"]) / row["total_distance"])
    err = np.abs(np.array(errors))
    print(
        f"distance error vs session total_distance [%]: n={err.size} "
        f"median={np.median(err):.3f} p95={np.percentile(err, 95):.3f} max={err.max():.3f}"
    )
    assert np.mean(err <= 1.0) >= 0.95


def test_distance_matches_session_total_on_all_sports():
    s = _single_sessions()
    s = s[s["total_distance"] > 100]
    within = []
    for _, row in s.iterrows():
        activity = _read_quiet(row["local_path"])
        within.append(
            abs(activity.distance_m - row["total_distance"]) <= 0.01 * row["total_distance"]
        )
    # one synthetic file (big_activity.fit) carries a constant record distance
    assert np.mean(within) >= 0.9


def test_default_elevation_gain_beats_naive_sum_by_a_wide_margin():
    s = _single_sessions()
    s = s[s["total_ascent"] >= 20]
    naive, default = [], []
    for _, row in s.iterrows():
        a = _read_quiet(row["local_path"])
        e = a.samples["elevation_m"].to_numpy()
        t = a.samples.index.asi8 / 1e9
        truth = row["total_ascent"]
        naive.append(
            abs(ascent_descent(e, t, method="naive", smooth_window_s=0)[0] - truth) / truth
        )
        default.append(abs(a.ascent_m - truth) / truth)
    med_naive, med_default = np.median(naive) * 100, np.median(default) * 100
    print(f"ascent median abs error: default {med_default:.1f} %, naive {med_naive:.1f} %")
    assert med_default < 20
    assert med_default < med_naive / 2


def test_moving_time_matches_timer_time():
    s = _single_sessions()
    s = s[s["total_timer_time"] > 60]
    close = []
    for _, row in s.iterrows():
        a = _read_quiet(row["local_path"])
        close.append(
            abs(a.moving_time_s - row["total_timer_time"]) <= 0.03 * row["total_timer_time"]
        )
        assert a.moving_time_s <= a.elapsed_time_s
    assert np.mean(close) >= 0.9


def _fitdecode_records(path) -> pd.DataFrame:
    import fitdecode

    rows = []
    with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.DISABLED) as reader:
        for frame in reader:
            if frame.frame_type != fitdecode.FIT_FRAME_DATA or frame.name != "record":
                continue

            def get(name, frame=frame):
                if frame.has_field(name):
                    v = frame.get_value(name)
                    return np.nan if v is None or isinstance(v, tuple) else float(v)
                return np.nan

            ts = frame.get_value("timestamp") if frame.has_field("timestamp") else None
            if ts is None:
                continue
            alt = get("enhanced_altitude")
            rows.append(
                {
                    "time": pd.Timestamp(ts),
                    # fitdecode leaves positions in semicircles: 2**31 of them make 180 degrees
                    "lat": get("position_lat") * 180.0 / 2**31,
                    "lon": get("position_long") * 180.0 / 2**31,
                    "ele": alt if alt == alt else get("altitude"),
                    "dist": get("distance"),
                    "hr": get("heart_rate"),
                }
            )
    frame = pd.DataFrame(rows).set_index("time").sort_index(kind="stable")
    return frame.groupby(level=0).first()


SMALL_CLEAN_FITS = [
    "dtcooper__python-fitparse/tests/files/2013-02-06-12-11-14.fit",
    "dtcooper__python-fitparse/tests/files/garmin-fenix-5-run.fit",
    "dtcooper__python-fitparse/tests/files/garmin-edge-820-bike.fit",
    "dtcooper__python-fitparse/tests/files/activity-small-fenix2-run.fit",
    "dtcooper__python-fitparse/tests/files/developer-types-sample.fit",
    "dtcooper__python-fitparse/tests/files/null_compressed_speed_dist.fit",
]


@pytest.mark.parametrize("path", SMALL_CLEAN_FITS)
def test_record_values_identical_to_fitdecode(path):
    if not (CORPUS / path).is_file():
        pytest.skip(f"{path} not in this corpus")
    ours = _read_quiet(path).samples
    ref = _fitdecode_records(CORPUS / path)
    ref = ref[ref.index.year > 1990]
    assert len(ours) == len(ref)
    assert (ours.index == ref.index).all()
    pairs = [
        ("latitude_deg", "lat"),
        ("longitude_deg", "lon"),
        ("elevation_m", "ele"),
        ("distance_m", "dist"),
        ("heart_rate_bpm", "hr"),
    ]
    for ours_col, ref_col in pairs:
        np.testing.assert_allclose(
            ours[ours_col].to_numpy(), ref[ref_col].to_numpy(), rtol=0, atol=1e-6, equal_nan=True
        )


def test_compressed_speed_distance_matches_fitparse_ground_truth():
    path = "dtcooper__python-fitparse/tests/files/compressed-speed-distance.fit"
    truth = pd.read_csv(CORPUS / path.replace(".fit", "-records.csv"), skipinitialspace=True)
    samples = _read_quiet(path).samples
    # the file's first record carries only a timestamp; fitparse's table starts after it
    samples = samples[samples["distance_m"].notna()]
    assert len(samples) == len(truth)
    np.testing.assert_allclose(samples["distance_m"].to_numpy(), truth["Distance [m]"], atol=1e-6)
    np.testing.assert_allclose(samples["heart_rate_bpm"].to_numpy(), truth["Heart Rate [bpm]"])
    np.testing.assert_allclose(samples["speed_m_s"].to_numpy(), truth["Speed [m/s]"], atol=1e-9)
    # relative (power-up) times anchored: seconds between records are kept
    dt = np.diff(samples.index.asi8) / 1e9
    np.testing.assert_allclose(dt, np.diff(truth["Timestamp"].to_numpy()))


def test_local_offset_comes_from_the_activity_local_timestamp():
    a = _read_quiet("dtcooper__python-fitparse/tests/files/garmin-fenix-5-run.fit")
    # fitparse's ground truth lists these records in PDT (UTC-7) for the same instants
    assert a.utc_offset_source == "file"
    assert a.utc_offset_s == -7 * 3600
    first = pd.Timestamp("Sun Jun 11 07:34:09 2017").tz_localize("America/Los_Angeles")
    assert a.start_time_utc == first.tz_convert("UTC")
    assert a.local_date.isoformat() == "2017-06-11"


def test_crc_mismatch_imports_with_a_warning():
    path = CORPUS / "dtcooper__python-fitparse/tests/files/activity-filecrc.fit"
    with pytest.warns(runload.CorruptFileWarning, match="CRC mismatch"):
        a = runload.read_activity(path)
    assert len(a.samples) > 0


def test_truncated_file_keeps_records_before_the_damage():
    # Activity.fit cut 3 bytes short (768 of 771): the header promises 757 data bytes and
    # 756 are there; the last message, begun at byte 751, runs past the end.  fitdecode
    # reads the same 14 timed records before the end of the file.
    path = CORPUS / "dtcooper__python-fitparse/tests/files/activity-unexpected-eof.fit"
    with pytest.warns(runload.CorruptFileWarning) as caught:
        a = runload.read_activity(path)
    assert [str(w.message) for w in caught] == [
        f"{path}: file is truncated: the header promises 757 data bytes from byte 12, "
        "only 756 are present",
        f"{path}: decoding stopped at byte 751: message runs past the end of the data; "
        "the records before it were kept",
    ]
    import fitdecode

    records = 0
    with pytest.raises(fitdecode.FitEOFError):  # fitdecode finds the file cut short too
        with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.DISABLED) as reader:
            for frame in reader:
                is_record = isinstance(frame, fitdecode.FitDataMessage) and frame.name == "record"
                records += is_record and frame.get_value("timestamp") is not None
    intact = _read_quiet("dtcooper__python-fitparse/tests/files/Activity.fit")
    assert len(a.samples) == records == 14
    assert a.samples.index.equals(intact.samples.index)


def test_corrupt_strava_file_keeps_records_and_uses_the_session_totals():
    path = CORPUS / "dtcooper__python-fitparse/tests/files/strava-android-app-201.10-b1218918.fit"
    with pytest.warns(runload.CorruptFileWarning, match="byte 7471"):
        a = runload.read_activity(path)
    s = (
        sessions()
        .set_index("local_path")
        .loc["dtcooper__python-fitparse/tests/files/strava-android-app-201.10-b1218918.fit"]
    )
    assert a.distance_m == pytest.approx(s["total_distance"], rel=1e-6)
    assert a.samples.index.year.max() == 2021  # the record dated 2085 is a clock glitch


def test_misaligned_coros_fields_decode():
    path = "muktihari__fit/testdata/coros-pace-2-cycling-misaligned-fields.fit"
    matches = [p for p in FIT_FILES if p.endswith("coros-pace-2-cycling-misaligned-fields.fit")]
    if not matches:
        pytest.skip(f"{path} not in this corpus")
    a = _read_quiet(matches[0])
    s = sessions().set_index("local_path").loc[matches[0]]
    assert a.distance_m == pytest.approx(s["total_distance"], rel=0.001)


def test_elevation_gain_method_is_a_parameter():
    path = CORPUS / "dtcooper__python-fitparse/tests/files/activity-small-fenix2-run.fit"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        naive = runload.read_activity(path, elevation=ElevationGain(method="naive"))
        default = runload.read_activity(path)
    assert naive.ascent_m > default.ascent_m
