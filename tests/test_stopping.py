"""A stop requested by a signal ends training at the next batch (forecast.stopping).

Ctrl-C's KeyboardInterrupt can be lost inside a TensorFlow step (a ``forecast fit`` went on
training after SIGINT); the CLI records the request and training raises it again.
"""

from __future__ import annotations

import pytest
from conftest import seasonal_frame

from forecast import Forecaster, stopping


class Stop(BaseException):
    pass


@pytest.mark.parametrize("distributed", [False, True], ids=["model.fit", "custom loop"])
def test_a_requested_stop_ends_training_at_the_next_batch(distributed, tmp_path):
    from forecast import distributed as dist

    frame = seasonal_frame(n=120)
    fc = Forecaster(model="lstm", horizon=6, units=4, epochs=50, patience=50, ensemble=1)
    stopping.request(Stop)
    try:
        with pytest.raises(Stop):
            if distributed:
                with dist.use(dist.start("single", tmp_path)):
                    fc.fit(frame)
            else:
                fc.fit(frame)
    finally:
        stopping.clear()
    # without a request the same fit runs to its end
    assert Forecaster(**fc.get_params()).fit(frame).training_["epochs"] >= 1
