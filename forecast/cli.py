"""The ``forecast`` command line: parse, call one library function, echo.

Only Click is imported at start-up; pandas, TensorFlow and matplotlib are imported inside
the commands, so ``forecast --help`` and usage errors answer at once.

Exit codes: 0 ok, 1 failure, 2 bad usage or bad input, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from pathlib import Path

import click

from forecast import __version__, models
from forecast.params import PARAMETERS

GAPS = ("error", "interpolate", "ffill")
DEFAULT_MODEL_DIR = "forecast-model"
MAX_PLOT_SERIES = 12
# Library messages name Python parameters as ``name=`` or ``name=value``; the command
# line shows them as the flags a user types (``--name value``).
_DATA_FLAGS = ("time_col", "target", "id_col", "covariates", "freq", "gaps", "model_dir", "series")
_PARAMETER = re.compile(r"\b([a-z_]+)=('[^']*'|[\w.+-]+)?")


def as_flags(message: str) -> str:
    """``message`` with every known ``name=value`` written as ``--name value``.

    Example:
        >>> as_flags("refit with horizon=24 or use gaps='ffill'")
        'refit with --horizon 24 or use --gaps ffill'
    """

    def flag(match: re.Match) -> str:
        name, value = match.group(1), match.group(2)
        if name not in PARAMETERS and name not in _DATA_FLAGS:
            return match.group(0)
        if value and value.startswith("'") and re.fullmatch(r"'[\w.+-]+'", value):
            value = value[1:-1]
        option = "--" + name.replace("_", "-")
        return f"{option} {value}" if value else option

    return _PARAMETER.sub(flag, message)


class Failure(click.ClickException):
    """A library error shown as ``Error: …`` with the library's exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""


def _terminate(signum, frame):
    raise Terminated()


class Group(click.Group):
    """Turns library errors, Ctrl-C and SIGTERM into one ``Error:`` line and an exit code."""

    def invoke(self, ctx):
        import signal

        from forecast.errors import ForecastError

        # SIGTERM unwinds like Ctrl-C: temporary files are removed, the old model is kept
        previous = signal.signal(signal.SIGTERM, _terminate)
        try:
            return super().invoke(ctx)
        except ForecastError as exc:
            if ctx.meta.get("forecast.debug"):
                raise
            raise Failure(as_flags(str(exc)), exc.exit_code) from None
        except (KeyboardInterrupt, Terminated) as exc:
            what, code = (
                ("terminated", 143) if isinstance(exc, Terminated) else ("interrupted", 130)
            )
            kept = ctx.meta.get("forecast.on_interrupt", "nothing was written")
            click.echo(f"Error: {what}; {kept}", err=True)
            ctx.exit(code)
        finally:
            signal.signal(signal.SIGTERM, previous)


def _import_tensorflow_quietly() -> None:
    """Imports TensorFlow without its start-up noise on stderr, and quiets its Python logger.

    TF_CPP_MIN_LOG_LEVEL silences its later C++ logs; the start-up lines (absl's "All
    log messages before ...", the CUDA probe on a machine without a GPU) ignore it, so
    file descriptor 2 points to /dev/null during the import. A failed import still
    raises a Python exception, shown once stderr is back.
    """
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    # Python-side warnings meant for developers (e.g. "triggered tf.function retracing" when
    # a backtest fits and predicts many small models) are not the user's business.
    tensorflow.get_logger().setLevel("ERROR")


