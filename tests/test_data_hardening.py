"""Hardening of the data loader: hostile sizes, bounded messages, exact ids and line numbers.

Each test is one case of the hardening issue; like ``test_data.py`` they run in a temporary
directory holding ``data.csv`` so that expected messages start with the name as typed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forecast.data import check_length, load_csv
from forecast.errors import DataError


@pytest.fixture
def write(tmp_path, monkeypatch):
    """Write a file in a fresh working directory; returns its relative name."""
    monkeypatch.chdir(tmp_path)

    def _write(text: str, name: str = "data.csv") -> str:
        Path(name).write_text(text, encoding="utf-8")
        return name

    return _write


def message(name: str, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        load_csv(name, **kwargs)
    text = str(info.value)
    assert "\n" not in text and "\r" not in text
    return text


# ------------------------------------------------------------------ bounded quotes (case 2)


def test_a_ten_megabyte_field_is_quoted_in_at_most_a_hundred_characters(write):
    field = "x" * 10_000_000
    text = message(write(f"date,y\n2020-01-01,1\n2020-01-02,{field}\n2020-01-03,3\n"))
    assert text == (
        f"data.csv, line 3: cannot parse {'x' * 100!r}… as a number in column 'y'; "
        "fix the value or leave the field empty for a gap"
    )


def test_a_million_character_column_name_is_cut(write):
    name = "n" * 1_000_000
    path = write(f"date,{name}\n2020-01-01,1\n2020-01-02,oops\n")
    assert message(path) == (
        f"data.csv, line 3: cannot parse 'oops' as a number in column {'n' * 100!r}…; "
        "fix the value or leave the field empty for a gap"
    )
    assert message(path, target="z") == (
        f"data.csv: target column 'z' not found; available columns: date, {'n' * 100!r}…"
    )
    assert len(message(path, target=name + "z")) < 300


def test_names_with_line_breaks_stay_on_one_line(write):
    path = write('date,"two\nlines"\n2020-01-01,1\n2020-01-02,x\n')
    assert message(path, target="q") == (
        "data.csv: target column 'q' not found; available columns: date, 'two\\nlines'"
    )


def test_long_ids_and_file_names_are_cut(write):
    key = "k" * 5000
    rows = "".join(f"{key},2020-01-0{d},1\n" for d in (1, 2, 2))
    assert message(write("unique_id,ds,y\n" + rows)) == (
        f"data.csv, series {'k' * 100!r}…, line 4: duplicate timestamp 2020-01-02 in column "
        "'ds' (also on line 3); remove or aggregate the duplicates"
    )
    bad = "date,y\n2020-01-01,1\n2020-01-02,x\n"
    odd = write(bad, name="new\nline.csv")
    assert message(odd).startswith("new\\nline.csv, line 3: cannot parse 'x'")
    long_name = write(bad, name="d" * 250 + ".csv")
    assert message(long_name).startswith("…" + "d" * 196 + ".csv, line 3: ")


# ------------------------------------------------------- parameters, not flags (case 5)


def test_messages_name_python_parameters(write):
    path = write("date,y\n2020-01-01,1\n2020-01-02,2\n")
    assert message(path, freq="it's") == (
        "data.csv: freq='it\\'s' is not a pandas frequency alias "
        "(e.g. 'h', '30min', 'D', 'B', 'W-SAT', 'MS', 'QS', 'YS')"
    )
    assert message(path, gaps="Error") == (
        "data.csv: gaps='Error' is not one of error, interpolate, ffill"
    )
    with pytest.raises(DataError, match=r"lookback must be at least 1, got 0; use lookback=1 or"):
        check_length(load_csv(path), 0, 1)


FLAG = re.compile(r"--[a-z]")
# a parameter as the messages name it: name=, then nothing or a bare word or 'single quoted'
PARAM = re.compile(r"\b(time_col|target|covariates|id_col|freq|gaps|lookback|horizon)=(\S*)")


@pytest.mark.parametrize(
    ("text", "kwargs"),
    [
        ("a,b\n1,2\n3,4\n", {}),
        ("t,y\n1,2\n3,4\n", {"time_col": "t"}),
        ("date,a,b\n2020-01-01,1,2\n2020-01-02,1,2\n", {}),
        ("date,a,b\n2020-01-01,1,2\n2020-01-02,1,2\n", {"target": "date"}),
        ("date,a,b\n2020-01-01,1,2\n2020-01-02,1,2\n", {"target": "a", "covariates": "a"}),
        ("date,a,b\n2020-01-01,1,\n2020-01-02,1,\n", {"target": "a", "covariates": "b"}),
        ("date,a\n2020-01-01,1\n2020-01-02,\n2020-01-03,1\n", {"gaps": "error"}),
        ("date,a\n2020-01-01,1\n2020-01-03,1\n2020-01-04,1\n", {"gaps": "error", "freq": "D"}),
        ("date,a\n2020-01-01,1\n2020-01-03,1\n", {"freq": "MS"}),
        ("date,a\n2020-01-01 00:00,1\n2020-01-01 00:07,1\n2020-01-01 00:19,1\n", {}),
        ("date,s,a\n2020-01-01,x,1\n2020-01-01,y,1\n", {}),
        (
            "id,date,a\nx,2020-01-01,1\nx,2020-01-02,1\ny,2020-01-01,1\ny,2020-02-01,1\n",
            {"id_col": "id"},
        ),
    ],
)
def test_no_message_names_a_command_line_flag(write, text, kwargs):
    text = message(write(text), **kwargs)
    assert not FLAG.search(text), text
    for _, value in PARAM.findall(text):
        assert value == "" or re.fullmatch(r"('[^']*'|\w+)[;,]?", value), text
