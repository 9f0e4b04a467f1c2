"""`xunpan doctor` compares each environment with its lock file and says what to run."""

from __future__ import annotations

import shutil

from xunpan.config import Settings
from xunpan.doctor import check_environment, lock_pins, run_checks


def test_the_built_environments_match_their_locks(settings) -> None:
    for env in ("airflow", "dbt", "superset"):
        check = check_environment(settings, env)
        assert check.status == "ok", check.detail


def test_a_version_drift_is_reported_with_the_fix(settings, tmp_path) -> None:
    repo = tmp_path / "repo"
    (repo / "requirements").mkdir(parents=True)
    lock = (settings.repo / "requirements" / "dbt.lock").read_text()
    pins = lock_pins(settings, "dbt")
    drifted = lock.replace(f"dbt-core=={pins['dbt-core']}", "dbt-core==1.0.0")
    (repo / "requirements" / "dbt.lock").write_text(drifted)
    other = Settings(home=settings.home, repo=repo, venvs=settings.venvs, company_id="default")
    check = check_environment(other, "dbt")
    assert check.status == "fail"
    assert f"dbt-core {pins['dbt-core']} (lock: 1.0.0)" in check.detail
    assert "make envs" in check.detail


def test_a_missing_environment_and_missing_secrets(settings, tmp_path) -> None:
    venvs = tmp_path / "venvs"
    shutil.copytree(settings.venvs / "dbt" / "bin", venvs / "dbt" / "bin", symlinks=True)
    other = Settings(home=settings.home, repo=settings.repo, venvs=venvs, company_id="default")
    checks = {c.name: c for c in run_checks(other)}
    assert checks["environment airflow"].status == "fail"
    assert "make envs" in checks["environment airflow"].detail
    assert checks["secrets file"].status == "warn"
    assert checks["published data"].status == "warn"


def test_make_test_stops_at_once_naming_a_missing_browser(tmp_path, monkeypatch) -> None:
    """`make test` runs `xunpan doctor --for-tests` first: without chromium on PATH it fails
    with the command that installs it, before any test runs."""
    from click.testing import CliRunner

    from xunpan.cli import main

    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no chromium anywhere
    result = CliRunner().invoke(main, ["doctor", "--for-tests"])
    assert result.exit_code == 1
    assert "[FAIL] chromium (browser tests): not found: `apt-get install chromium`" in result.output
