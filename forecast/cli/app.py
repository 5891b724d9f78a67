"""The ``forecast`` Click group: ``--version``, ``--debug`` and ``--config FILE`` (option
defaults from TOML); the commands register themselves on :func:`main`."""

from __future__ import annotations

from pathlib import Path

import click

from forecast import __version__
from forecast.cli.exits import Group


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


def run() -> None:
    """The ``forecast`` console script: :func:`main`, then an exit without the final sweep.

    Once TensorFlow is imported, the interpreter's last garbage collection at exit walks
    its hundreds of thousands of objects: about 0.9 s of every ``fit`` or ``predict`` on a
    2-core machine, after all output is written. ``gc.freeze()`` leaves them out of it;
    files, ``atexit`` handlers and flushing are untouched. Only the console script does
    this: a process that goes on after :func:`main` (tests, a notebook) keeps a full
    collector.
    """
    import gc

    try:
        main()
    finally:
        gc.freeze()
