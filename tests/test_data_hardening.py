"""Hardening of the data loader: hostile sizes, bounded messages, exact ids and line numbers.

Each test is one case of the hardening issue; like ``test_data.py`` they run in a temporary
directory holding ``data.csv`` so that expected messages start with the name as typed.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast.data import check_length, load_csv, validate_frame
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


# ------------------------------------------------------------- linear in the width (case 1)


def wide(n: int, names: list[str] | None = None, rows: int = 3) -> str:
    """``date,y`` and ``n`` more columns (named ``1`` by default: all duplicates)."""
    header = "date,y," + ",".join(names or ["1"] * n)
    body = "".join(f"\n2020-01-0{d},1," + ",".join(["2"] * n) for d in range(1, rows + 1))
    return header + body + ("\n" if rows else "")


def cpu_seconds(path: str, **kwargs) -> float:
    """CPU time of this process to load ``path`` (not wall time: CI machines are shared)."""
    start = time.process_time()
    try:
        load_csv(path, **kwargs)
    except DataError:
        pass
    return time.process_time() - start


def test_a_header_of_millions_of_names_and_no_rows_stops_at_once(write):
    # before: 5 million duplicate names ran for more than 10 minutes (quadratic renaming),
    # a million distinct names 83 s and 3.1 GB (pandas builds every empty column)
    for header in ("date,y," + ",".join(["1"] * 5_000_000), wide(1_000_000, rows=0)):
        path = write(header)
        start = time.process_time()
        assert message(path) == (
            "data.csv: no data rows after the header (line 1); add rows below it"
        )
        assert time.process_time() - start < 5


def test_two_hundred_thousand_duplicate_columns_load_in_seconds(write):
    # before: 40,000 columns took 15 s and doubling them quadrupled it (about 7 minutes
    # for 200,000); after: about 6 s of CPU
    path = write(wide(200_000))
    start = time.process_time()
    sd = load_csv(path, target="all")
    assert time.process_time() - start < 20
    assert sd.targets[:4] == ["y", "1", "1.1", "1.2"] and len(sd.targets) == 200_001


def test_time_grows_linearly_with_the_number_of_columns(write):
    small = cpu_seconds(write(wide(20_000), name="small.csv"), target="all")
    large = cpu_seconds(write(wide(80_000), name="large.csv"), target="all")
    assert large / max(small, 0.05) < 8  # 4 when linear, 16 when quadratic


NAMES = st.lists(st.sampled_from(["x", "x.1", "x.2", "x.1.1", "", " ", "y", "Unnamed: 1"]))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(NAMES.filter(lambda names: names not in ([], [""])))  # a blank first line: no header
def test_repeated_and_empty_names_are_named_as_pandas_names_them(tmp_path_factory, names):
    header = ",".join(f'"{n}"' if n.strip() != n else n for n in names)
    text = header + "\n" + ",".join(str(i) for i in range(len(names))) + "\n"
    path = tmp_path_factory.mktemp("names") / "data.csv"
    path.write_text(text)
    from forecast.data.reading import _read_csv

    options = {"skipinitialspace": True, "skip_blank_lines": False}
    expected = pd.read_csv(io.StringIO(text), **options).columns.tolist()
    assert _read_csv(path, "data.csv")[0].columns.tolist() == expected


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
            {"id_col": "id", "strict": True},
        ),
    ],
)
def test_no_message_names_a_command_line_flag(write, text, kwargs):
    text = message(write(text), **kwargs)
    assert not FLAG.search(text), text
    for _, value in PARAM.findall(text):
        assert value == "" or re.fullmatch(r"('[^']*'|\w+)[;,]?", value), text


# --------------------------------------------------------------- ids byte for byte (case 3)


def test_ids_keep_their_spaces_and_missing_value_words(write):
    rows = ['" a",2020-01-01,1', '"a ",2020-01-01,2', "NA,2020-01-01,3", "null,2020-01-01,4"]
    rows += ['" a",2020-01-02,5', '"a ",2020-01-02,6', "NA,2020-01-02,7", "null,2020-01-02,8"]
    rows += ["a,2020-01-01,9", "a,2020-01-02,10", '"N/A",2020-01-01,11', "N/A,2020-01-02,12"]
    sd = load_csv(write("unique_id,ds,y\n" + "\n".join(rows) + "\n"))
    assert sd.ids == [" a", "a ", "NA", "null", "a", "N/A"]
    assert sd.frames["NA"]["y"].tolist() == [3.0, 7.0]
    assert sd.frames[" a"]["y"].tolist() == [1.0, 5.0]
    # values keep their missing-value words; an empty id is still no id
    text = "id,ds,y\nNaN,2020-01-01,1\nNaN,2020-01-02,NA\nNaN,2020-01-03,3\n"
    assert load_csv(write(text), id_col="id").frames["NaN"]["y"].tolist() == [1.0, 2.0, 3.0]
    assert message(write("id,ds,y\na,2020-01-01,1\n,2020-01-02,2\n"), id_col="id") == (
        "data.csv, line 3: empty id in column 'id'; fill it in or delete the row"
    )


def test_ids_with_delimiters_quotes_and_unicode_round_trip(write, tmp_path):
    # a leading space needs quotes (an unquoted field's leading spaces are the delimiter's)
    ids = ["a,b", 'say "hi"', "café ☕", "b ", "0042", "1e3", "#N/A", "None", "line\nbreak"]
    frame = pd.DataFrame(
        {
            "unique_id": [k for k in ids for _ in range(3)],
            "ds": ["2020-01-01", "2020-01-02", "2020-01-03"] * len(ids),
            "y": range(3 * len(ids)),
        }
    )
    frame.to_csv(tmp_path / "data.csv", index=False)
    sd = load_csv("data.csv")
    assert sd.ids == ids
    again = sd.to_frame()
    again.to_csv(tmp_path / "again.csv", index=False)
    assert load_csv("again.csv").ids == ids
    assert validate_frame(frame, id_col="unique_id").ids == ids


def test_validate_frame_ids_are_not_stripped():
    df = pd.DataFrame({"id": [" a", " a", "a", "a"], "ds": ["2020-01-01", "2020-01-02"] * 2})
    df["y"] = [1.0, 2.0, 3.0, 4.0]
    assert validate_frame(df, id_col="id").ids == [" a", "a"]


def test_the_na_words_are_those_of_pandas():
    from pandas._libs.parsers import STR_NA_VALUES

    from forecast.data.reading import _NA_STRINGS

    assert set(_NA_STRINGS) == set(STR_NA_VALUES)


# ----------------------------------------------------- lines after quoted breaks (case 4)


def test_line_numbers_count_the_breaks_inside_quoted_fields(write):
    text = 'date,y,note\n2020-01-01,1,plain\n2020-01-02,2,"two\nlines"\n2020-01-03,x,z\n'
    assert message(write(text)) == (
        "data.csv, line 5: cannot parse 'x' as a number in column 'y'; "
        "fix the value or leave the field empty for a gap"
    )
    text = 'date,y\n2020-01-01,"1\n"\n\n2020-01-02,2\n2020-01-02,3\n'  # a number with a break
    assert message(write(text)) == (
        "data.csv, line 6: duplicate timestamp 2020-01-02 in column 'date' (also on line 5); "
        "remove or aggregate the duplicates"
    )
    text = '"da\nte",y\r\n2020-01-01,1\r\n2020-01-01,2\r\n'  # a break in the header
    assert message(write(text)).startswith("data.csv, line 4: duplicate timestamp")


def test_ragged_and_unclosed_records_cite_the_line_they_start_on(write):
    text = 'date,y,note\n2020-01-01,1,"a\nb\nc"\n2020-01-02,2,z,extra\n'
    assert message(write(text)) == (
        "data.csv, line 5: expected 3 fields, saw 4; quote values that contain the delimiter ','"
    )
    text = 'date,y\n2020-01-01,1\n\n2020-01-02,"2\n2020-01-03,3\n'
    assert message(write(text)) == (
        "data.csv, line 4: a quoted field is not closed before the end of the file; "
        'close its quote (") or remove it'
    )
    for text in ("\ndate,y\n2020-01-01,1\n", "\r\n\ndate;y\n2020-01-01;1\n"):
        # before: "the file is empty", "no data rows" or "expected 1 fields", as it came
        assert message(write(text)) == (
            "data.csv, line 1: the first line is blank; put the column names (the header) on it"
        )
    assert message(write('date,"y\n2020-01-01,1\n')) == (
        "data.csv, line 1: a quoted field is not closed before the end of the file; "
        'close its quote (") or remove it'
    )


# ---------------------------------------------------------- what the fuzzer found (case 6)


def test_years_outside_pythons_calendar_are_named_not_crashed_on(write):
    text = "date,y\n-5000,1\n-5000,2\n2020-01-01,3\n"
    # pandas 3 parses year -5000 (then the duplicate is named); pandas 2 cannot parse it
    assert message(write(text)) in (
        "data.csv, line 3: duplicate timestamp -5000-01-01 in column 'date' (also on line 2); "
        "remove or aggregate the duplicates",
        "data.csv, line 2: cannot parse '-5000' as a date in column 'date'; fix the value or "
        "use one date format (e.g. 2020-01-31 or 2020-01-31 13:00)",
    )


def test_damaged_or_odd_files_are_data_errors(write, tmp_path):
    import zipfile

    big = "date,y\n" + "".join(f"2020-01-{d % 28 + 1:02d},1\n" for d in range(6000))
    Path("late.csv").write_bytes(big.encode() + b"2020-02-01,\xe9\n")  # Latin-1 after 64 KB
    assert message("late.csv").startswith("late.csv, line 6002: cannot parse '\xe9' as a number")
    with zipfile.ZipFile("two.zip", "w") as archive:
        archive.writestr("a.csv", "date,y\n2020-01-01,1\n")
        archive.writestr("b.csv", "date,y\n2020-01-01,1\n")
    assert message("two.zip") == (
        "two.zip: cannot read the file (Multiple files found in ZIP file. Only one file per "
        "ZIP: ['a.csv', 'b.csv']); check it is a CSV file"
    )
    zipfile.ZipFile("empty.zip", "w").close()
    assert message("empty.zip").startswith("empty.zip: cannot read the file (")
    Path("broken.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    assert message("broken.gz").startswith("broken.gz: cannot read the file (")


def test_what_spreadsheets_save_beside_csv_is_named(write, tmp_path):
    import zipfile

    rows = "date,y\n2020-01-01,1\n2020-01-02,2\n"
    with zipfile.ZipFile(tmp_path / "book.csv", "w") as book:  # an .xlsx, renamed
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    assert message("book.csv") == (
        "book.csv: is a zip archive (an Excel workbook?), not a CSV file; save the sheet as "
        "CSV (UTF-8)"
    )
    (tmp_path / "unicode.csv").write_bytes(rows.replace(",", "\t").encode("utf-16"))
    assert message("unicode.csv") == (
        "unicode.csv: is UTF-16 text (a spreadsheet's 'Unicode Text'); save it as CSV (UTF-8)"
    )
    assert message(write("sep=,\n" + rows)) == (
        "data.csv, line 1: 'sep=,' is a spreadsheet's hint line, not the header; delete that line"
    )
