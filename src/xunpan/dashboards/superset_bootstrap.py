"""Set up Superset's metadata in one process: run *inside the Superset environment*.

`xunpan.dashboards.setup_superset` runs this file with the Superset venv's Python (the xunpan
package is not installed there, so this module imports nothing from it). Starting Superset's
app costs about 15 s here, so the four setup steps share one app instead of four CLI calls:

1. `superset db upgrade`   -> flask_migrate.upgrade()
2. `superset init`         -> appbuilder.add_permissions + security_manager.sync_role_definitions
3. the admin user          -> created, or its password reset to the generated one
4. the assets bundle       -> ImportAssetsCommand (the command behind POST /api/v1/assets/import/,
                              meant for assets kept under source control: it overwrites everything)
5. roles and companies     -> superset/roles.yaml: the function roles, and per company a role, a
                              row-level security filter on every dataset and its own serving database

Usage:
  python superset_bootstrap.py setup BUNDLE.zip ROLES.yaml   (or just BUNDLE.zip: the repository's roles)
  python superset_bootstrap.py add-users ROLES.yaml
  python superset_bootstrap.py list-users ROLES.yaml
  python superset_bootstrap.py sync-reports ROLES.yaml   (the schedules of XUNPAN_REPORTS, JSON)
The admin user name and password come from XUNPAN_SUPERSET_ADMIN_USER / _PASSWORD in the
environment, the new users from XUNPAN_NEW_USERS, a JSON list of {"role", "username", "company",
"password"} (never from argv, which other users can read in the process list); no password is printed. Companies named in XUNPAN_COMPANIES
(comma-separated) get their role even before their data is published.
"""

from __future__ import annotations

import json
import os
import re
import sys
import zipfile
from pathlib import Path

import yaml

COMPANY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# The same "extra" as superset/assets/databases: superset_config.py enforces it in any case.
_COMPANY_DB_EXTRA = {
    "allows_virtual_table_explore": False,
    "engine_params": {
        "connect_args": {
            "read_only": True,
            "config": {"enable_external_access": False, "lock_configuration": True},
        }
    },
    "metadata_params": {},
    "schemas_allowed_for_file_upload": [],
}


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


# --- roles, companies, row-level security ----------------------------------------------------


class RolesFile:
    """superset/roles.yaml, read and checked."""

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.path = path
        self.company_prefix = data["company_role_prefix"]
        self.database_prefix = data["company_database_prefix"]
        self.shared = set(data.get("shared_datasets") or [])
        self.roles: dict[str, dict] = data["roles"]

    def permissions(self, key: str, seen: tuple[str, ...] = ()) -> list[str]:
        if key in seen:
            raise SystemExit(f"{self.path}: role {key!r} includes itself")
        role = self.roles[key]
        names: list[str] = []
        for included in role.get("includes") or []:
            names += self.permissions(included, (*seen, key))
        return names + list(role.get("permissions") or [])

    def role_key(self, name: str) -> str:
        if name not in self.roles:
            raise SystemExit(f"unknown role {name!r}; expected one of {sorted(self.roles)}")
        return name


# What the launcher hands this process. It runs in Superset's environment, where xunpan is not
# installed, so it cannot read its settings through xunpan.config.Settings: the one exception to
# "XUNPAN_* variables are read only by Settings". The launcher builds them from Settings
# (xunpan.dashboards.server.superset_env and run_bootstrap; docker/superset-init.sh in the
# compose stack), and every read of them is here.
LAUNCH_INPUTS = (
    "XUNPAN_HOME",  # Settings.home
    "XUNPAN_COMPANIES",  # Settings.companies, comma-separated
    "XUNPAN_REPORTS",  # xunpan.dashboards.reports.bootstrap_spec (JSON)
    "XUNPAN_SUPERSET_ADMIN_USER",  # generated secrets (secrets.env)
    "XUNPAN_SUPERSET_ADMIN_PASSWORD",
    "XUNPAN_NEW_USERS",  # xunpan.dashboards.users (JSON)
)


def _launch_input(name: str, default: str = "") -> str:
    assert name in LAUNCH_INPUTS, name
    return os.environ.get(name) or default


def _serving_dir() -> Path:
    home = _launch_input("XUNPAN_HOME")
    if not home:
        raise SystemExit("XUNPAN_HOME is not set; start this through xunpan (xunpan serve start)")
    return Path(home).resolve() / "serving"