def _load_config(ctx, param, value):
    """``--config FILE``: option defaults from a TOML file (``[fit]``, ``[predict]`` … tables).

    Every table must name a command and every key one of its options (as in
    ``forecast COMMAND --help``, with ``_`` or ``-``); anything else is a usage error, so a
    typo is not silently ignored.
    """
    if value is None:
        return None
    import tomllib

    try:
        config = tomllib.loads(Path(value).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise click.BadParameter(f"cannot read {value}: {exc}", ctx=ctx, param=param) from None
    commands = ctx.command.commands
    defaults = {}
    for name, table in config.items():
        if name not in commands:
            raise click.BadParameter(
                f"{value}: [{name}] is not a command; use tables {', '.join(sorted(commands))}",
                ctx=ctx,
                param=param,
            )
        if not isinstance(table, dict):
            raise click.BadParameter(
                f"{value}: '{name}' must be a table ([{name}] with options under it)",
                ctx=ctx,
                param=param,
            )
        # an option by its parameter name or its flag (``targets`` or ``target``, ``batch-size``)
        options = {
            key: p
            for p in commands[name].params
            if p.name
            for key in [p.name, *(o.lstrip("-").replace("-", "_") for o in p.opts)]
        }
        defaults[name] = {}
        for key, setting in table.items():
            option = options.get(key.replace("-", "_"))
            if option is None or option.name == "data":
                raise click.BadParameter(
                    f"{value}: [{name}] has no option '{key}'; see 'forecast {name} --help'",
                    ctx=ctx,
                    param=param,
                )
            scalar = (str, int, float, bool)
            ok = (
                isinstance(setting, list) and all(isinstance(v, scalar) for v in setting)
                if option.multiple
                else isinstance(setting, scalar)
            )
            if not ok:
                wanted = "a list of values" if option.multiple else "one value"
                raise click.BadParameter(
                    f"{value}: [{name}] {key} must be {wanted}, got {setting!r}",
                    ctx=ctx,
                    param=param,
                )
            defaults[name][option.name] = setting
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


@click.group(cls=Group, context_settings={"auto_envvar_prefix": "FORECAST", "show_default": True})
@click.version_option(__version__, prog_name="forecast")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False),
    callback=_load_config,
    is_eager=True,
    expose_value=False,
    help="TOML file of option defaults, one table per command ([fit], [predict], …).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx, debug):
    """Forecast time series with an LSTM built from its gates.

    \b
    forecast fit data.csv                 # train, writes ./forecast-model/
    forecast predict --output fc.csv      # forecast the next horizon
    forecast plot --output fc.png         # history, forecast and interval
    forecast evaluate data.csv            # rolling-origin backtest vs baselines
    forecast inspect                      # what is in a model directory

    Data files are CSV (plain or compressed) or Parquet (.parquet, .pq).

    Options also come from environment variables FORECAST_<COMMAND>_<OPTION>
    (e.g. FORECAST_FIT_EPOCHS=50) or a --config TOML file.
    """
    ctx.meta["forecast.debug"] = debug


def data_options(command):
    """The data-contract options shared by ``fit`` and ``evaluate``."""
    options = [
        click.argument("data", type=click.Path(exists=True, dir_okay=False)),
        click.option("--time-col", help="Time column (default: found automatically)."),
        click.option(
            "--target",
            "targets",
            multiple=True,
            help="Target column; repeat for several (default: the only numeric column).",
        ),
        click.option("--id-col", help="Series id column for long format (unique_id, ds, y)."),
        click.option(
            "--covariates", help="Comma-separated numeric columns used as past covariates."
        ),
        click.option(
            "--freq", help="Pandas frequency alias (MS, h, D, W-SUN …; default: inferred)."
        ),
        click.option(
            "--gaps",
            type=click.Choice(GAPS),
            default="interpolate",
            help="What to do with missing timestamps and NaN values.",
        ),
        *model_options(),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
    ]
    return functools.reduce(lambda f, option: option(f), reversed(options), command)


def model_options() -> list:
    """One option per hyperparameter of :data:`forecast.params.PARAMETERS` (``cli=True``).

    Names, defaults, ranges and help come from that one declaration.
    """
    options = []
    for name, param in PARAMETERS.items():
        if not param.cli:
            continue
        if param.choices:
            kind = click.Choice(param.choices)
        elif param.kind is int and param.low is not None:
            kind = click.IntRange(min=param.low, max=param.high)
        elif param.kind is float:
            kind = click.FloatRange(
                param.low, param.high, min_open=param.low_open, max_open=param.high_open
            )
        else:
            kind = param.kind
        flag = "--" + name.replace("_", "-")
        options.append(click.option(flag, type=kind, default=param.default, help=param.help))
    return options


