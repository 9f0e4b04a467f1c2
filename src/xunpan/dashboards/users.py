"""Superset logins per company and role: `xunpan users add` and `xunpan users list`.

The roles themselves are code (superset/roles.yaml) and are created at setup; adding a user for a
company also creates that company's role, row-level security filter and serving database if the
company has not been published yet. A new user's password is generated here, handed to Superset
through the environment of the setup process, printed once by the command and stored nowhere.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

import click

from xunpan.config import Settings
from xunpan.dashboards.server import roles_file, run_bootstrap
from xunpan.errors import XunpanError

ROLES = ("owner", "company_analyst", "provider_analyst", "admin")
COMPANY_ROLES = ("owner", "company_analyst")
_COMPANY_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_DEFAULT_SUFFIX = {"owner": "owner", "company_analyst": "analyst"}


@dataclass(frozen=True)
class NewUser:
    username: str
    role: str
    company: str | None
    password: str  # shown once to whoever created the user; never logged or stored


def default_username(role: str, company: str | None) -> str:
    if role in _DEFAULT_SUFFIX and company:
        return f"{company}-{_DEFAULT_SUFFIX[role]}"
    if role == "provider_analyst":
        return "provider-analyst"
    raise XunpanError(f"role {role!r}: give --username")


def _check_role(role: str, company: str | None) -> None:
    if role not in ROLES:
        raise XunpanError(f"--role {role!r}: expected one of {', '.join(ROLES)}")
    if role in COMPANY_ROLES and not company:
        raise XunpanError(f"--role {role} belongs to one company: give --company")
    if role not in COMPANY_ROLES and company:
        raise XunpanError(f"--role {role} sees every company: leave out --company")
    if company is not None and not _COMPANY_ID.match(company):
        raise XunpanError(
            f"--company {company!r}: expected a company id of lower-case letters, digits, '-' or '_' "
            "(at most 63 characters), as used in the data's company_id"
        )


def _check_username(username: str) -> None:
    if not _USERNAME.match(username):
        raise XunpanError(
            f"--username {username!r}: expected letters, digits, '.', '_', '@' or '-' (at most 64)"
        )


def add_users(
    settings: Settings, specs: list[tuple[str, str | None, str | None]], reset: bool = False
) -> list[NewUser]:
    """Create Superset users from (role, company, username or None), each with a generated password.

    One Superset process for the whole list (starting Superset's app costs seconds); all users
    are created or none. An existing user is refused, or with `reset` gets a new password and
    exactly the role (and company) asked for. Superset must have been set up.
    """
    users = []
    for role, company, username in specs:
        _check_role(role, company)
        name = username or default_username(role, company)
        _check_username(name)
        users.append(NewUser(username=name, role=role, company=company, password=secrets.token_urlsafe(18)))
    names = [u.username for u in users]
    if len(set(names)) != len(names):
        raise XunpanError(f"user names must be distinct: {names}")
    payload = json.dumps(
        [
            {
                "role": u.role,
                "username": u.username,
                "company": u.company,
                "password": u.password,
                "reset": reset,
            }
            for u in users
        ]
    )
    run_bootstrap(
        settings,
        ["add-users", str(roles_file(settings))],
        {"XUNPAN_NEW_USERS": payload},
        what="users add " + ", ".join(names),
    )
    return users


def add_user(
    settings: Settings,
    role: str,
    company: str | None = None,
    username: str | None = None,
    reset: bool = False,
) -> NewUser:
    """Create one Superset user with a generated password (see add_users)."""
    return add_users(settings, [(role, company, username)], reset=reset)[0]


def published_companies(settings: Settings) -> list[str]:
    """Companies with a published serving file of their own (serving/companies/<company>/)."""
    folder = settings.serving_dir / "companies"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and (p / "current.duckdb").exists())


def demo_logins(settings: Settings) -> list[NewUser]:
    """The demo's logins: an owner per published company and the provider analyst.

    Each call gives them new passwords (for `make demo` to print once); they are stored nowhere.
    """
    specs: list[tuple[str, str | None, str | None]] = [
        ("owner", c, None) for c in published_companies(settings)
    ]
    return add_users(settings, [*specs, ("provider_analyst", None, None)], reset=True)


def list_users(settings: Settings) -> list[dict]:
    """Every Superset user: username, roles, companies, active."""
    output = run_bootstrap(settings, ["list-users", str(roles_file(settings))], what="users list")
    return [
        json.loads(line[len("XUNPAN_USER ") :])
        for line in output.splitlines()
        if line.startswith("XUNPAN_USER ")
    ]


@click.group("users")
def users_command() -> None:
    """Superset logins: one per person, with a role and (for owners and analysts) a company."""


@users_command.command("add")
@click.option(
    "--role", type=click.Choice(ROLES), required=True, help="What the user may do (superset/roles.yaml)."
)
@click.option(
    "--company", default=None, help="The company whose data the user sees (owner, company_analyst)."
)
@click.option(
    "--username", default=None, help="Login name (default: <company>-owner, <company>-analyst, ...)."
)
@click.option(
    "--reset-password",
    is_flag=True,
    help="If the user exists: a new password, and exactly this role and company.",
)
def users_add(role: str, company: str | None, username: str | None, reset_password: bool) -> None:
    """Create a Superset user; the generated password is printed once and stored nowhere."""
    user = add_user(Settings.from_env(), role, company, username, reset=reset_password)
    click.echo(
        f"created Superset user {user.username} ({user.role}{', company ' + user.company if user.company else ''})"
    )
    click.echo(f"password (shown once, not stored; hand it over and ask for a change): {user.password}")


@users_command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def users_list(as_json: bool) -> None:
    """List the Superset users with their roles and companies."""
    users = list_users(Settings.from_env())
    if as_json:
        click.echo(json.dumps(users, ensure_ascii=False, indent=2))
        return
    for user in users:
        companies = ", ".join(user["companies"]) or "all companies"
        state = "" if user["active"] else " (inactive)"
        click.echo(f"{user['username']:<24} {', '.join(user['roles']):<40} {companies}{state}")