def _known_companies(extra: list[str]) -> list[str]:
    """Companies with a published company file, plus those named explicitly."""
    folder = _serving_dir() / "companies"
    found = {p.name for p in folder.iterdir() if p.is_dir()} if folder.is_dir() else set()
    found |= {c.strip() for c in _launch_input("XUNPAN_COMPANIES").split(",") if c.strip()}
    found |= set(extra)
    bad = sorted(c for c in found if not COMPANY_ID.match(c))
    if bad:
        raise SystemExit(f"company id(s) {bad}: expected lower-case letters, digits, '-' or '_'")
    return sorted(found)


def _main_database():
    """The all-company serving database imported from superset/assets."""
    from superset.models.core import Database

    from superset import db

    wanted = f"duckdb:///{_serving_dir() / 'current.duckdb'}"
    matches = [d for d in db.session.query(Database).all() if d.sqlalchemy_uri_decrypted == wanted]
    if len(matches) != 1:
        raise SystemExit(
            f"expected exactly one Superset database at {wanted}, found {len(matches)}; run setup"
        )
    return matches[0]


def _permission(name: str):
    from superset import security_manager

    permission, _, view = name.partition("|")
    pvm = security_manager.find_permission_view_menu(permission, view)
    if pvm is None:
        raise SystemExit(f"roles.yaml: Superset 6.1 has no permission {permission!r} on {view!r}")
    return pvm


def _set_role(name: str, permissions: list) -> object:
    from superset import security_manager

    role = security_manager.find_role(name) or security_manager.add_role(name)
    unique = {id(p): p for p in permissions}
    role.permissions = list(unique.values())
    return role


def _company_database(roles_file: RolesFile, company: str):
    from superset.models.core import Database

    from superset import db

    name = f"{roles_file.database_prefix}{company}"
    uri = f"duckdb:///{_serving_dir() / 'companies' / company / 'current.duckdb'}"
    database = db.session.query(Database).filter_by(database_name=name).one_or_none()
    if database is None:
        database = Database(database_name=name)
        db.session.add(database)
    database.set_sqlalchemy_uri(uri)
    database.expose_in_sqllab = True
    database.allow_run_async = False
    database.allow_dml = False
    database.allow_ctas = False
    database.allow_cvas = False
    database.allow_file_upload = False
    database.impersonate_user = False
    database.extra = json.dumps(_COMPANY_DB_EXTRA)
    db.session.flush()
    return database


def sync_roles(roles_file: RolesFile, extra_companies: list[str]) -> list[str]:
    """Create or update the function roles, then per company its role, RLS filter and database."""
    from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable

    from superset import db, security_manager

    for key, role in roles_file.roles.items():
        if role.get("builtin"):
            if security_manager.find_role(role["superset_role"]) is None:
                raise SystemExit(f"the built-in role {role['superset_role']!r} is missing")
        else:
            _set_role(role["superset_role"], [_permission(p) for p in roles_file.permissions(key)])

    main = _main_database()
    datasets = db.session.query(SqlaTable).filter_by(database_id=main.id).order_by(SqlaTable.table_name).all()
    filtered = []
    for dataset in datasets:
        columns = {c.column_name for c in dataset.columns}
        if "company_id" in columns:
            filtered.append(dataset)
        elif dataset.table_name not in roles_file.shared:
            raise SystemExit(
                f"dataset {dataset.table_name!r} has no company_id column and is not listed under "
                f"shared_datasets in {roles_file.path}: it would show every company's rows to everyone"
            )
    companies = _known_companies(extra_companies)
    for company in companies:
        database = _company_database(roles_file, company)
        grants = [security_manager.add_permission_view_menu("database_access", database.perm)]
        grants += [
            security_manager.add_permission_view_menu("datasource_access", d.get_perm()) for d in datasets
        ]
        role = _set_role(f"{roles_file.company_prefix}{company}", grants)
        name = f"xunpan company {company}"
        rls = db.session.query(RowLevelSecurityFilter).filter_by(name=name).one_or_none()
        if rls is None:
            rls = RowLevelSecurityFilter(name=name)
            db.session.add(rls)
        rls.description = (
            f"{company}: only rows of company_id {company!r} (set by xunpan from superset/roles.yaml)"
        )
        rls.filter_type = "Regular"
        rls.clause = f"company_id = '{company}'"
        rls.group_key = None
        rls.roles = [role]
        rls.tables = list(filtered)
    db.session.commit()
    _say(
        f"roles synchronised from {roles_file.path.name}: {len(roles_file.roles)} function roles, "
        f"companies {companies or 'none yet'}, row-level security on {len(filtered)} of {len(datasets)} datasets"
    )
    return companies


