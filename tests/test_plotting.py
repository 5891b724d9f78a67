"""Tests of forecast.plotting: what the plots show, read back from the artists."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
mpl = pytest.importorskip("matplotlib")
import matplotlib.dates as mdates  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from forecast.plotting import plot_backtest, plot_forecast, plot_gates  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATE_FORMATTERS = (mdates.ConciseDateFormatter, mdates.DateFormatter, mdates.AutoDateFormatter)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ----------------------------------------------------------------------------- data


def make_history(n=36, name="month", targets=("y",)):
    idx = pd.date_range("2020-01-01", periods=n, freq="MS", name=name)
    data = {t: 100.0 + 10 * k + np.arange(n, dtype=float) for k, t in enumerate(targets)}
    return pd.DataFrame(data, index=idx)


def make_forecast(history, horizon=6, half_width=5.0, targets=("y",)):
    freq = history.index.freq
    idx = pd.date_range(
        history.index[-1] + freq, periods=horizon, freq=freq, name=history.index.name
    )
    cols = {}
    for k, t in enumerate(targets):
        point = 200.0 + 50 * k + np.sin(np.arange(horizon))
        width = half_width * (1 + np.arange(horizon) / horizon)
        cols |= {t: point, f"{t}_lower": point - width, f"{t}_upper": point + width}
    return pd.DataFrame(cols, index=idx)


def line(ax, gid):
    lines = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    assert len(lines) == 1, [ln.get_gid() for ln in ax.get_lines()]
    return lines[0]


def band(ax):
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    return bands[0]


def as_num(values):
    return mdates.date2num(np.asarray(values))


def make_trace(batch=2, time=12, units=6, seed=0):
    rng = np.random.default_rng(seed)
    shape = (batch, time, units)
    trace = {k: rng.uniform(0.0, 1.0, size=shape) for k in ("forget", "input", "output")}
    trace["candidate"] = np.tanh(rng.normal(size=shape))
    trace["cell"] = np.cumsum(rng.normal(size=shape), axis=1)
    trace["hidden"] = trace["output"] * np.tanh(trace["cell"])
    return trace


def make_backtest(cutoffs=("2021-06-01", "2021-09-01", "2021-12-01"), horizon=4, models=None):
    models = models or {"lstm": 0.5, "naive": -2.0}
    actual = make_history(48)["y"]
    rows = []
    for c in cutoffs:
        cutoff = pd.Timestamp(c)
        times = pd.date_range(cutoff, periods=horizon + 1, freq="MS")[1:]
        for step, t in enumerate(times, start=1):
            for model, bias in models.items():
                value = actual[t] + bias * step
                rows.append(
                    dict(
                        cutoff=cutoff,
                        time=t,
                        target="y",
                        actual=actual[t],
                        model=model,
                        forecast=value,
                        lower=value - 3,
                        upper=value + 3,
                        step=step,
                    )
                )
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- import


def test_importing_plotting_does_not_import_matplotlib():
    code = "import forecast.plotting, sys; assert 'matplotlib' not in sys.modules, 'imported'"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


# ----------------------------------------------------------------------------- plot_forecast


def test_forecast_line_starts_after_last_observation_and_has_the_forecast_values():
    hist = make_history()
    fc = make_forecast(hist)
    ax = plot_forecast(hist, fc)
    h, f = line(ax, "history"), line(ax, "forecast")
    np.testing.assert_array_equal(h.get_ydata(), hist["y"].to_numpy())
    np.testing.assert_array_equal(f.get_ydata(), fc["y"].to_numpy())
    assert as_num(f.get_xdata()).min() > as_num(h.get_xdata()).max()
    np.testing.assert_allclose(as_num(f.get_xdata()), as_num(fc.index))


def test_interval_band_spans_lower_to_upper_around_the_point_forecast():
    hist = make_history()
    fc = make_forecast(hist)
    ax = plot_forecast(hist, fc)
    vertices = band(ax).get_paths()[0].vertices
    fx, fy = as_num(line(ax, "forecast").get_xdata()), line(ax, "forecast").get_ydata()
    for x, y, lo, hi in zip(fx, fy, fc["y_lower"], fc["y_upper"], strict=True):
        at_x = vertices[np.isclose(vertices[:, 0], x), 1]
        assert at_x.min() == pytest.approx(lo)
        assert at_x.max() == pytest.approx(hi)
        assert at_x.min() < y < at_x.max()
    assert vertices[:, 0].min() == pytest.approx(fx.min())
    assert vertices[:, 0].max() == pytest.approx(fx.max())


def test_forecast_start_is_marked_by_a_dashed_vertical_line():
    hist = make_history()
    fc = make_forecast(hist)
    marker = line(plot_forecast(hist, fc), "forecast-start")
    assert marker.get_linestyle() == "--"
    xs = as_num(marker.get_xdata())
    assert xs[0] == xs[1] == pytest.approx(as_num(fc.index[:1])[0])


def test_x_axis_carries_dates():
    hist = make_history()
    ax = plot_forecast(hist, make_forecast(hist))
    assert isinstance(ax.xaxis.get_major_formatter(), DATE_FORMATTERS)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels
    assert any(label.isdigit() and 2020 <= int(label) <= 2023 for label in labels), labels
    lo, hi = mdates.num2date(ax.get_xlim())
    assert lo.year == 2019 or lo.year == 2020
    assert hi.year == 2023


def test_axes_labels_and_legend():
    hist = make_history(name="month")
    ax = plot_forecast(hist, make_forecast(hist), level=80)
    assert ax.get_xlabel() == "month"
    assert ax.get_ylabel() == "y"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["history", "forecast", "80% interval"]


def test_unnamed_index_is_labelled_time_and_level_defaults_to_a_generic_label():
    hist = make_history(name=None)
    ax = plot_forecast(hist, make_forecast(hist))
    assert ax.get_xlabel() == "time"
    assert "prediction interval" in [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.mark.parametrize("n", [1, 5, 36])
def test_last_n_shows_exactly_the_last_n_observations(n):
    hist = make_history(36)
    ax = plot_forecast(hist, make_forecast(hist), last=n)
    h = line(ax, "history")
    assert len(h.get_ydata()) == n
    np.testing.assert_array_equal(h.get_ydata(), hist["y"].to_numpy()[-n:])


def test_last_larger_than_the_history_shows_all_of_it():
    hist = make_history(10)
    ax = plot_forecast(hist, make_forecast(hist), last=100)
    assert len(line(ax, "history").get_ydata()) == 10


def test_target_selects_which_target_is_drawn():
    targets = ("a", "b")
    hist = make_history(targets=targets)
    fc = make_forecast(hist, targets=targets)
    ax_b = plot_forecast(hist, fc, target="b")
    np.testing.assert_array_equal(line(ax_b, "history").get_ydata(), hist["b"].to_numpy())
    np.testing.assert_array_equal(line(ax_b, "forecast").get_ydata(), fc["b"].to_numpy())
    assert ax_b.get_ylabel() == "b"
    ax_default = plot_forecast(hist, fc)
    np.testing.assert_array_equal(line(ax_default, "forecast").get_ydata(), fc["a"].to_numpy())


def test_history_may_be_a_series():
    hist = make_history()
    ax = plot_forecast(hist["y"].rename("passengers"), make_forecast(hist))
    np.testing.assert_array_equal(line(ax, "history").get_ydata(), hist["y"].to_numpy())


def test_existing_axes_is_drawn_on_and_returned():
    hist = make_history()
    ax = Figure().subplots()
    assert plot_forecast(hist, make_forecast(hist), ax=ax) is ax
    assert {ln.get_gid() for ln in ax.get_lines()} >= {"history", "forecast"}


def test_history_past_the_forecast_start_is_drawn_as_actuals():
    full = make_history(36)
    fc = make_forecast(full.iloc[:30])  # forecast from period 30, history goes on to 36
    ax = plot_forecast(full, fc)
    h, a = line(ax, "history"), line(ax, "actual")
    assert len(h.get_ydata()) == 30
    assert len(a.get_ydata()) == 6
    assert as_num(line(ax, "forecast").get_xdata()).min() > as_num(h.get_xdata()).max()


def test_long_format_draws_the_chosen_series():
    hist = make_history()
    fc_a, fc_b = make_forecast(hist), make_forecast(hist) + 1000
    fc = pd.concat({"A": fc_a, "B": fc_b}, names=["store"])
    hist_long = pd.concat({"A": hist, "B": hist + 1000}, names=["store"])
    ax = plot_forecast(hist_long, fc, series_id="B")
    np.testing.assert_array_equal(line(ax, "forecast").get_ydata(), fc_b["y"].to_numpy())
    np.testing.assert_array_equal(line(ax, "history").get_ydata(), hist["y"].to_numpy() + 1000)
    assert ax.get_title() == "store = B"
    first = plot_forecast(hist, fc)  # default: the first series; history already one series
    np.testing.assert_array_equal(line(first, "forecast").get_ydata(), fc_a["y"].to_numpy())


def test_one_step_forecast_is_visible():
    hist = make_history()
    ax = plot_forecast(hist, make_forecast(hist, horizon=1))
    assert line(ax, "forecast").get_marker() not in (None, "None", "")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h, f: (h, f.drop(columns="y_upper")), "'y_upper'"),
        (lambda h, f: (h, f.rename(columns={"y": "z"})), "'z_lower', 'z_upper'"),
        (lambda h, f: (h, f[["y_lower", "y_upper"]]), "no target columns"),
        (lambda h, f: (h.rename(columns={"y": "x"}), f), "history has no column 'y'"),
        (lambda h, f: (h.reset_index(), f), "DatetimeIndex"),
        (lambda h, f: (h, f.reset_index()), "DatetimeIndex"),
        (lambda h, f: (h.iloc[-3:], f.set_axis(h.index[:6])), "no observation before"),
        (lambda h, f: (h, f.assign(y_lower=f["y_upper"] + 1)), "exceeds"),
        (lambda h, f: (h, f["y"]), "must be a DataFrame"),
    ],
)
def test_plot_forecast_rejects_bad_inputs_with_clear_messages(change, message):
    hist = make_history()
    h, f = change(hist, make_forecast(hist))
    with pytest.raises(ValueError, match=message):
        plot_forecast(h, f)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"last": 0}, "last"),
        ({"last": 2.5}, "last"),
        ({"level": 180}, "level"),
        ({"target": "q"}, "'q', 'q_lower', 'q_upper'"),
        ({"series_id": "A"}, None),
    ],
)
def test_plot_forecast_rejects_bad_arguments(kwargs, message):
    hist = make_history()
    fc = make_forecast(hist)
    if message is None:  # series_id on a one-series forecast is ignored
        plot_forecast(hist, fc, **kwargs)
        return
    with pytest.raises(ValueError, match=message):
        plot_forecast(hist, fc, **kwargs)


def test_unknown_series_id_is_named():
    hist = make_history()
    fc = pd.concat({"A": make_forecast(hist)}, names=["id"])
    with pytest.raises(ValueError, match="series_id 'Z' not found"):
        plot_forecast(hist, fc, series_id="Z")


def test_forecast_plot_renders_to_png(tmp_path):
    hist = make_history()
    ax = plot_forecast(hist, make_forecast(hist), last=12, level=90)
    path = tmp_path / "forecast.png"
    ax.figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = mpl.image.imread(path)
    assert image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].std() > 0  # something was drawn


# ----------------------------------------------------------------------------- plot_backtest


def test_backtest_draws_one_cutoff_line_per_fold():
    results = make_backtest()
    ax = plot_backtest(results)
    cutoffs = [ln for ln in ax.get_lines() if ln.get_gid() == "cutoff"]
    assert len(cutoffs) == 3
    xs = sorted(as_num(ln.get_xdata())[0] for ln in cutoffs)
    np.testing.assert_allclose(xs, as_num(results["cutoff"].drop_duplicates()))


def test_backtest_draws_actuals_once_over_all_test_times():
    results = make_backtest(cutoffs=("2021-06-01", "2021-08-01"), horizon=4)  # folds overlap
    ax = plot_backtest(results)
    actual = line(ax, "actual")
    times = np.sort(results["time"].unique())
    np.testing.assert_allclose(as_num(actual.get_xdata()), as_num(times))
    expected = results.drop_duplicates("time").sort_values("time")["actual"].to_numpy()
    np.testing.assert_array_equal(actual.get_ydata(), expected)


def test_backtest_draws_each_fold_per_model_in_one_colour_per_model():
    results = make_backtest()
    ax = plot_backtest(results)
    colours = {}
    for model in ("lstm", "naive"):
        folds = [ln for ln in ax.get_lines() if ln.get_gid() == f"forecast:{model}"]
        assert len(folds) == 3
        assert len({mpl.colors.to_hex(ln.get_color()) for ln in folds}) == 1
        colours[model] = mpl.colors.to_hex(folds[0].get_color())
        drawn = np.concatenate([ln.get_ydata() for ln in folds])
        np.testing.assert_array_equal(
            np.sort(drawn), np.sort(results.loc[results["model"] == model, "forecast"])
        )
    assert colours["lstm"] != colours["naive"]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["actual", "cutoff", "lstm", "naive"]
    assert isinstance(ax.xaxis.get_major_formatter(), DATE_FORMATTERS)
    assert ax.get_ylabel() == "y"


def test_backtest_on_existing_axes_with_intervals():
    ax = Figure().subplots()
    assert plot_backtest(make_backtest(), ax=ax, intervals=True) is ax
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 6  # 3 folds x 2 models


def test_backtest_selects_target_and_series():
    a = make_backtest().assign(store="A")
    b = make_backtest().assign(store="B", actual=lambda d: d["actual"] + 1000)
    other = a.assign(target="z", actual=-1.0)
    results = pd.concat([a, b, other], ignore_index=True)
    ax = plot_backtest(results, series_id="B")
    assert line(ax, "actual").get_ydata().min() > 1000
    assert ax.get_title() == "store = B"
    ax = plot_backtest(results, target="z")  # first series: A
    assert set(line(ax, "actual").get_ydata()) == {-1.0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.drop(columns="model"), "'model'"),
        (lambda r: r.drop(columns=["cutoff", "actual"]), "'cutoff', 'actual'"),
        (lambda r: r.iloc[:0], "no rows"),
        (lambda r: r.assign(time="not a date"), "'time'"),
    ],
)
def test_plot_backtest_rejects_bad_inputs(change, message):
    with pytest.raises(ValueError, match=message):
        plot_backtest(change(make_backtest()))


def test_plot_backtest_names_missing_interval_columns_and_unknown_target():
    with pytest.raises(ValueError, match="'lower', 'upper'"):
        plot_backtest(make_backtest().drop(columns=["lower", "upper"]), intervals=True)
    with pytest.raises(ValueError, match="target 'q' not in results"):
        plot_backtest(make_backtest(), target="q")


# ----------------------------------------------------------------------------- plot_gates


def test_plot_gates_returns_a_figure_with_one_panel_per_gate_and_the_input():
    trace = make_trace(time=12)
    series = np.linspace(0, 1, 12)
    fig = plot_gates(trace, series=series)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 5
    np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_ydata(), series)
    assert len(plot_gates(trace).axes) == 4


def test_plot_gates_draws_gate_values_of_the_first_sample_in_0_1():
    trace = make_trace(units=6)
    fig = plot_gates(trace, series=np.zeros(12))
    _, forget, input_, output, cell = fig.axes
    for ax, key in ((forget, "forget"), (input_, "input"), (output, "output")):
        assert ax.get_ylim() == (0.0, 1.0)
        lines = ax.get_lines()
        assert len(lines) == 4  # default: the first 4 units
        for u, ln in enumerate(lines):
            y = ln.get_ydata()
            assert np.all((y >= 0) & (y <= 1))
            np.testing.assert_array_equal(y, trace[key][0, :, u])
    np.testing.assert_array_equal(cell.get_lines()[2].get_ydata(), trace["cell"][0, :, 2])
    assert all(ax.get_shared_x_axes().joined(fig.axes[0], ax) for ax in fig.axes)


def test_plot_gates_units_and_existing_figure():
    trace = make_trace(units=6)
    fig = Figure()
    assert plot_gates(trace, units=[1, 5], fig=fig) is fig
    forget = fig.axes[0]
    assert [ln.get_label() for ln in forget.get_lines()] == ["unit 1", "unit 5"]
    np.testing.assert_array_equal(forget.get_lines()[1].get_ydata(), trace["forget"][0, :, 5])
    # a unit keeps its colour in every panel
    colours = {mpl.colors.to_hex(ax.get_lines()[1].get_color()) for ax in fig.axes}
    assert len(colours) == 1


def test_plot_gates_uses_dates_from_a_series_index():
    trace = make_trace(time=12)
    series = make_history(12)["y"]
    fig = plot_gates(trace, series=series)
    assert isinstance(fig.axes[-1].xaxis.get_major_formatter(), DATE_FORMATTERS)
    np.testing.assert_allclose(as_num(fig.axes[1].get_lines()[0].get_xdata()), as_num(series.index))
    assert fig.axes[-1].get_xlabel() == "month"


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (lambda t: {k: v for k, v in t.items() if k != "cell"}, {}, "'cell'"),
        (lambda t: t | {"forget": t["forget"] * 2 - 0.5}, {}, "outside \\[0, 1\\]"),
        (lambda t: t | {"input": t["input"][0]}, {}, "shape"),
        (lambda t: t, {"series": np.zeros(5)}, "5 time steps"),
        (lambda t: t, {"units": [0, 99]}, "out of range"),
        (lambda t: t, {"fig": Figure().subplots().figure}, "already has axes"),
        (lambda t: list(t.values()), {}, "dict"),
    ],
)
def test_plot_gates_rejects_bad_inputs(change, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_gates(change(make_trace()), **kwargs)


def test_gates_figure_renders_to_png(tmp_path):
    fig = plot_gates(make_trace(), series=make_history(12)["y"])
    path = tmp_path / "gates.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
