"""The benchmark scripts import and their docstring examples hold (they are run by hand, not
in CI, so nothing else would notice a script that no longer starts)."""

from __future__ import annotations

import doctest
import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = [
    "protocol",
    "protocol_report",
    "fit_time",
    "panel_coverage",
    "panel_scale",
    "multi_worker",
    "part_memory",
    "combination",
]


@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_script_imports_and_its_examples_hold(name, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failed == 0