def add_users(roles_file: RolesFile, users: list[dict]) -> None:
    """Create every user of the list (all or none: checked first, committed once)."""
    from superset import db, security_manager

    for user in users:
        role = roles_file.roles[roles_file.role_key(user["role"])]
        if not USERNAME.match(user["username"]):
            raise SystemExit(
                f"user name {user['username']!r}: expected letters, digits, '.', '_', '@' or '-'"
            )
        if role.get("company") == "required" and not user.get("company"):
            raise SystemExit(f"role {user['role']!r} needs --company")
        if role.get("company") == "none" and user.get("company"):
            raise SystemExit(f"role {user['role']!r} sees every company; do not give --company")
        if security_manager.find_user(username=user["username"]) is not None and not user.get("reset"):
            raise SystemExit(f"the Superset user {user['username']!r} exists already (--reset-password)")
        if len(user.get("password") or "") < 12:
            raise SystemExit(f"no generated password for {user['username']!r}")
    sync_roles(roles_file, sorted({u["company"] for u in users if u.get("company")}))
    for user in users:
        existing = security_manager.find_user(username=user["username"])
        if existing is not None:
            _reset_user(roles_file, existing, user["role"], user.get("company"), user["password"])
        else:
            _add_user(roles_file, user["role"], user["username"], user.get("company"), user["password"])
    db.session.commit()


def _roles_for(roles_file: RolesFile, role_key: str, company: str | None) -> list:
    from superset import security_manager

    roles = [security_manager.find_role(roles_file.roles[role_key]["superset_role"])]
    if company:
        roles.append(security_manager.find_role(f"{roles_file.company_prefix}{company}"))
    return roles


def _reset_user(roles_file: RolesFile, user, role_key: str, company: str | None, password: str) -> None:
    """An existing user gets a new password and exactly the roles asked for."""
    from superset import security_manager

    security_manager.reset_password(user.id, password)
    user = security_manager.find_user(username=user.username)
    user.roles = _roles_for(roles_file, role_key, company)
    user.active = True
    _say(f"reset the password and roles of the Superset user {user.username!r}")


def _add_user(
    roles_file: RolesFile, role_key: str, username: str, company: str | None, password: str
) -> None:
    from superset import security_manager

    role = roles_file.roles[role_key]
    roles = _roles_for(roles_file, role_key, company)
    created = security_manager.add_user(
        username=username,
        first_name=username,
        last_name=company or "xunpan",
        email=f"{username}@xunpan.invalid",
        role=roles,
        password=password,
        commit=False,
    )
    if not created:
        raise SystemExit(f"could not create the Superset user {username!r}")
    _say(
        f"created the Superset user {username!r} ({role['superset_role']}{', ' + company if company else ''})"
    )


def list_users(roles_file: RolesFile) -> None:
    """One JSON object per user on stdout: username, function role(s), company, active."""
    from superset import security_manager

    for user in sorted(security_manager.get_all_users(), key=lambda u: u.username):
        names = sorted(r.name for r in user.roles)
        companies = [
            n[len(roles_file.company_prefix) :] for n in names if n.startswith(roles_file.company_prefix)
        ]
        print(
            "XUNPAN_USER "
            + json.dumps(
                {
                    "username": user.username,
                    "roles": [n for n in names if not n.startswith(roles_file.company_prefix)],
                    "companies": companies,
                    "active": bool(user.active),
                },
                ensure_ascii=False,
            ),
            flush=True,
        )


# --- scheduled reports (superset/reports.yaml) ---------------------------------------------


def _report_user(roles_file: RolesFile, company: str):
    """The user a company's reports run as: the owner role plus the company's role (RLS applies).

    Nobody logs in as it: its password is random, never stored or shown.
    """
    import secrets as _random

    from superset import security_manager

    username = f"xunpan-report-{company}"
    roles = _roles_for(roles_file, "owner", company)
    user = security_manager.find_user(username=username)
    if user is None:
        user = security_manager.add_user(
            username=username,
            first_name="询盘周报 report",
            last_name=company,
            email=f"{username}@xunpan.invalid",
            role=roles,
            password=_random.token_urlsafe(32),
            commit=False,
        )
        if not user:
            raise SystemExit(f"could not create the Superset user {username!r}")
    user.roles = roles
    user.active = True
    return user


