"""Pain journal: validation with file and line, location mapping, the 14-day window."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from runload.exceptions import ParseError
from runload.risk import Flag, flags_frame, locate_structure, pain_context, read_pain_journal

D = dt.date


@pytest.mark.parametrize(
    ("location", "structure"),
    [
        ("back of heel", "Achilles tendon"),
        ("Back of the heel (left)", "Achilles tendon"),
        ("achilles", "Achilles tendon"),
        ("front of shin", "tibialis anterior tendon"),
        ("Front of the shin", "tibialis anterior tendon"),
        ("inside ankle", "posterior tibial tendon"),
        ("inside of the ankle, right", "posterior tibial tendon"),
        ("medial ankle", "posterior tibial tendon"),
        ("outer ankle", "peroneal tendons"),
        ("outside-of-ankle", "peroneal tendons"),
        ("lateral ankle", "peroneal tendons"),
        ("ankle", "unmapped"),
        ("heel", "unmapped"),
        ("knee", "unmapped"),
        ("", "unmapped"),
    ],
)
def test_locate_structure(location, structure):
    assert locate_structure(location) == structure


def write(tmp_path, text: str, name: str = "pain.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_pain_journal(tmp_path):
    path = write(
        tmp_path,
        "\ufeffDate,Score,Location,notes\n"
        "2024-03-10,3,back of heel,after the long run\n"
        "\n"
        "2024-03-02,0.5,outer ankle,\n",
    )
    j = read_pain_journal(path)
    assert list(j.columns) == ["date", "location", "score", "notes"]
    assert list(j["date"]) == [D(2024, 3, 2), D(2024, 3, 10)]  # sorted
    assert list(j["score"]) == [0.5, 3.0]
    assert list(j["location"]) == ["outer ankle", "back of heel"]


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("date,location,score\n2024-03-01,heel,2\n2024-13-01,heel,2\n", 3, "not YYYY-MM-DD"),
        ("date,location,score\n2024-03-01,heel,11\n", 2, "outside 0–10"),
        ("date,location,score\n2024-03-01,heel,-1\n", 2, "outside 0–10"),
        ("date,location,score\n2024-03-01,heel,bad\n", 2, "not a number"),
        ("date,location,score\n2024-03-01,,2\n", 2, "location is empty"),
        ("date,location,score\n2024-03-01,heel\n", 2, "2 fields"),
        ("date,location\n2024-03-01,heel\n", 1, "lacks column(s) score"),
        # the blank line 3 is skipped but counted
        ("date,location,score\n2024-03-01,heel,1\n\n2024-03-02,heel,x\n", 4, "not a number"),
    ],
)
def test_journal_errors_name_file_and_line(tmp_path, text, line, needle):
    path = write(tmp_path, text, "my_journal.csv")
    with pytest.raises(ParseError) as info:
        read_pain_journal(path)
    err = info.value
    assert err.path == str(path) and err.line == line and err.reason == "pain_journal"
    assert needle in str(err) and "my_journal.csv" in str(err) and f"line {line}" in str(err)


def test_empty_journal_file(tmp_path):
    with pytest.raises(ParseError, match="empty"):
        read_pain_journal(write(tmp_path, ""))


def test_journal_from_frame_is_validated_and_not_mutated():
    frame = pd.DataFrame(
        {"date": ["2024-03-01", D(2024, 2, 1)], "location": ["a", "b"], "score": [1, 2]}
    )
    before = frame.copy()
    j = read_pain_journal(frame)
    assert list(j["date"]) == [D(2024, 2, 1), D(2024, 3, 1)]
    assert frame.equals(before)
    frame.loc[0, "score"] = 12
    with pytest.raises(ParseError, match="row 0"):
        read_pain_journal(frame)


def flag(date: dt.date, trigger: str = "long_run_spike", severity: str = "moderate") -> Flag:
    return Flag(
        trigger=trigger,
        date=date,
        severity=severity,
        metric="m",
        value=1.0,
        threshold=1.0,
        evidence="evidence",
        reference="r",
        message="m",
        advice="a",
    )


def test_pain_context_window():
    entry = D(2024, 3, 20)
    journal = read_pain_journal(
        pd.DataFrame({"date": [entry], "location": ["Back of heel"], "score": [4]})
    )
    flags = [
        flag(D(2024, 3, 5)),  # 15 days before: outside
        flag(D(2024, 3, 6), "distance_jump", "low"),  # 14 days before: inside (edge)
        flag(D(2024, 3, 20), "uphill_overload", "high"),  # same day: inside
        flag(D(2024, 3, 21)),  # after: outside
        flag(D(2024, 3, 10), "treadmill_to_road", "info"),  # notice: ignored
    ]
    ctx = pain_context(journal, flags)
    row = ctx.iloc[0]
    assert row["structure"] == "Achilles tendon"
    assert row["flag_count"] == 2
    assert row["flag_triggers"] == ("distance_jump", "uphill_overload")
    assert row["flags"] == ("2024-03-06 distance_jump (low)", "2024-03-20 uphill_overload (high)")
    assert "Achilles tendon" in row["message"] and "not a diagnosis" in row["message"]
    # the same from a flags DataFrame, and with a shorter window
    ctx = pain_context(journal, flags_frame(flags), days=7)
    assert ctx.iloc[0]["flag_triggers"] == ("uphill_overload",)


def test_pain_context_unmapped_and_no_flags():
    journal = read_pain_journal(
        pd.DataFrame({"date": ["2024-03-01"], "location": ["knee"], "score": [2]})
    )
    ctx = pain_context(journal, [])
    row = ctx.iloc[0]
    assert row["structure"] == "unmapped" and row["flag_count"] == 0
    assert "No training flag" in row["message"]
    for word in ("tendinitis", "tendinopathy", "you have", "injury is"):
        assert word not in row["message"].lower()
