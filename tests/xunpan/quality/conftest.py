from __future__ import annotations

from pathlib import Path

import pytest
from gate_warehouse import build_warehouse

from xunpan.config import Settings


@pytest.fixture
def warehouse(settings: Settings) -> Path:
    """A warehouse whose marts pass every expectation (see gate_warehouse.py)."""
    return build_warehouse(settings.warehouse)
