"""The `xunpan` command tree through click's runner. `run` is in test_orchestration.py, `status` in
test_status.py, `serve` in test_serve.py; `import`, `inbox`, `layouts`, `demo` and `bench` next to
their modules (tests/xunpan/landing, sources, demo, test_bench.py), `doctor --for-tests` in
test_doctor.py."""

from __future__ import annotations

import json
import re
import socket
import stat
from pathlib import Path

import click
import duckdb
import pytest
from click.testing import CliRunner
from gate_warehouse import RUN_DATE, build_warehouse

from xunpan.cli import main
from xunpan.config import Settings
from xunpan.quality import suites

REPO = Path(__file__).resolve().parents[2]


def _paths(group: click.Group, prefix: str = "") -> set[str]:
    found = set()
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        found.add(path)
        if isinstance(command, click.Group):
            found |= _paths(command, path + " ")
    return found


def test_one_command_tree_and_no_other_entry_point() -> None:
    assert _paths(main) == {
        "run",
        "status",
        "doctor",
        "secrets",
        "docs",
        "import",
        "inbox",
        "layouts",
        "layouts explain",
        "demo",
        "demo generate",
        "serve",
        "serve start",
        "serve stop",
        "serve status",
        "users",
        "users add",
        "users list",
        "bench",
        "dashboards",
        "dashboards setup",
        "dashboards check",
        "quality",
        "quality gate",
        "quality suites",
    }
    # The package has no command line of its own beside the tree (issue 13): no argparse, and no
    # `python -m xunpan.<module>` other than the demo Airflow's internal launcher.
    sources = {p: p.read_text(encoding="utf-8") for p in (REPO / "src" / "xunpan").rglob("*.py")}
    assert [
        p.name for p, text in sources.items() if re.search(r"^\s*(import|from) argparse", text, re.M)
    ] == []
    assert sorted(p.name for p in sources if p.name == "__main__.py") == []


def test_secrets_writes_the_file_once_private(settings: Settings) -> None:
    first = CliRunner().invoke(main, ["secrets"])
    assert first.exit_code == 0, first.output
    assert first.output == f"{settings.secrets_file}\n"  # the path only: no secret on the terminal
    assert stat.S_IMODE(settings.secrets_file.stat().st_mode) == 0o600
    content = settings.secrets_file.read_text(encoding="utf-8")
    assert re.search(r"^SUPERSET_ADMIN_PASSWORD=\S{16,}$", content, re.M)
    assert CliRunner().invoke(main, ["secrets"]).exit_code == 0
    assert settings.secrets_file.read_text(encoding="utf-8") == content  # kept, not regenerated


def test_doctor_on_a_fresh_home_names_what_is_missing(settings: Settings) -> None:
    result = CliRunner().invoke(main, ["doctor", "--json"])
    checks = {c["name"]: c for c in json.loads(result.output)}
    assert checks["XUNPAN_HOME"] == {"name": "XUNPAN_HOME", "status": "ok", "detail": str(settings.home)}
    assert (
        checks["secrets file"]["status"] == "warn" and "not generated yet" in checks["secrets file"]["detail"]
    )
    assert checks["published data"] == {
        "name": "published data",
        "status": "warn",
        "detail": "nothing published yet: run `xunpan run`",
    }
    assert {checks[f"environment {e}"]["status"] for e in ("airflow", "dbt", "superset")} == {"ok"}
    # Exit 1 exactly when a check failed; warnings alone do not fail.
    assert result.exit_code == (1 if any(c["status"] == "fail" for c in checks.values()) else 0)
    text = CliRunner().invoke(main, ["doctor"])
    assert "nothing published yet: run `xunpan run`" in text.output


def test_quality_gate_passes_a_good_warehouse_and_blocks_a_broken_one(settings: Settings) -> None:
    build_warehouse(settings.warehouse)
    good = CliRunner().invoke(
        main, ["quality", "gate", "--date", RUN_DATE.isoformat(), "--run-id", "cli-good"]
    )
    assert good.exit_code == 0, good.output
    assert "Quality gate passed for run cli-good (business date 2026-03-10): " in good.output
    assert "0 blocking failure(s), 0 warning(s)." in good.output
    assert f"Data Docs: {settings.quality_dir / 'data_docs' / 'index.html'}" in good.output

    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("""update marts.mart_channel_cost_per_inquiry set spend_fixed_cny = -81.64
                       where channel_id = 'alibaba_intl' and date_day = date '2026-03-01'""")
    bad = CliRunner().invoke(main, ["quality", "gate", "--date", "2026-03-10", "--run-id", "cli-bad"])
    assert bad.exit_code == 1, bad.output
    assert "Quality gate FAILED for run cli-bad" in bad.output
    assert "mart_channel_cost_per_inquiry" in bad.output and "spend_fixed_cny" in bad.output


