"""``forecast evaluate``: a rolling-origin backtest of a model beside baselines."""

from __future__ import annotations

import contextlib
import os
import sys

import click

from forecast import models
from forecast.cli.app import main
from forecast.cli.exits import note
from forecast.cli.loading import _forecaster, _import_tensorflow_quietly, _load, _with_model
from forecast.cli.options import _escape_option, data_options


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
    strict,
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

    sd = _load(data, time_col, targets, id_col, covariates, freq, gaps, strict)
    for line in sd.report:
        note(line)
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
            strict=strict,
        )
    for line in summary.attrs["notes"]:
        note(line)
    if per_series:
        outputs.write_text(per_series, outputs.to_csv(scores))
    if output:
        _write_backtest(output, table, escape_formulas)
    if as_json:
        click.echo(json.dumps(evaluation.to_json(summary, horizon, folds), indent=2))
    else:
        click.echo(summary.to_string(float_format=lambda v: f"{v:.4g}", na_rep="n/a"))
