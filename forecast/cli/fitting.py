"""``forecast fit``: train a forecaster on a data file and save its model directory."""

from __future__ import annotations

import click

from forecast import models
from forecast.cli.app import main
from forecast.cli.exits import note
from forecast.cli.loading import _forecaster, _import_tensorflow_quietly, _load
from forecast.cli.options import DEFAULT_MODEL_DIR, data_options
from forecast.cli.summary import _fit_summary
from forecast.errors import DataError


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
    ctx, data, time_col, targets, id_col, covariates, freq, gaps, strict, model_dir, distributed,
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
    part = cluster.part(role, shard, params["model"])  # sharded by series: its own series
    try:
        sd = _load(data, time_col, targets, id_col, covariates, freq, gaps, strict, part=part)
    except DataError as error:
        if part is None:
            raise
        _import_tensorflow_quietly()
        cluster.give_up(role, error)  # the other workers stop too, and at once
    if models.get(params["model"]).needs_tensorflow:
        _import_tensorflow_quietly()
    if role.kind != "single":
        click.echo(f"Role: {role.describe()}", err=True)
    for line in sd.report:
        note(line)
    fc = _forecaster(**params)
    saved = cluster.fit(fc, sd, model_dir, role=role, checkpoint_dir=checkpoint_dir, shard=shard)
    for line in fc.notes_:
        note(line)
    click.echo(_fit_summary(fc, model_dir if saved else None))
