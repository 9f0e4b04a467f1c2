"""Secrets are generated once, private to the owner, and kept across runs."""

from __future__ import annotations

import base64
import stat

from xunpan.secrets import ensure_secrets, read_env_file


def test_secrets_are_generated_once_with_owner_only_permissions(settings) -> None:
    first = ensure_secrets(settings)
    mode = stat.S_IMODE(settings.secrets_file.stat().st_mode)
    assert mode == 0o600
    assert len(first["SUPERSET_SECRET_KEY"]) >= 32
    assert len(base64.urlsafe_b64decode(first["AIRFLOW_FERNET_KEY"])) == 32
    assert first["SUPERSET_ADMIN_PASSWORD"] != first["AIRFLOW_ADMIN_PASSWORD"]
    assert ensure_secrets(settings) == first
    assert read_env_file(settings.secrets_file) == first


def test_a_missing_key_is_added_and_the_others_kept(settings) -> None:
    first = ensure_secrets(settings)
    lines = settings.secrets_file.read_text().splitlines()
    settings.secrets_file.write_text(
        "\n".join(line for line in lines if not line.startswith("POSTGRES_PASSWORD"))
    )
    second = ensure_secrets(settings)
    assert {k: v for k, v in second.items() if k != "POSTGRES_PASSWORD"} == {
        k: v for k, v in first.items() if k != "POSTGRES_PASSWORD"
    }
    assert second["POSTGRES_PASSWORD"] and second["POSTGRES_PASSWORD"] != first["POSTGRES_PASSWORD"]