def test_quality_gate_without_a_warehouse_says_so(settings: Settings) -> None:
    result = CliRunner().invoke(main, ["quality", "gate", "--date", "2026-03-10"])
    assert result.exit_code == 1
    assert f"error: {settings.warehouse}: the warehouse does not exist" in result.output


def test_quality_suites_writes_checks_and_names_stale_files(tmp_path: Path) -> None:
    runner = CliRunner()
    wrote = runner.invoke(main, ["quality", "suites", "--root", str(tmp_path)])
    assert wrote.exit_code == 0, wrote.output
    expected = sorted(suites.generated_files())
    assert sorted(line.removeprefix(f"wrote {tmp_path}/") for line in wrote.output.splitlines()) == expected
    assert (
        (tmp_path / "great_expectations.yml")
        .read_text(encoding="utf-8")
        .startswith("# Great Expectations file context of xunpan: generated by `xunpan quality suites`.")
    )
    again = runner.invoke(main, ["quality", "suites", "--root", str(tmp_path)])
    assert again.output == f"up to date: {tmp_path}\n"

    (tmp_path / "checkpoints" / "fct_inquiries.json").write_text("{}", encoding="utf-8")
    check = runner.invoke(main, ["quality", "suites", "--check", "--root", str(tmp_path)])
    assert check.exit_code == 1
    assert check.output == f"out of date: {tmp_path / 'checkpoints' / 'fct_inquiries.json'}\n"
    assert (tmp_path / "checkpoints" / "fct_inquiries.json").read_text(
        encoding="utf-8"
    ) == "{}"  # only checked
    # The committed files are what the code generates.
    assert runner.invoke(main, ["quality", "suites", "--check"]).exit_code == 0


def test_users_add_refuses_a_role_without_its_company(settings: Settings) -> None:
    result = CliRunner().invoke(main, ["users", "add", "--role", "owner"])
    assert result.exit_code == 1
    assert result.output == "error: --role owner belongs to one company: give --company\n"


@pytest.mark.browser
def test_dashboards_check_fails_when_superset_does_not_answer(settings: Settings, tmp_path: Path) -> None:
    """Real Chromium against an address nothing listens on: the check fails and says why."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = CliRunner().invoke(
        main, ["dashboards", "check", "--url", url, "--artifacts", str(tmp_path / "a")]
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith("0 dashboards, 0 charts, 0 failing (FAILED)\n")
    assert "  ! login as 'admin' failed: " in result.output and url in result.output


@pytest.mark.slow
def test_dashboards_setup_then_users(settings: Settings) -> None:
    """Superset's metadata, roles and admin from the repository, then a per-company login."""
    runner = CliRunner()
    setup = runner.invoke(main, ["dashboards", "setup"])
    assert setup.exit_code == 0, setup.output
    assert setup.output.endswith("Superset is set up.\n")
    assert (settings.superset_home / "superset.db").is_file()

    added = runner.invoke(main, ["users", "add", "--company", "acme", "--role", "owner"])
    assert added.exit_code == 0, added.output
    assert added.output.startswith("created Superset user acme-owner (owner, company acme)\n")
    listed = runner.invoke(main, ["users", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    users = {u["username"]: u for u in json.loads(listed.output)}
    assert {"admin", "acme-owner"} <= set(users)
    assert users["acme-owner"]["companies"] == ["acme"]


@pytest.mark.slow
def test_docs_renders_the_dbt_site_offline(settings: Settings, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = CliRunner().invoke(main, ["docs", "--out", str(site)])
    assert result.exit_code == 0, result.output
    assert result.output == f"dbt docs: {site / 'index.html'}\n"
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    assert "model.xunpan.fct_inquiries" in manifest["nodes"]
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "fct_inquiries" in page
    assert not re.search(r"<script[^>]+src=\"https?://", page)  # nothing loaded from outside