def _forecaster(quiet: bool, **params):
    """A Forecaster from the model options (their names are the Forecaster's arguments)."""
    from forecast.forecaster import Forecaster

    return Forecaster(**params, verbose=int(not quiet and sys.stdout.isatty()))


def _load(data, time_col, targets, id_col, covariates, freq, gaps):
    from forecast.data import load_data

    return load_data(
        data,
        time_col=time_col,
        target=list(targets) or None,
        covariates=[c.strip() for c in covariates.split(",") if c.strip()] if covariates else None,
        id_col=id_col,
        freq=freq,
        gaps=gaps,
    )


@main.command()
@data_options
@click.option(
    "--model-dir",
    type=click.Path(file_okay=False),
    default=DEFAULT_MODEL_DIR,
    help="Where to write the model.",
)
@click.option(
    "--distributed/--no-distributed",
    default=None,
    help="Train data-parallel with tf.distribute (default: when TF_CONFIG names a cluster). "
    "--distributed without TF_CONFIG uses every device of this machine.",
)
@click.option(
    "--checkpoint-dir",
    type=click.Path(file_okay=False),
    help="Keep the training state after every epoch here; a restarted fit resumes from it "
    "(shared by all workers).",
)
@click.option(
    "--shard",
    type=click.Choice(["batch", "series"]),
    default="batch",
    show_default=True,
    help="How distributed workers split the training windows: batch (each reads its slice "
    "of every batch; the weights of one process) or series (each windows only its own "
    "series; less memory per worker).",
)
@click.pass_context
def fit(
    ctx, data, time_col, targets, id_col, covariates, freq, gaps, model_dir, distributed,
    checkpoint_dir, shard, **params,
):  # fmt: skip
    """Train a forecaster on DATA (a CSV or Parquet file) and save it to --model-dir.

    \b
    Example:
      forecast fit data/airline.csv --horizon 12 --model-dir airline-model
    \b
    On several machines, the same command on each, with its own TF_CONFIG:
      TF_CONFIG='{"cluster": {"worker": ["h1:2222", "h2:2222"]},
                  "task": {"type": "worker", "index": 0}}' forecast fit data.csv
    """
    from forecast import cluster

    ctx.meta["forecast.on_interrupt"] = f"the model directory '{model_dir}' was not changed"
    role = cluster.role(distributed)
    sd = _load(data, time_col, targets, id_col, covariates, freq, gaps)
    if models.get(params["model"]).needs_tensorflow:
        _import_tensorflow_quietly()
    if role.kind != "single":
        click.echo(f"Role: {role.describe()}", err=True)
    for line in sd.report:
        click.echo(f"Note: {line}", err=True)
    fc = _forecaster(**params)
    saved = cluster.fit(fc, sd, model_dir, role=role, checkpoint_dir=checkpoint_dir, shard=shard)
    for line in fc.notes_:
        click.echo(f"Note: {line}", err=True)
    click.echo(_fit_summary(fc, model_dir if saved else None))


def _with_model(fc, name: str):
    """An unfitted copy of ``fc`` with ``model=name``."""
    from sklearn.base import clone

    return clone(fc).set_params(model=name)


def _stamp(ts) -> str:
    """A timestamp as the CSV would show it: the date alone at midnight."""
    return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else str(ts)


