"""Settings: every XUNPAN_* variable typed and validated in one place, and the README's
"Configuration" table made from it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from xunpan.config import Settings, SettingsError, env_name, readme_table
from xunpan.errors import XunpanError

REPO = Path(__file__).resolve().parents[2]


def _readme_configuration_table() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1]
    lines = section.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    return "\n".join(table)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No XUNPAN_* variable from the calling shell leaks into these tests."""
    import os

    for name in list(os.environ):
        if name.startswith("XUNPAN_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XUNPAN_HOME", str(tmp_path / "home"))


def test_readme_table_is_the_settings() -> None:
    table = _readme_configuration_table()
    readme_names = set(re.findall(r"^\| `(XUNPAN_[A-Z0-9_]+)`", table, flags=re.MULTILINE))
    settings_names = {env_name(field) for field in Settings.model_fields}
    assert readme_names - settings_names == set(), "README names variables Settings does not read"
    assert settings_names - readme_names == set(), "Settings reads variables the README does not list"
    assert table == readme_table(), (
        "README.md's Configuration table differs from the Settings field descriptions; "
        "replace it with the output of `python -c 'from xunpan.config import readme_table; "
        "print(readme_table())'`"
    )


def test_defaults_appear_in_the_readme(clean_env: None) -> None:
    settings = Settings.from_env()
    rows = {
        match[0]: match[1]
        for match in re.findall(r"^\| `(XUNPAN_[A-Z0-9_]+)` \| ([^|]*) \|", readme_table(), re.MULTILINE)
    }
    assert rows["XUNPAN_SERVING_KEEP"].strip() == str(settings.serving_keep) == "5"
    assert rows["XUNPAN_AIRFLOW_PORT"].strip() == str(settings.airflow_port) == "8080"
    assert rows["XUNPAN_DBT_TARGET"].strip() == f"`{settings.dbt_target}`" == "`duckdb`"
    assert rows["XUNPAN_SMTP_SSL"].strip() == "false" and settings.smtp_ssl is False
    assert settings.superset_url == "http://127.0.0.1:8088"
    assert settings.venvs == settings.repo / ".venvs"


