"""The commands that read a saved model directory: ``predict``, ``plot``, ``inspect``."""

from __future__ import annotations

from pathlib import Path

import click

from forecast.cli.app import main
from forecast.cli.exits import note
from forecast.cli.loading import _load_model, _new_data
from forecast.cli.options import _escape_option, _model_dir_option, _series_option
from forecast.cli.summary import _fit_summary

MAX_PLOT_SERIES = 12


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
        note(line)
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