def _fit_summary(fc, model_dir) -> str:
    import pandas as pd

    from forecast.frequency import freq_name

    info, m, t = fc.data_info_, fc.metrics_, fc.training_
    first = min(pd.Timestamp(s["start"]) for s in info["series"].values())
    last = max(pd.Timestamp(s["end"]) for s in info["series"].values())
    series = "" if info["id_col"] is None else f", {len(info['series'])} series"
    lines = [
        f"Data:       {info['source']}: {_stamp(first)} .. {_stamp(last)}, {freq_name(fc.freq_)} ({fc.freq_}){series}, "
        f"target {', '.join(fc.targets_)}",
        f"Model:      {fc.model}, lookback {fc.lookback_}, horizon {fc.horizon_}",
    ]
    if "selected" in t:
        chosen = sorted({m for per in t["selected"].values() for m in per.values()})
        lines.append(
            f"Selected:   {', '.join(chosen)} (on the rows before validation; a forecast "
            "refits on its history)"
        )
    if "members" in t:
        lines.append(
            f"Training:   {t['train_windows']} windows, {t['val_windows']} for validation "
            f"({t['validation']}), {t['members']} network(s), best epochs "
            f"{', '.join(map(str, t['best_epoch']))} of at most {fc.epochs}"
            + (" (0: no better than its naive base)" if 0 in t["best_epoch"] else "")
        )
        if "base_seasons" in t:
            lags = t["base_seasons"]
            base = (
                f"seasonal naive at lag {lags[0]}"
                if len(lags) == 1
                else f"mean of seasonal naive at lags {' and '.join(map(str, lags))}"
            )
            lines.append(f"Base:       {base}; the network forecasts the change from it")
    coverage = fc.interval_["coverage"]
    lines += [
        f"Validation: MAE {m['mae']:.4g} (seasonal naive {m['seasonal_naive_mae']:.4g}), "
        f"MASE {m['mase']:.3f} (seasonal naive {m['seasonal_naive_mase']:.3f}), "
        f"{fc.level:g}% interval coverage " + ("n/a" if coverage is None else f"{coverage:.0f}%"),
        f"Saved:      {model_dir}" if model_dir else "Saved:      nothing (the chief saves)",
    ]
    return "\n".join(lines)


def _series_option(command):
    return click.option(
        "--series",
        multiple=True,
        help="A series id of long-format data; repeat for several (default: all; plot: the first).",
    )(command)


def _escape_option(command):
    return click.option(
        "--escape-formulas/--no-escape-formulas",
        default=True,
        help="Prefix text cells that start with = + - @ with ' (spreadsheet-safe CSV).",
    )(command)


def _write_backtest(output: str, table, escape_formulas: bool) -> None:
    """Writes the backtest table; if that fails, keeps it in a temporary file and says where."""
    import tempfile

    from forecast import outputs
    from forecast.errors import OutputError

    text = outputs.to_csv(table, escape_formulas=escape_formulas)
    try:
        outputs.write_text(output, text)
    except OutputError as exc:
        fd, kept = tempfile.mkstemp(prefix="forecast-backtest-", suffix=".csv")
        with os.fdopen(fd, "w") as file:
            file.write(text)
        exc.args = (f"{exc}; the backtest table was kept in {kept}",)
        raise


def _model_dir_option(command):
    return click.option(
        "--model-dir",
        type=click.Path(file_okay=False),
        default=DEFAULT_MODEL_DIR,
        help="The model directory written by 'forecast fit'.",
    )(command)


def _load_model(model_dir):
    """The Forecaster in ``model_dir``; TensorFlow is imported only if it holds a network."""
    from forecast.forecaster import Forecaster
    from forecast.models.neural import NETWORK

    # a look at the file name, not a second checked read of the manifest (which hashes
    # every file): Forecaster.load does that once
    if (Path(model_dir) / NETWORK).is_file():
        _import_tensorflow_quietly()
    return Forecaster.load(model_dir)


def _new_data(fc, data):
    """``--data NEW.csv`` (or ``.parquet``) read with the trained data contract."""
    if data is None:
        return None
    from forecast.data import load_data

    info = fc.data_info_
    return load_data(
        data,
        time_col=info["time_col"],
        target=fc.targets_,
        covariates=fc.covariates_ or None,
        id_col=info["id_col"],
        freq=fc.freq_,
    )