def sync_reports(roles_file: RolesFile, spec: dict, companies: list[str]) -> None:
    """Create or update one report schedule per report of the spec and company (idempotent).

    `spec` is what xunpan.dashboards.reports hands over: {"reports": [...], "recipients":
    {company: [address, ...]}}. A company without an address gets its schedule, inactive.
    """
    from superset.models.dashboard import Dashboard
    from superset.reports.models import (
        ReportCreationMethod,
        ReportRecipients,
        ReportRecipientType,
        ReportSchedule,
        ReportScheduleType,
    )

    from superset import db

    recipients = spec.get("recipients") or {}
    for report in spec.get("reports") or []:
        dashboard = db.session.query(Dashboard).filter_by(slug=report["dashboard"]).one_or_none()
        if dashboard is None:
            _say(f"report {report['key']!r}: no dashboard with slug {report['dashboard']!r}; not scheduled")
            continue
        for company in companies:
            name = f"{report['name']} · {company}"
            schedule = (
                db.session.query(ReportSchedule)
                .filter_by(name=name, type=ReportScheduleType.REPORT)
                .one_or_none()
            )
            if schedule is None:
                schedule = ReportSchedule(name=name, type=ReportScheduleType.REPORT)
                db.session.add(schedule)
            addresses = recipients.get(company) or []
            schedule.description = report.get("description")
            schedule.email_subject = name
            schedule.dashboard = dashboard
            schedule.chart = None
            schedule.crontab = report["crontab"]
            schedule.timezone = report["timezone"]
            schedule.report_format = report["format"]
            schedule.creation_method = ReportCreationMethod.ALERTS_REPORTS
            schedule.working_timeout = int(report["working_timeout"])
            schedule.custom_width = report.get("width")
            schedule.force_screenshot = True
            schedule.owners = [_report_user(roles_file, company)]
            schedule.recipients = (
                [
                    ReportRecipients(
                        type=ReportRecipientType.EMAIL,
                        recipient_config_json=json.dumps({"target": ",".join(addresses)}),
                    )
                ]
                if addresses
                else []
            )
            schedule.active = bool(addresses)
            _say(
                f"report {name!r}: {report['crontab']} {report['timezone']}, dashboard {report['dashboard']!r}, "
                f"{len(addresses)} recipient(s), {'active' if addresses else 'inactive (no address)'}"
            )
    db.session.commit()


def _reports_spec() -> dict | None:
    raw = _launch_input("XUNPAN_REPORTS")
    return json.loads(raw) if raw else None


def _setup(app, bundle: Path, roles_file: RolesFile) -> int:
    username = _launch_input("XUNPAN_SUPERSET_ADMIN_USER", "admin")
    password = _launch_input("XUNPAN_SUPERSET_ADMIN_PASSWORD")
    if len(password) < 8:
        print("XUNPAN_SUPERSET_ADMIN_PASSWORD is not set", file=sys.stderr)
        return 2
    from flask_migrate import upgrade

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
    companies = sync_roles(roles_file, [])
    spec = _reports_spec()
    if spec is not None:
        sync_reports(roles_file, spec, companies)
    return 0


# The repository's roles file, for callers that pass only the bundle (docker/superset-init.sh).
DEFAULT_ROLES = Path(__file__).resolve().parents[3] / "superset" / "roles.yaml"


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[1].endswith(".zip"):
        argv = [argv[0], "setup", argv[1], str(DEFAULT_ROLES)]
    command = argv[1] if len(argv) > 1 else ""
    shapes = {"setup": 4, "add-users": 3, "list-users": 3, "sync-reports": 3}
    if shapes.get(command) != len(argv):
        print(__doc__, file=sys.stderr)
        return 2

    from superset.app import create_app

    app = create_app()
    with app.app_context():
        if command == "setup":
            return _setup(app, Path(argv[2]), RolesFile(Path(argv[3])))
        roles_file = RolesFile(Path(argv[2]))
        if command == "list-users":
            list_users(roles_file)
            return 0
        if command == "sync-reports":
            sync_reports(roles_file, _reports_spec() or {}, sync_roles(roles_file, []))
            return 0
        users = json.loads(_launch_input("XUNPAN_NEW_USERS", "[]"))
        if not users:
            print("XUNPAN_NEW_USERS is not set", file=sys.stderr)
            return 2
        add_users(roles_file, users)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