def test_values_are_typed(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XUNPAN_COMPANIES", " acme, beta ,")
    monkeypatch.setenv("XUNPAN_ALERT_EMAIL_TO", "ops@example.com, boss@example.com")
    monkeypatch.setenv("XUNPAN_REPORT_EMAIL_TO", "acme=boss@acme.cn,laoban@default.cn")
    monkeypatch.setenv("XUNPAN_SUPERSET_PORT", "8123")
    monkeypatch.setenv("XUNPAN_SMTP_STARTTLS", "yes")
    monkeypatch.setenv("XUNPAN_RECONCILIATION_GAP_THRESHOLD", "25%")
    monkeypatch.setenv("XUNPAN_ALERT_EMAIL_FROM", " xunpan@example.com ")
    monkeypatch.setenv("XUNPAN_SERVING_KEEP", "")  # empty is unset: the default
    settings = Settings.from_env()
    assert settings.companies == ("acme", "beta")
    assert settings.alert_email_to == ("ops@example.com", "boss@example.com")
    assert settings.report_email_to == (("acme", "boss@acme.cn"), ("default", "laoban@default.cn"))
    assert (settings.superset_port, settings.superset_url) == (8123, "http://127.0.0.1:8123")
    assert settings.smtp_starttls is True
    assert settings.reconciliation_gap_threshold == 0.25
    assert settings.mail_from == "xunpan@example.com"
    assert settings.serving_keep == 5


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("XUNPAN_AIRFLOW_PORT", "0", "XUNPAN_AIRFLOW_PORT='0': expected a port number from 1 to 65535"),
        (
            "XUNPAN_SUPERSET_PORT",
            "http",
            "XUNPAN_SUPERSET_PORT='http': expected a port number from 1 to 65535",
        ),
        ("XUNPAN_SMTP_PORT", "65536", "XUNPAN_SMTP_PORT='65536': expected a port number from 1 to 65535"),
        ("XUNPAN_SERVING_KEEP", "0", "XUNPAN_SERVING_KEEP='0': expected a whole number of at least 1"),
        ("XUNPAN_QUALITY_KEEP", "-3", "XUNPAN_QUALITY_KEEP='-3': expected a whole number of at least 1"),
        (
            "XUNPAN_SUPERSET_WORKERS",
            "two",
            "XUNPAN_SUPERSET_WORKERS='two': expected a whole number of at least 1",
        ),
        ("XUNPAN_FRESHNESS_DAYS", "-1", "XUNPAN_FRESHNESS_DAYS='-1': expected a whole number of at least 0"),
        (
            "XUNPAN_INQUIRY_RECORDING_LAG_DAYS",
            "15",
            "XUNPAN_INQUIRY_RECORDING_LAG_DAYS='15': expected a whole number from 0 to 14",
        ),
        (
            "XUNPAN_DBT_TARGET",
            "oracle",
            "XUNPAN_DBT_TARGET='oracle': expected one of duckdb, postgres, spark",
        ),
        (
            "XUNPAN_ALERT_EMAIL_TO",
            "ops@example.com,ops",
            "XUNPAN_ALERT_EMAIL_TO='ops@example.com,ops': 'ops' is not an e-mail address",
        ),
        (
            "XUNPAN_REPORT_EMAIL_TO",
            "acme=boss",
            "XUNPAN_REPORT_EMAIL_TO entry 'acme=boss': expected <company>=<address>",
        ),
        (
            "XUNPAN_SUPERSET_URL",
            "bi.example.cn",
            "XUNPAN_SUPERSET_URL='bi.example.cn': expected an absolute URL such as https://host/path",
        ),
        ("XUNPAN_SMTP_SSL", "maybe", "XUNPAN_SMTP_SSL='maybe': expected true or false"),
        ("XUNPAN_ALERT_TIMEOUT", "0", "XUNPAN_ALERT_TIMEOUT='0': expected a number of seconds above 0"),
        ("XUNPAN_COMPANY_ID", "Acme Ltd", "XUNPAN_COMPANY_ID='Acme Ltd': expected lower-case letters"),
        ("XUNPAN_COMPANIES", "acme,../x", "XUNPAN_COMPANIES='acme,../x': company id '../x' is not allowed"),
        (
            "XUNPAN_DUCKDB_MEMORY_LIMIT",
            "lots",
            "XUNPAN_DUCKDB_MEMORY_LIMIT='lots': expected a size such as 1GB",
        ),
        (
            "XUNPAN_RECONCILIATION_GAP_THRESHOLD",
            "120%",
            "XUNPAN_RECONCILIATION_GAP_THRESHOLD='120%': expected a share above 0 and at most 1",
        ),
    ],
)
def test_a_bad_value_names_the_variable_the_value_and_what_was_expected(
    clean_env: None, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    assert str(raised.value).startswith(message), str(raised.value)
    # The CLI prints an XunpanError without a traceback; callers validating input catch ValueError.
    assert isinstance(raised.value, XunpanError) and isinstance(raised.value, ValueError)


def test_every_bad_variable_is_named_at_once_and_secrets_are_not_shown(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XUNPAN_AIRFLOW_PORT", "99999")
    monkeypatch.setenv("XUNPAN_MAX_CELLS", "many")
    monkeypatch.setenv("XUNPAN_ALERT_WEBHOOK_URL", "hooks.example.cn/robot?token=SECRET")
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    assert str(raised.value).splitlines() == [
        "invalid setting(s):",
        "  XUNPAN_MAX_CELLS='many': expected a whole number of at least 1",
        "  XUNPAN_AIRFLOW_PORT='99999': expected a port number from 1 to 65535",
        "  XUNPAN_ALERT_WEBHOOK_URL=(hidden): expected an absolute URL such as https://host/path",
    ]
    assert "SECRET" not in str(raised.value)


def test_settings_are_read_only_and_home_overrides_the_environment(clean_env: None, tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path / "elsewhere")
    assert settings.home == (tmp_path / "elsewhere").resolve()
    with pytest.raises(Exception, match="frozen"):
        settings.serving_keep = 1  # type: ignore[misc]


def test_no_module_reads_an_xunpan_variable_itself() -> None:
    """The acceptance grep of issue 13: outside config.py, no os.environ/getenv line names XUNPAN_."""
    found = subprocess.run(
        ["grep", "-rnE", r"os\.environ|getenv", "src", "dags"], cwd=REPO, capture_output=True, text=True
    ).stdout.splitlines()
    offenders = [line for line in found if "XUNPAN_" in line and not line.startswith("src/xunpan/config.py:")]
    assert offenders == []