@main.command()
@_model_dir_option
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False),
    help="New history to forecast from, CSV or Parquet (no refit).",
)
@click.option(
    "--horizon", type=click.IntRange(min=1), help="Steps to forecast (at most the trained horizon)."
)
@click.option(
    "--level",
    type=click.FloatRange(0, 100, min_open=True, max_open=True),
    help="Interval level, percent (default: the trained level).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Output file ('-': stdout).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", help="Output format."
)
@_escape_option
@_series_option
def predict(model_dir, data, horizon, level, output, fmt, escape_formulas, series):
    """Forecast from a saved model and write the forecast as CSV or JSON.

    Columns: [id column], the time column, then per target T: T, T_lower, T_upper.

    \b
    Example:
      forecast predict --model-dir airline-model --output forecast.csv
    """
    fc = _load_model(model_dir)
    from forecast import outputs

    table = fc.predict(
        horizon=horizon, data=_new_data(fc, data), level=level, series=list(series) or None
    )
    for line in table.attrs.get("notes", []):
        click.echo(f"Note: {line}", err=True)
    table = table.reset_index()
    if fmt == "csv":
        text = outputs.to_csv(table, escape_formulas=escape_formulas)
    else:
        text = outputs.to_json(table)
    outputs.write_text(output, text)
    if output != "-":
        click.echo(f"Forecast: {output}", err=True)


@main.command()
@_model_dir_option
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False),
    help="History to forecast from, CSV or Parquet (default: the training data).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default="forecast.png",
    help="Image file (.png, .svg, .pdf).",
)
@click.option("--last", type=click.IntRange(min=1), help="Show only the last N periods of history.")
@_series_option
@click.option("--target", help="Target to plot (default: the first).")
@click.option(
    "--level",
    type=click.FloatRange(0, 100, min_open=True, max_open=True),
    help="Interval level, percent.",
)
def plot(model_dir, data, output, last, target, level, series):
    """Plot history, forecast and interval band to an image file.

    With --series (repeatable) on long-format data: the named series, each titled with its
    id, in a grid when there are several (at most 12).

    \b
    Example:
      forecast plot --model-dir airline-model --last 48 --output forecast.png
      forecast plot --model-dir tourism-model --series Sydney --series Melbourne -o two.png
    """
    suffix = Path(output).suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise click.BadParameter(
            f"'{output}' must end in .png, .svg or .pdf", param_hint="--output"
        )
    if len(series) > MAX_PLOT_SERIES:
        raise click.BadParameter(
            f"at most {MAX_PLOT_SERIES} series in one plot, got {len(series)}",
            param_hint="--series",
        )
    fc = _load_model(model_dir)
    new = _new_data(fc, data)
    if target is not None and target not in fc.targets_:
        raise click.BadParameter(
            f"'{target}' is not a target of the model ({', '.join(fc.targets_)})",
            param_hint="--target",
        )
    frames = new.frames if new else fc.history_
    ids = list(series) or [next(iter(frames))]
    forecast = fc.predict(data=new, level=level, series=None if ids == [None] else ids)

    import matplotlib

    matplotlib.use("Agg")
    from forecast import outputs
    from forecast.plotting import plot_forecast, plot_forecast_grid

    options = dict(last=last, target=target, level=level or fc.level)
    if len(ids) == 1:
        key = ids[0]
        history = frames if key is None else {key: frames[key]}
        figure = plot_forecast(history, forecast, series_id=key, **options).figure
    else:
        figure = plot_forecast_grid(frames, forecast, ids, **options)[0, 0].figure
    outputs.write_with(
        output, lambda tmp: figure.savefig(tmp, dpi=120, bbox_inches="tight"), suffix
    )
    click.echo(f"Plot: {output}", err=True)


@main.command()
@_model_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
def inspect(model_dir, as_json):
    """Show what is in a model directory: data, model, metrics, parameters.

    \b
    Example:
      forecast inspect --model-dir airline-model
    """
    import json

    from forecast import modeldir

    manifest = modeldir.read_manifest(model_dir)
    if as_json:
        click.echo(json.dumps(manifest, indent=2))
        return
    fc = _load_model(model_dir)
    click.echo(_fit_summary(fc, model_dir))
    versions = ", ".join(f"{k} {v}" for k, v in manifest["versions"].items() if v)
    click.echo(f"Versions:   {versions}")
    click.echo(f"Data hash:  {manifest['data']['sha256'][:16]}…  seed {manifest['seed']}")
    if fc.network_ is not None:
        click.echo(f"Parameters: {fc.network_.count_params():,}")
        lines = []
        fc.network_.summary(print_fn=lambda line, **_: lines.append(line))
        click.echo("\n".join(lines))


