"""Demo datasets generated once per test session (generation takes seconds, reading is cheap)."""

from __future__ import annotations

from pathlib import Path

import pytest
from demo_readback import FULL_END, SMALL_END

from xunpan.demo import generate, generate_small, simulate
from xunpan.demo.profile import FULL, SMALL
from xunpan.demo.world import DemoWorld


@pytest.fixture(scope="session")
def full_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo_full")
    generate(folder, end_date=FULL_END)
    return folder


@pytest.fixture(scope="session")
def full_world() -> DemoWorld:
    return simulate(12, 7, FULL_END, "default", FULL)


@pytest.fixture(scope="session")
def small_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo_small")
    generate_small(folder)
    return folder


@pytest.fixture(scope="session")
def small_world() -> DemoWorld:
    return simulate(2, 1, SMALL_END, "default", SMALL)
