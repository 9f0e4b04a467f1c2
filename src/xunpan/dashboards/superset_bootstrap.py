"""Set up Superset's metadata in one process: run *inside the Superset environment*.

`xunpan.dashboards.setup_superset` runs this file with the Superset venv's Python (the xunpan
package is not installed there, so this module imports nothing from it). Starting Superset's
app costs about 15 s here, so the four setup steps share one app instead of four CLI calls:

1. `superset db upgrade`   -> flask_migrate.upgrade()
2. `superset init`         -> appbuilder.add_permissions + security_manager.sync_role_definitions
3. the admin user          -> created, or its password reset to the generated one
4. the assets bundle       -> ImportAssetsCommand (the command behind POST /api/v1/assets/import/,
                              meant for assets kept under source control: it overwrites everything)

Usage: python superset_bootstrap.py BUNDLE.zip
The admin user name and password come from XUNPAN_SUPERSET_ADMIN_USER / _PASSWORD in the
environment (never from argv, which other users can read in the process list); they are not printed.
"""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path


def _say(message: str) -> None:
    # Superset replaces the logging configuration when its app starts; plain output survives it.
    print(f"xunpan: {message}", flush=True)


def _read_bundle(path: Path) -> dict[str, str]:
    contents: dict[str, str] = {}
    with zipfile.ZipFile(path) as bundle:
        for name in bundle.namelist():
            if name.endswith((".yaml", ".yml")):
                # Paths inside the bundle are relative to its root folder, as Superset expects.
                relative = name.split("/", 1)[1] if "/" in name else name
                contents[relative] = bundle.read(name).decode("utf-8")
    return contents


def _ensure_admin(username: str, password: str) -> None:
    from superset import db, security_manager

    admin_role = security_manager.find_role("Admin")
    if admin_role is None:
        raise SystemExit("the Admin role is missing after `superset init`")
    user = security_manager.find_user(username=username)
    if user is None:
        created = security_manager.add_user(
            username=username,
            first_name="xunpan",
            last_name="admin",
            email=f"{username}@xunpan.invalid",
            role=admin_role,
            password=password,
        )
        if not created:
            raise SystemExit(f"could not create the Superset user {username!r}")
        _say(f"created the Superset admin user {username!r}")
        return
    security_manager.reset_password(user.id, password)
    user = security_manager.find_user(username=username)
    user.active = True
    if admin_role not in user.roles:
        user.roles.append(admin_role)
    db.session.commit()
    _say(f"reset the password of the Superset admin user {username!r}")


def _import_assets(bundle: Path, username: str) -> None:
    from flask import g
    from superset.commands.importers.v1.assets import ImportAssetsCommand

    from superset import security_manager

    contents = _read_bundle(bundle)
    g.user = security_manager.find_user(username=username)  # becomes owner of new objects
    ImportAssetsCommand(contents).run()
    kinds = {
        prefix: sum(1 for name in contents if name.startswith(prefix))
        for prefix in ("databases/", "datasets/", "charts/", "dashboards/")
    }
    _say("imported assets: " + ", ".join(f"{n} {k.rstrip('/')}" for k, n in kinds.items()))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    bundle = Path(argv[1])
    username = os.environ.get("XUNPAN_SUPERSET_ADMIN_USER", "admin")
    password = os.environ.get("XUNPAN_SUPERSET_ADMIN_PASSWORD", "")
    if len(password) < 8:
        print("XUNPAN_SUPERSET_ADMIN_PASSWORD is not set", file=sys.stderr)
        return 2

    from flask_migrate import upgrade
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import appbuilder, db, security_manager

        upgrade()
        _say("metadata database upgraded")
        appbuilder.add_permissions(update_perms=True)
        security_manager.sync_role_definitions()
        db.session.commit()
        _say("roles and permissions synchronised")
        _ensure_admin(username, password)
        with app.test_request_context():
            _import_assets(bundle, username)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
