"""Tags and gear files (runload.risk.inputs): formats, matching, errors with file and line."""

from __future__ import annotations

import pytest
from risk_tables import D, day, table

from runload.exceptions import ParseError
from runload.risk import evaluate
from runload.risk.inputs import UserTags, read_gear, read_tags

MON = D(2024, 1, 1)


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def acts():
    rows = [
        {"date": day(MON, 0), "km": 5.0, "id": "r0", "name": "Morning run"},
        {"date": day(MON, 3), "km": 5.0, "id": "r3a", "name": "Morning run"},
        {"date": day(MON, 3), "km": 4.0, "id": "r3b", "name": "Evening jog", "minute": 600},
        {"date": day(MON, 60), "km": 5.0, "id": "r60", "name": "Run"},
    ]
    return table(rows)


def test_tags_csv_by_id_date_and_name(tmp_path):
    path = write(
        tmp_path,
        "tags.csv",
        "\ufeffActivity_ID,date,name,tags\n"
        "r0,,,ankle weights;hills\n"
        "\n"
        ",2024-01-04,evening,AW\n"
        ",2024-03-01,,ankle weights\n",
    )
    tags = read_tags(path)
    assert isinstance(tags, UserTags)
    assert dict(tags) == {"r0": ["ankle weights", "hills"]}
    assert [e.line for e in tags.entries] == [2, 4, 5]
    resolved = tags.resolve(acts())
    assert resolved == {"r0": ["ankle weights", "hills"], "r3b": ["AW"], "r60": ["ankle weights"]}
    flags = [f for f in evaluate(acts(), tags=tags) if f.trigger == "ankle_weights"]
    # r0 starts a block; r3b is the second run in 14 days; r60 starts a new block
    assert [(f.activity_ids, f.severity) for f in flags] == [
        (("r0",), "low"),
        (("r60",), "low"),
    ]


def test_tags_toml(tmp_path):
    path = write(
        tmp_path,
        "tags.toml",
        '[[tag]]\nactivity_id = "r0"\ntags = ["ankle weights"]\n\n'
        '[[tag]]\ndate = 2024-01-04\nname = "morning"\ntags = ["ankle weights"]\n',
    )
    assert read_tags(path).resolve(acts()) == {
        "r0": ["ankle weights"],
        "r3a": ["ankle weights"],
    }


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("t.csv", "activity_id,tag\nr0,x\n", "line 1: unknown column 'tag'"),
        ("t.csv", "activity_id,date,tags\nr0,,x\n,2024-13-01,x\n", "line 3: date '2024-13-01'"),
        ("t.csv", "activity_id,tags\nr0,\n", "line 2: no tags given"),
        ("t.csv", "date,tags\n,x\n", "line 2: an entry needs an activity_id or a date"),
        ("t.csv", "", "the file is empty"),
        ("t.toml", '[[tag]]\ntags = ["x"]\n\n[[tag]]\nid = "r0"\n', "line 4: unknown key 'id'"),
        ("t.toml", "[[tag]\n", "invalid TOML"),
    ],
)
def test_tags_errors_name_file_and_line(tmp_path, name, text, needle):
    path = write(tmp_path, name, text)
    with pytest.raises(ParseError) as info:
        read_tags(path)
    assert str(path) in str(info.value) and needle in str(info.value)
    assert info.value.reason == "tags_file"


#: What a gear row says about a shoe when the file gives no type, model, stack or status.
NO_DESCRIPTION = {"type": None, "model": None, "stack_mm": None, "drop_mm": None, "retired": None}