def _model_list(ctx, param, value) -> list[str]:
    """``--baselines a,b``: registry names, in order, without repeats."""
    names = list(dict.fromkeys(n.strip() for n in (value or "").split(",") if n.strip()))
    unknown = [n for n in names if n not in models.REGISTRY]
    if unknown:
        raise click.BadParameter(
            f"{unknown[0]!r} is not a model; choose from {', '.join(models.names())}",
            ctx=ctx,
            param=param,
        )
    return names


@main.command()
@data_options
@click.option("--folds", type=click.IntRange(min=1), default=3, help="Rolling origins (folds).")
@click.option(
    "--step", type=click.IntRange(min=1), help="Steps between origins (default: the horizon)."
)
@click.option(
    "--gap",
    type=click.IntRange(min=0),
    default=0,
    help="Steps between the end of training and the first forecast.",
)
@click.option(
    "--max-train-size",
    type=click.IntRange(min=1),
    help="Sliding training window (default: expanding).",
)
@click.option(
    "--refit/--no-refit", default=True, help="Refit per fold, or fit once and slide the history."
)
@click.option(
    "--baselines",
    default=",".join(models.baselines()),
    callback=_model_list,
    help="Comma-separated models shown beside --model (e.g. ets,theta,seasonal-naive).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="Write the long backtest table as CSV."
)
@click.option(
    "--per-series",
    type=click.Path(dir_okay=False),
    help="Write one row per series and model (MASE, sMAPE, coverage) as CSV (long format).",
)
@_escape_option
def evaluate(
    data,
    time_col,
    targets,
    id_col,
    covariates,
    freq,
    gaps,
    folds,
    step,
    gap,
    max_train_size,
    refit,
    baselines,
    as_json,
    output,
    escape_formulas,
    per_series,
    **params,
):
    """Rolling-origin backtest of --model beside the --baselines, on the same folds.

    \b
    Example:
      forecast evaluate data/airline.csv --horizon 12 --folds 3
      forecast evaluate data/airline.csv --baselines ets,theta,seasonal-naive
    """
    import json

    from forecast import evaluation, outputs

    sd = _load(data, time_col, targets, id_col, covariates, freq, gaps)
    if per_series and sd.id_col is None:
        raise click.BadParameter(
            "scores per series need long format (--id-col)", param_hint="--per-series"
        )
    chosen = params["model"]
    names = [chosen] + [b for b in baselines if b != chosen]
    if any(models.get(name).needs_tensorflow for name in names):
        _import_tensorflow_quietly()
    fc = _forecaster(**params)
    horizon = fc.horizon
    if horizon is None:
        from forecast.frequency import default_horizon

        horizon = default_horizon(sd.freq)
    # the backtest forecasts gap + horizon steps and scores the last horizon of them
    fc.set_params(horizon=horizon + gap)
    estimators = {name: _with_model(fc, name) for name in names}
    show_progress = not params["quiet"] and sys.stderr.isatty()
    bar = click.progressbar(length=len(names) * folds, label="Backtest", file=sys.stderr)
    with bar if show_progress else contextlib.nullcontext():
        table, summary, scores = evaluation.evaluate(
            sd,
            estimators,
            horizon=horizon,
            n_splits=folds,
            step=step,
            gap=gap,
            max_train_size=max_train_size,
            refit=refit,
            level=params["level"],
            progress=bar.update if show_progress else None,
            scores_per_series=True,
        )
    if per_series:
        outputs.write_text(per_series, outputs.to_csv(scores))
    if output:
        _write_backtest(output, table, escape_formulas)
    if as_json:
        click.echo(json.dumps(evaluation.to_json(summary, horizon, folds), indent=2))
    else:
        click.echo(summary.to_string(float_format=lambda v: f"{v:.4g}", na_rep="n/a"))
