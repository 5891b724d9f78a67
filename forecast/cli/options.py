"""Options shared by several commands; the model options are generated from
:data:`forecast.params.PARAMETERS`, so a default or a range lives in one place."""

from __future__ import annotations

import functools

import click

from forecast.params import PARAMETERS

GAPS = ("error", "interpolate", "ffill")
DEFAULT_MODEL_DIR = "forecast-model"


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
        click.option(
            "--strict",
            is_flag=True,
            help="Stop at a problem in any one series of a panel (default: leave that "
            "series out, say why, and go on with the others).",
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


def _model_dir_option(command):
    return click.option(
        "--model-dir",
        type=click.Path(file_okay=False),
        default=DEFAULT_MODEL_DIR,
        help="The model directory written by 'forecast fit'.",
    )(command)