def test_gear_csv_feeds_worn_shoes(tmp_path):
    path = write(
        tmp_path,
        "gear.csv",
        "shoe,first_date,last_date,limit_km,initial_km\n"
        "Light,2024-01-01,2024-01-20,300,\n"
        "Next,2024-01-21,,,100\n",
    )
    gear = read_gear(path)
    assert gear == [
        {
            "gear": "Light",
            "start_date": D(2024, 1, 1),
            "end_date": D(2024, 1, 20),
            "initial_km": 0.0,
            "limit_km": 300.0,
            **NO_DESCRIPTION,
        },
        {
            "gear": "Next",
            "start_date": D(2024, 1, 21),
            "end_date": None,
            "initial_km": 100.0,
            "limit_km": None,
            **NO_DESCRIPTION,
        },
    ]
    # 20 km a day without a gear column: Light reaches 0.6 x 300 = 180 km on day 8
    # (9 runs) and 300 km on day 14 (15 runs)
    rows = [{"date": day(MON, i), "km": 20.0} for i in range(20)]
    flags = [f for f in evaluate(table(rows), gear_map=gear) if f.trigger == "worn_shoes"]
    assert [(f.date, f.severity, f.threshold) for f in flags] == [
        (day(MON, 8), "low", 180.0),
        (day(MON, 14), "moderate", 300.0),
    ]


def test_gear_toml(tmp_path):
    path = write(
        tmp_path,
        "gear.toml",
        '[[shoe]]\nname = "Pegasus 40"\nfirst_date = 2024-01-01\nlimit_km = 650\n',
    )
    [row] = read_gear(path)
    assert row["gear"] == "Pegasus 40" and row["limit_km"] == 650.0 and row["end_date"] is None


def test_gear_file_describes_the_shoes(tmp_path):
    csv_path = write(
        tmp_path,
        "gear.csv",
        "shoe,first_date,type,model,stack_mm,drop_mm,retired\n"
        "Blue Pegs,2024-01-01,Cushioned,Nike Pegasus 40,33,10,yes\n"
        "Toe shoes,2024-03-01,,Vibram FiveFingers V-Run,,,no\n",
    )
    pegs, toes = read_gear(csv_path)
    assert (pegs["type"], pegs["model"], pegs["stack_mm"], pegs["drop_mm"], pegs["retired"]) == (
        "cushioned",
        "Nike Pegasus 40",
        33.0,
        10.0,
        True,
    )
    assert (toes["type"], toes["model"], toes["retired"]) == (
        None,
        "Vibram FiveFingers V-Run",
        False,
    )
    toml_path = write(
        tmp_path,
        "gear.toml",
        '[[shoe]]\nname = "Flats"\nfirst_date = 2024-01-01\ntype = "non-running"\n'
        "retired = true\nstack_mm = 15\n",
    )
    [flats] = read_gear(toml_path)
    assert flats["type"] == "non-running" and flats["retired"] is True and flats["stack_mm"] == 15.0


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("g.csv", "shoe,first_date\n,2024-01-01\n", "line 2: shoe name is missing"),
        ("g.csv", "shoe,first_date\nA,\n", "line 2: first_date of 'A' is missing"),
        ("g.csv", "shoe,first_date,last_date\nA,2024-02-01,2024-01-01\n", "line 2: last_date"),
        ("g.csv", "shoe,first_date,limit_km\nA,2024-01-01,lots\n", "line 2: limit_km must be"),
        ("g.csv", "shoe,start\nA,2024-01-01\n", "line 1: unknown column 'start'"),
        ("g.toml", '[[shoe]]\nname = "A"\nfirst = 2024-01-01\n', "line 1: unknown key 'first'"),
        ("g.csv", "shoe,first_date,type\nA,2024-01-01,comfy\n", "line 2: type of 'A' must be"),
        ("g.csv", "shoe,first_date,retired\nA,2024-01-01,maybe\n", "line 2: retired must be"),
        ("g.csv", "shoe,first_date,stack_mm\nA,2024-01-01,-3\n", "line 2: stack_mm must be"),
    ],
)
def test_gear_errors_name_file_and_line(tmp_path, name, text, needle):
    path = write(tmp_path, name, text)
    with pytest.raises(ParseError) as info:
        read_gear(path)
    assert str(path) in str(info.value) and needle in str(info.value)
    assert info.value.reason == "gear_file"
