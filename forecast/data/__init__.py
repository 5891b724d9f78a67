"""Load and validate user data: the only package that reads user files.

``load_csv`` reads a CSV file, ``load_parquet`` a Parquet file (pyarrow; large panels
in long format are stored so), ``load_data`` either by the file's suffix
(``.parquet``/``.pq``: Parquet), and ``validate_frame`` checks a DataFrame; all
return a :class:`SeriesData` whose frames keep the invariants of DESIGN.md:
a sorted, unique, regular ``DatetimeIndex`` named after the time column with
``.freq`` set, columns exactly ``targets + covariates``, all ``float64``, finite,
no NaN. Every problem raises a :class:`~forecast.errors.DataError` whose one-line
message starts with the source (the path as given, or ``<DataFrame>``), names the
line/column and says what to do. Line numbers are those of the file, counting the
header as line 1 (what an editor shows; a record whose quoted field holds line breaks is
cited by the line it starts on); for a DataFrame, ``row N`` is the 0-based position.
Messages quote at most 100 characters of any user text (then ``…``) and name the
parameters to change as ``time_col=``, ``freq='D'``, ``gaps='ffill'``. Reading and
validation take time linear in the size of the file, however many columns it has.
With ``part=(index, workers)`` (one worker of a fit sharded by series, see
:mod:`forecast.pool`) a loader reads the id column whole, then only the rows of that
worker's series, and validates those; the result's ``part`` lists every id.

What is accepted:

* Delimiters ``,`` ``;`` tab ``|`` (sniffed with :class:`csv.Sniffer` on the first
  64 KB, then read with the fast C parser), a UTF-8 BOM, Latin-1 files that are not
  UTF-8, compressed files (``.gz``, ``.bz2``, ``.xz``, ``.zip``...), blank lines
  (and, in long format, lines with nothing but an id: a sheet's ids filled down).
  Refused by name: a zip archive (an Excel workbook renamed ``.csv``), UTF-16 text, a
  first line ``sep=;`` (a spreadsheet's hint).
* Numbers quoted or with thousands separators (``"1,234"``, ``"12.5"``); decimal
  commas (``1,5``, ``1.234,5``) when the delimiter is not a comma. A column whose every
  value is a plain number is taken as pandas reads it (``1.234`` is 1.234).
* Without ``target``, the only numeric column is the target; a column whose filled cells
  are mostly numbers counts as numeric (its bad cell is then reported, rather than
  another column taken). Missing values: empty, ``NA``, ``n/a``, ``n.a.``, ``#N/A``,
  ``null``, ``none``, ``NaN``.
* ``target``/``covariates`` may be ``"all"``: every numeric column that is not the
  time, the id or already chosen.
* The time column: ``time_col``, else a datetime column of a DataFrame, else a column
  named like ``date``, ``ds``, ``time``, ``timestamp``, ``datetime``, ``month``,
  ``period``, ``week``, ``day``, ``hour``, ``year``... (or containing the word date/time),
  else the first text column whose values parse as dates. Integer years (``1949``),
  ``YYYYMM`` and ``YYYYMMDD`` integers are read as dates in a column named like a time.
  Dates in numbers only (``31/01/2020``, ``01.02.20``) are read day first where the
  first number goes above 12 and the second does not, or where both stay within 12
  and day first puts them on the smaller grid (span over smallest step); else month
  first, as pandas reads them. Two-digit years (``Jan-70``, ``1/31/70``) read more than
  ten years after today are a century earlier (reported): a history lies in the past.
  Time zones: one zone or UTC offset is kept as is. Offsets that differ from value to
  value (local time across daylight saving) are read in UTC, or as local dates where every
  value has the same time of day (:mod:`forecast.data.zones`; reported); values of which
  some have an offset and some not are an error.
* Wide format (one series, one or several targets) and long format (``id_col``, or a
  column named ``unique_id``): one series per id, each validated alone. Ids are kept as
  written: ``NA``, ``null`` or ``" a"`` (quoted, with its space) are ids; an empty field
  is not. A problem of one series (a value or date that does not parse, a duplicate, an
  infinite value, an empty column, another frequency, a gap under ``gaps="error"``) leaves
  that series out and names it in ``report``; ``strict=True`` makes it an error.

Gaps policy (``gaps``):

* ``"error"``: any missing timestamp or empty value is a DataError.
* ``"interpolate"`` (default): missing timestamps are inserted; values inside the
  series are interpolated linearly in time; rows before the first row where every
  column has a value are dropped (leading edge), and so are rows after the last row
  where a target has a value (trailing edge: a sheet's empty future rows are not data);
  a column that ends before that row carries its last value forward.
* ``"ffill"``: as ``"interpolate"`` but every gap carries the previous value forward.

Each change is one sentence in ``SeriesData.report``, e.g.
``"filled 3 missing timestamps, 2 NaN values in 'y'"`` (prefixed ``"series 'b': "``
in long format).

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": ["2020-01-01", "2020-02-01", "2020-04-01"],
    ...                    "y": [1.0, None, 4.0]})
    >>> sd = validate_frame(df)
    >>> sd.freq, sd.targets, sd.report
    ('MS', ['y'], ["filled 1 missing timestamp, 1 NaN value in 'y'"])
    >>> sd.frames[None]["y"].round(2).tolist()
    [1.0, 2.02, 2.98, 4.0]
"""

from __future__ import annotations

from forecast.data.container import SeriesData
from forecast.data.gaps import GAPS
from forecast.data.parquet import load_data, load_parquet
from forecast.data.validate import check_length, load_csv, validate_frame

__all__ = [
    "GAPS",
    "SeriesData",
    "check_length",
    "load_csv",
    "load_data",
    "load_parquet",
    "validate_frame",
]
