"""The training callbacks every path shares (forecast.callbacks)."""

from types import SimpleNamespace

import keras
import pytest

from forecast import callbacks


@pytest.mark.parametrize("patience, lr_patience", [(10, 3), (9, 3), (2, 1)])
def test_every_training_path_gets_the_callbacks_in_the_checkpointed_order(patience, lr_patience):
    spec = SimpleNamespace(patience=patience, verbose=0)
    extra = [callbacks.StopOnRequest()]
    made = callbacks.training_callbacks(spec, extra)
    # forecast.checkpoint saves made[0] as the early stopping and made[1] as the schedule
    assert [type(c) for c in made[:3]] == [
        keras.callbacks.EarlyStopping,
        keras.callbacks.ReduceLROnPlateau,
        keras.callbacks.TerminateOnNaN,
    ]
    assert made[3:] == extra
    assert made[0].patience == patience and made[0].restore_best_weights
    assert made[1].patience == lr_patience and made[1].factor == 0.5


def test_the_progress_bar_counts_epochs_and_closes_when_stopped_early(capsys):
    bar = callbacks.EpochProgress(epochs=5)
    for epoch in range(2):
        bar.on_epoch_end(epoch, {"loss": 0.5, "val_loss": 0.25, "learning_rate": 0.1})
    bar.on_train_end()
    out = capsys.readouterr().out
    assert "2/5" in out and "val_loss" in out and "learning_rate" not in out
    assert out.endswith("\n")
