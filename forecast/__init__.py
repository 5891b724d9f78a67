"""forecast: time-series forecasting with an LSTM built from its gates.

Importing this package is cheap: TensorFlow, pandas and matplotlib are only
imported when a name that needs them is first used (PEP 562 ``__getattr__``),
so that ``forecast --help`` answers at once.

Example:
    >>> import forecast
    >>> forecast.__version__
    '0.1.0'
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "Forecaster": "forecast.forecaster",
    "load_csv": "forecast.data",
    "load_data": "forecast.data",
    "SeriesData": "forecast.data",
    "backtest": "forecast.evaluation",
    "layers": "forecast.layers",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'forecast' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    value = module if module.__name__ == f"forecast.{name}" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
