"""README's "Where things live" table and the tree agree: every path it names exists, and every
top-level module and package of src/xunpan/, and every top-level folder of the repository that git
tracks, is named in it (so a newcomer finds where a change belongs)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def where_things_live() -> list[str]:
    """The paths of the table's first column, with `a/b.py`, `c.py` expanded to a/b.py and a/c.py."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    paths: list[str] = []
    for line in table.splitlines():
        if not line.startswith("| `"):
            continue
        first = line.split(" | ", 1)[0]
        names = re.findall(r"`([^`]+)`", first)
        folder = ""
        for name in names:
            name = name.split(" ")[0]
            if "/" in name.rstrip("/"):
                folder = name.rsplit("/", 1)[0] + "/" if not name.endswith("/") else ""
                paths.append(name)
            else:
                paths.append(folder + name if folder and not name.endswith("/") else name)
    return paths


def test_every_path_in_the_table_exists():
    paths = where_things_live()
    assert len(paths) > 20, paths
    # var/ is made by the first run (XUNPAN_HOME), never committed
    missing = [path for path in paths if not (REPO / path).exists() and path not in {"var/", "XUNPAN_HOME"}]
    assert missing == [], f"README names paths that do not exist: {missing}"


def test_every_module_and_top_level_folder_is_in_the_table():
    named = set(where_things_live())
    package = REPO / "src" / "xunpan"
    modules = {
        f"src/xunpan/{entry.name}" + ("/" if entry.is_dir() else "")
        for entry in package.iterdir()
        if entry.name != "__init__.py"
        and not entry.name.startswith(("_", "."))
        and (entry.suffix == ".py" or (entry.is_dir() and (entry / "__init__.py").exists()))
    }
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split()
    folders = {path.split("/", 1)[0] + "/" for path in tracked if "/" in path}
    folders -= {".ci/", "src/"}  # CI's entry point; src/ is listed module by module
    unnamed = sorted((modules | folders) - named)
    assert unnamed == [], f"README's 'Where things live' table does not say where these live: {unnamed}"
