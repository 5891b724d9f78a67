"""Executes the teaching notebooks in ``notebooks/`` top to bottom.

Each notebook runs in a fresh ``python3`` kernel (ipykernel of the interpreter running
pytest, so the virtual environment's) with the working directory set to ``notebooks/``,
as Jupyter does: the notebooks read their data from ``../data/``. A test fails when a
cell raises (nbclient's ``CellExecutionError`` shows the cell and its traceback) or when
the notebook draws no figure (no output with ``image/png`` data).

Slow (about a minute per notebook: each one trains a small LSTM): deselect with
``pytest -m "not notebook"``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = [
    "01-quickstart.ipynb",
    "02-inside-the-lstm-cell.ipynb",
    "03-backtest.ipynb",
    "04-many-series.ipynb",
]
# 04 reads the tourism panel from the workspace's shared data (its licence keeps it out of
# the package); CI has shared/ beside the checkout.
PANEL = NOTEBOOKS.parents[1] / "shared" / "data" / "tourism_quarterly_long.csv"
CELL_TIMEOUT_S = 600

pytestmark = pytest.mark.notebook


def run_notebook(path: Path):
    """The notebook at ``path``, executed in a new kernel (raises on the first failing cell)."""
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nb


def figures(nb) -> int:
    """The number of outputs that carry a PNG image."""
    return sum(
        "image/png" in output.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def test_notebooks_are_stored_without_outputs():
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        dirty = [
            i
            for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
        ]
        assert not dirty, f"{name}: cells {dirty} hold outputs; clear them before committing"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_draws(name, monkeypatch):
    if name == "04-many-series.ipynb" and not PANEL.is_file():
        pytest.skip(f"{PANEL} is not there (the workspace's shared data)")
    monkeypatch.setenv("MPLBACKEND", "Agg")  # the notebooks select the inline backend
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    nb = run_notebook(NOTEBOOKS / name)
    assert figures(nb) >= 1, f"{name} ran but produced no figure (no image/png output)"
