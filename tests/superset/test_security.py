"""Who sees what in Superset, and what no login can do: probes against the real server.

Two companies are published (company_data.py: acme = serving_data's figures, beta = a smaller,
known subset) and users are created with `xunpan.dashboards.users.add_users`, as
`xunpan users add` does. Each test is a probe of issue 9's acceptance list; the module puts
serving_data's single-company file back at the end for the other test modules.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from company_data import BETA_INQUIRIES, publish_two_companies, totals
from serving_data import EXPECTED, publish

from xunpan.dashboards.api import SupersetClient
from xunpan.dashboards.browser import browser_check
from xunpan.dashboards.users import NewUser, add_user, add_users, demo_logins, list_users
from xunpan.errors import XunpanError

pytestmark = [pytest.mark.slow]

COUNT = {
    "expressionType": "SIMPLE",
    "aggregate": "COUNT",
    "column": {"column_name": "company_id"},
    "label": "n",
}


@dataclass
class Companies:
    serving: Path  # the published all-company file
    users: dict[str, NewUser]


@pytest.fixture(scope="module")
def companies(superset_stack):
    settings = superset_stack.settings
    serving = publish_two_companies(settings.serving_dir, "serving-2c")
    users = add_users(
        settings,
        [
            ("owner", "acme", None),
            ("owner", "beta", None),
            ("company_analyst", "acme", None),
            ("company_analyst", "beta", None),
            ("provider_analyst", None, None),
        ],
    )
    try:
        yield Companies(serving, {u.username: u for u in users})
    finally:
        publish(settings.serving_dir, "serving-v1")


def _login(stack, companies: Companies, username: str) -> SupersetClient:
    return stack.login(username, companies.users[username].password)


def _datasets(admin: SupersetClient) -> dict[str, int]:
    return {d["table_name"]: d["id"] for d in admin.list_all("dataset", ("id", "table_name"))}


def _company_filter(company: str) -> dict:
    return {"col": "company_id", "op": "==", "val": company}


def _data(client: SupersetClient, body: dict) -> list[dict]:
    result = client.post("/api/v1/chart/data", body)["result"][0]
    assert not result.get("error"), result
    return result["data"]


def _sorted(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)


# --- users and roles --------------------------------------------------------------------------


def test_users_are_listed_with_their_role_and_company(superset_stack, companies):
    users = {u["username"]: u for u in list_users(superset_stack.settings)}
    assert users["acme-owner"]["roles"] == ["xunpan_owner"] and users["acme-owner"]["companies"] == ["acme"]
    assert users["beta-analyst"]["roles"] == ["xunpan_analyst"] and users["beta-analyst"]["companies"] == [
        "beta"
    ]
    assert users["provider-analyst"]["roles"] == ["xunpan_provider_analyst"]
    assert users["provider-analyst"]["companies"] == []
    assert users[superset_stack.username]["roles"] == ["Admin"]
    # Passwords are generated, distinct, and never written to the setup log.
    passwords = {u.password for u in companies.users.values()}
    assert len(passwords) == len(companies.users) and all(len(p) >= 24 for p in passwords)
    log = (superset_stack.settings.logs / "superset-setup.log").read_text(encoding="utf-8")
    assert "created the Superset user 'acme-owner'" in log
    assert not any(p in log for p in passwords)


def test_users_add_refuses_bad_input(superset_stack, companies):
    with pytest.raises(XunpanError, match="give --company"):
        add_user(superset_stack.settings, "owner")
    with pytest.raises(XunpanError, match="leave out --company"):
        add_user(superset_stack.settings, "provider_analyst", "acme")
    with pytest.raises(XunpanError, match=r"--company '\.\./x'"):
        add_user(superset_stack.settings, "owner", "../x")
    with pytest.raises(XunpanError, match="exists already"):
        add_user(superset_stack.settings, "owner", "acme")


def test_users_add_command_prints_the_password_once(superset_stack, companies):
    settings = superset_stack.settings
    env = {**os.environ, "XUNPAN_HOME": str(settings.home)}
    xunpan = [str(Path(sys.executable).with_name("xunpan"))]
    added = subprocess.run(
        [*xunpan, "users", "add", "--company", "acme", "--role", "owner", "--username", "acme-boss"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (password,) = re.findall(r"password \(shown once, not stored[^)]*\): (\S+)", added.stdout)
    assert superset_stack.login("acme-boss", password).get("/api/v1/me/")["result"]["username"] == "acme-boss"
    assert password not in (settings.logs / "superset-setup.log").read_text(encoding="utf-8")
    assert password not in settings.secrets_file.read_text(encoding="utf-8")
    listed = subprocess.run([*xunpan, "users", "list"], env=env, capture_output=True, text=True, check=True)
    line = next(line for line in listed.stdout.splitlines() if line.startswith("acme-boss "))
    assert "xunpan_owner" in line and line.rstrip().endswith("acme")
    assert password not in listed.stdout


def test_reset_password_replaces_the_password(superset_stack, companies):
    old = companies.users["beta-analyst"]
    new = add_user(superset_stack.settings, "company_analyst", "beta", reset=True)
    companies.users["beta-analyst"] = new
    assert new.username == "beta-analyst" and new.password != old.password
    assert (
        superset_stack.login("beta-analyst", new.password).get("/api/v1/me/")["result"]["username"]
        == "beta-analyst"
    )
    with pytest.raises(XunpanError, match="HTTP 401"):
        superset_stack.login("beta-analyst", old.password)


# --- owners: their company's rows only, no SQL Lab, no dataset editor ---------------------------


@pytest.mark.parametrize("company", ["acme", "beta"])
def test_owner_sees_only_own_company_on_every_dataset(superset_stack, companies, company):
    admin = superset_stack.client()
    owner = _login(superset_stack, companies, f"{company}-owner")
    datasets = _datasets(admin)
    assert len(datasets) >= 7
    for table, dataset_id in sorted(datasets.items()):
        if table in {"dim_channels", "dim_products", "dim_dates"}:
            continue  # shared dimensions: no company_id (superset/roles.yaml, shared_datasets)
        mine = _data(owner, admin.dataset_query(dataset_id, ["company_id"], [COUNT]))
        expected = _data(
            admin, admin.dataset_query(dataset_id, ["company_id"], [COUNT], [_company_filter(company)])
        )
        assert mine == expected, table
        assert {row["company_id"] for row in mine} <= {company}, table
        everyone = _data(admin, admin.dataset_query(dataset_id, ["company_id"], [COUNT]))
        assert {row["company_id"] for row in everyone} == {"acme", "beta"}, table
    # The totals against the serving tables themselves, and against the figures known by hand.
    (total,) = _data(owner, admin.dataset_query(datasets["fct_inquiries"], [], [COUNT]))
    (direct,) = totals(companies.serving, "select count(*) from fct_inquiries {where}", company)
    assert total["n"] == direct[0] == (EXPECTED["inquiries_total"] if company == "acme" else 5)
    (spend,) = owner.post(
        "/api/v1/chart/data",
        admin.dataset_query(datasets["mart_channel_cost_per_inquiry"], [], ["spend_total_cny"]),
    )["result"][0]["data"]
    (direct_spend,) = totals(
        companies.serving, "select sum(spend_total_cny) from mart_channel_cost_per_inquiry {where}", company
    )
    assert spend["spend_total_cny"] == pytest.approx(float(direct_spend[0]))
    assert spend["spend_total_cny"] == pytest.approx(16300.00 if company == "acme" else 4000.00)


def _chart_query(params: dict) -> tuple[list, list]:
    """The metrics and columns a chart asks for, as a chart-data query for its totals."""
    metrics = []
    for key in ("metrics", "metric", "percent_metrics", "metric_2", "size", "x", "y"):
        value = params.get(key)
        metrics += value if isinstance(value, list) else ([value] if value else [])
    columns = [] if metrics else list(params.get("all_columns") or [])
    return metrics, columns


@pytest.mark.parametrize("company", ["acme", "beta"])
def test_every_chart_of_every_dashboard_returns_only_own_company(superset_stack, companies, company):
    admin = superset_stack.client()
    owner = _login(superset_stack, companies, f"{company}-owner")
    dashboards = owner.list_all("dashboard", ("id", "dashboard_title"))
    assert len(dashboards) == len(admin.list_all("dashboard", ("id",))) >= 4
    checked = 0
    for dashboard in dashboards:
        charts = owner.get(f"/api/v1/dashboard/{dashboard['id']}/charts")["result"]
        assert charts, dashboard
        owner.get(f"/api/v1/dashboard/{dashboard['id']}/datasets")  # the dashboard loads its datasets
        for chart in charts:
            params = chart["form_data"]
            dataset_id = int(str(params["datasource"]).split("__")[0])
            metrics, columns = _chart_query(params)
            if not metrics and not columns:
                continue
            body = admin.dataset_query(dataset_id, columns, metrics, row_limit=1000)
            mine = _data(owner, body)
            body["queries"][0]["filters"] = [_company_filter(company)]
            assert _sorted(mine) == _sorted(_data(admin, body)), (
                dashboard["dashboard_title"],
                chart["slice_name"],
            )
            checked += 1
    assert checked >= 30


def test_owner_custom_sql_cannot_reach_another_company(superset_stack, companies):
    admin = superset_stack.client()
    owner = _login(superset_stack, companies, "acme-owner")
    dataset_id = _datasets(admin)["fct_inquiries"]
    # Subqueries in custom SQL are refused (ALLOW_ADHOC_SUBQUERY stays off), DuckDB's FROM-first form too.
    for expression in (
        "(SELECT COUNT(*) FROM fct_inquiries)",
        "(FROM fct_inquiries SELECT COUNT(*))",
        "COUNT(*) + (SELECT COUNT(*) FROM main.fct_inquiries WHERE company_id = 'beta')",
    ):
        metric = {"expressionType": "SQL", "sqlExpression": expression, "label": "m"}
        status, _, payload = owner.raw(
            "POST", "/api/v1/chart/data", admin.dataset_query(dataset_id, [], [metric])
        )
        assert status == 400 and b"sub-queries" in payload, (expression, status, payload[:300])
    # An OR in a custom WHERE stays inside its parentheses, AND-ed with the company filter.
    body = admin.dataset_query(dataset_id, ["company_id"], [COUNT])
    body["queries"][0]["extras"] = {"where": "1 = 1 OR company_id = 'beta'"}
    assert _data(owner, body) == [{"company_id": "acme", "n": EXPECTED["inquiries_total"]}]
    beta_only = {
        "expressionType": "SQL",
        "sqlExpression": "COUNT(*) FILTER (WHERE company_id = 'beta')",
        "label": "m",
    }
    assert _data(owner, admin.dataset_query(dataset_id, [], [beta_only])) == [{"m": 0}]


@pytest.mark.browser
def test_owner_dashboards_render_in_the_browser(superset_stack, companies):
    """The owner's few permissions are enough for the UI: every chart renders with data."""
    owner = companies.users["acme-owner"]
    report = browser_check(
        superset_stack.url, owner.username, owner.password, superset_stack.artifacts / "owner-acme"
    )
    print(report.summary())
    assert report.ok, report.summary()
    assert len(report.dashboards) >= 4
    assert all(chart.rendered and chart.has_data for chart in report.charts)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_holds_only_own_company(superset_stack, companies, fmt):
    admin = superset_stack.client()
    owner = _login(superset_stack, companies, "beta-owner")
    dataset_id = _datasets(admin)["fct_inquiries"]
    status, _, payload = owner.raw(
        "POST",
        "/api/v1/chart/data",
        admin.dataset_query(dataset_id, ["company_id", "inquiry_id"], result_format=fmt),
    )
    assert status == 200, payload[:500]
    # Columns come in the order asked for (company_id first); the header carries their labels.
    if fmt == "csv":
        header, *values = list(csv.reader(io.StringIO(payload.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(payload), read_only=True).active
        header, *values = list(sheet.iter_rows(values_only=True))
    print(fmt, header, len(values))
    companies_seen = [row[0] for row in values]
    assert companies_seen == ["beta"] * BETA_INQUIRIES["inquiries_total"]


def test_owner_has_no_sql_lab_and_no_dataset_or_database_editor(superset_stack, companies):
    admin = superset_stack.client()
    owner = _login(superset_stack, companies, "acme-owner")
    datasets = _datasets(admin)
    main_db = next(
        d["id"] for d in admin.list_all("database", ("id", "database_name")) if "DuckDB" in d["database_name"]
    )
    probes = [
        ("POST", "/api/v1/sqllab/execute/", {"database_id": main_db, "sql": "select 1", "schema": "main"}),
        ("GET", "/api/v1/sqllab/", None),
        ("GET", "/api/v1/dataset/", None),
        ("GET", f"/api/v1/dataset/{datasets['fct_inquiries']}", None),
        ("PUT", f"/api/v1/dataset/{datasets['fct_inquiries']}", {"sql": "select * from fct_inquiries"}),
        ("POST", "/api/v1/dataset/", {"database": main_db, "table_name": "fct_inquiries", "schema": "main"}),
        ("GET", "/api/v1/database/", None),
        (
            "POST",
            "/api/v1/chart/",
            {"slice_name": "x", "viz_type": "table", "datasource_id": 1, "datasource_type": "table"},
        ),
        ("GET", "/api/v1/rowlevelsecurity/", None),
        ("GET", "/api/v1/security/users/", None),
    ]
    for method, path, body in probes:
        status, _, payload = owner.raw(method, path, body)
        assert status in (401, 403, 404, 405), (method, path, status, payload[:300])
    menu = json.dumps(owner.get("/api/v1/menu/"))
    assert "SQL" not in menu and "Datasets" not in menu and "Databases" not in menu


# --- analysts ---------------------------------------------------------------------------------


def test_company_analyst_sql_lab_runs_on_own_company_database_only(superset_stack, companies):
    analyst = _login(superset_stack, companies, "acme-analyst")
    databases = {d["database_name"]: d["id"] for d in analyst.list_all("database", ("id", "database_name"))}
    assert "xunpan_serving_acme" in databases and "xunpan_serving_beta" not in databases
    answer = analyst.execute_sql(
        databases["xunpan_serving_acme"], "select distinct company_id from fct_inquiries"
    )
    assert answer["data"] == [{"company_id": "acme"}]
    answer = analyst.execute_sql(databases["xunpan_serving_acme"], "select count(*) as n from fct_inquiries")
    assert answer["data"] == [{"n": EXPECTED["inquiries_total"]}]
    # The all-company database is listed (its datasets feed the dashboards) but SQL Lab refuses it.
    admin_dbs = {
        d["database_name"]: d["id"]
        for d in superset_stack.client().list_all("database", ("id", "database_name"))
    }
    main_db = next(i for name, i in admin_dbs.items() if "DuckDB" in name)
    with pytest.raises(XunpanError, match="all-company serving database is not open"):
        analyst.execute_sql(main_db, "select distinct company_id from fct_inquiries")
    with pytest.raises(XunpanError, match=r"HTTP (403|500)"):
        analyst.execute_sql(admin_dbs["xunpan_serving_beta"], "select distinct company_id from fct_inquiries")
    # Nothing to save: an analyst cannot create charts or datasets.
    status, _, _ = analyst.raw(
        "POST",
        "/api/v1/dataset/",
        {"database": databases["xunpan_serving_acme"], "table_name": "fct_inquiries"},
    )
    assert status in (401, 403)


def test_provider_analyst_sees_every_company(superset_stack, companies):
    provider = _login(superset_stack, companies, "provider-analyst")
    admin = superset_stack.client()
    dataset_id = _datasets(admin)["fct_inquiries"]
    rows = _data(provider, admin.dataset_query(dataset_id, ["company_id"], [COUNT]))
    assert {r["company_id"]: r["n"] for r in rows} == {"acme": 20, "beta": 5}
    databases = {d["database_name"]: d["id"] for d in provider.list_all("database", ("id", "database_name"))}
    main_db = next(i for name, i in databases.items() if "DuckDB" in name)
    answer = provider.execute_sql(main_db, "select distinct company_id from fct_inquiries order by 1")
    assert answer["data"] == [{"company_id": "acme"}, {"company_id": "beta"}]


# --- admin: no database but the serving files, no file access through SQL ----------------------


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_admin_cannot_add_or_change_a_database(superset_stack, companies):
    admin = superset_stack.client()
    serving = superset_stack.settings.serving_dir
    before = admin.list_all("database", ("id", "database_name"))
    main_db = next(d["id"] for d in before if "DuckDB" in d["database_name"])
    uris = [
        "duckdb:///:memory:",
        f"duckdb:///{serving}/serving-v1.duckdb",
        f"duckdb:///{superset_stack.settings.home}/other.duckdb",
        f"duckdb:///{serving}/current.duckdb?access_mode=read_write",
        f"duckdb:///{serving}/../serving/current.duckdb",
        f"sqlite:///{superset_stack.settings.home}/x.db",
    ]
    for uri in uris:
        status, _, payload = admin.raw(
            "POST", "/api/v1/database/", {"database_name": "probe", "sqlalchemy_uri": uri}
        )
        assert status == 403, (uri, status, payload[:300])
        status, _, payload = admin.raw(
            "POST", "/api/v1/database/test_connection/", {"database_name": "probe", "sqlalchemy_uri": uri}
        )
        assert status in (400, 422, 500), (uri, status, payload[:300])
        message = json.dumps(json.loads(payload), ensure_ascii=False)
        assert re.search("refused database|SQLite", message), (uri, message[:300])
    # Even the exact serving URI cannot become a second database.
    status, _, _ = admin.raw(
        "POST",
        "/api/v1/database/",
        {"database_name": "second", "sqlalchemy_uri": f"duckdb:///{serving}/current.duckdb"},
    )
    assert status == 403
    status, _, _ = admin.raw("PUT", f"/api/v1/database/{main_db}", {"sqlalchemy_uri": "duckdb:///:memory:"})
    assert status == 403
    status, _, _ = admin.raw("POST", "/api/v1/assets/import/", {})
    assert status == 403
    assert admin.list_all("database", ("id", "database_name")) == before
    assert not (superset_stack.settings.home / "other.duckdb").exists()
    assert not (superset_stack.settings.home / "x.db").exists()


def test_admin_sql_cannot_read_or_write_files(superset_stack, companies):
    admin = superset_stack.client()
    settings = superset_stack.settings
    serving = settings.serving_dir
    current = serving / "current.duckdb"
    real = current.resolve()
    databases = admin.list_all("database", ("id", "database_name"))
    before = _files(settings.home)
    secrets_file = settings.secrets_file
    probes = [
        ("select * from read_text('/proc/self/environ')", "disabled by configuration"),
        (f"select * from read_text('{secrets_file}')", "disabled by configuration"),
        ("select * from read_csv('/etc/passwd')", "disabled by configuration"),
        ("select * from '/etc/passwd'", "disabled by configuration|does not exist"),
        (f"attach '{settings.home}/attached.duckdb' as other", "disabled by configuration"),
        ("attach ':memory:' as mem", "read-only|disabled by configuration"),
        ("install httpfs", "disabled by configuration"),
        ("load httpfs", "disabled"),
        ("set enable_external_access = true", "configuration has been locked"),
        ("set threads = 64", "configuration has been locked"),
        ("set disabled_filesystems = ''", "configuration has been locked"),
        (f"copy (select 1) to '{real}.wal'", "disabled by configuration"),
        (f"copy (select 1) to '{current}.wal'", "disabled by configuration"),
        (f"copy (select 1) to '{serving}/.tmp/probe.csv'", "disabled by configuration"),
        (f"copy (select 1) to '{settings.superset_home}/duckdb_tmp/probe.csv'", "disabled by configuration"),
        (f"copy (select 1) to '{settings.home}/probe.parquet' (format parquet)", "disabled by configuration"),
    ]
    outcomes = []
    for database in databases:
        for sql, message in probes:
            try:
                admin.execute_sql(database["id"], sql)
            except XunpanError as exc:
                outcomes.append((database["database_name"], sql, "refused"))
                assert re.search(message, str(exc)), (database["database_name"], sql, str(exc)[:400])
            else:
                pytest.fail(f"{database['database_name']}: {sql!r} was not refused")
    print("\n".join(" | ".join(o) for o in outcomes))
    # Superset's own metadata, cache and logs may change; no other file may appear.
    new = _files(settings.home) - before
    assert not [p for p in new if not p.startswith(("logs/", "superset/cache/", "superset/superset.db"))], new
    assert not list(serving.rglob("*.wal")) and not (serving / ".tmp").exists()


def test_sql_lab_timeout_is_enforced(superset_stack, companies):
    admin = superset_stack.client()
    main_db = next(
        d["id"] for d in admin.list_all("database", ("id", "database_name")) if "DuckDB" in d["database_name"]
    )
    with pytest.raises(XunpanError, match=f"stopped after {superset_stack.query_timeout} s"):
        admin.execute_sql(main_db, "select sum(x) from range(1000000000000) t(x)")
    # The server is fine afterwards.
    assert admin.execute_sql(main_db, "select 1 as one")["data"] == [{"one": 1}]


# --- the network ------------------------------------------------------------------------------


def test_superset_listens_on_loopback_only(superset_stack):
    port = urllib.parse.urlparse(superset_stack.url).port
    lines = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout.splitlines()
    local = [line.split()[3] for line in lines if line.split()[3].rsplit(":", 1)[-1] == str(port)]
    assert local, lines
    assert all(address.rsplit(":", 1)[0] in ("127.0.0.1", "[::1]") for address in local), local


def test_demo_logins_are_an_owner_per_published_company_and_the_provider(superset_stack, companies):
    logins = demo_logins(superset_stack.settings)
    assert [(u.username, u.role, u.company) for u in logins] == [
        ("acme-owner", "owner", "acme"),
        ("beta-owner", "owner", "beta"),
        ("provider-analyst", "provider_analyst", None),
    ]
    for user in logins:
        assert user.password != companies.users[user.username].password
        assert superset_stack.login(user.username, user.password).get("/api/v1/me/")["result"]["username"]
        companies.users[user.username] = user
