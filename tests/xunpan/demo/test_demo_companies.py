"""`xunpan demo generate --companies acme,beta`: two businesses, each in its own inbox folder and company_id."""

from __future__ import annotations

import duckdb
from click.testing import CliRunner

from xunpan.config import Settings
from xunpan.demo.cli import demo_command
from xunpan.demo.generator import SMALL_END_DATE, SMALL_MONTHS, SMALL_SEED, simulate, simulate_companies
from xunpan.demo.profile import SMALL
from xunpan.landing import ingest_inbox
from xunpan.landing_manifest import read_manifest


def test_two_companies_land_in_their_own_company_id_with_fx_once(settings: Settings) -> None:
    result = CliRunner().invoke(demo_command, ["generate", "--small", "--companies", "acme,beta"])
    assert result.exit_code == 0, result.output
    assert "for 2 companies" in result.output and "acme:" in result.output and "beta:" in result.output
    acme, beta = settings.inbox / "acme", settings.inbox / "beta"
    assert (acme / "fx_rates.csv").exists() and not (beta / "fx_rates.csv").exists()
    assert not [p for p in settings.inbox.iterdir() if p.is_file()], "nothing for the default company"

    report = ingest_inbox(settings)
    assert not report.quarantined
    by_company: dict[str, set[str]] = {}
    for entry in read_manifest(settings):
        by_company.setdefault(str(entry["company_id"]), set()).add(str(entry["file"]))
    assert set(by_company) == {"acme", "beta"}
    # The demo's contracts and cost cards are the same bytes for both; each company still loads them.
    assert {e["status"] for e in read_manifest(settings)} == {"loaded"}
    assert by_company["acme"] - {"fx_rates.csv"} == by_company["beta"], "the same exports for both"

    raw = settings.raw
    inquiries = dict(
        duckdb.sql(
            f"select company_id, count(distinct inquiry_id) from read_parquet('{raw}/inquiries/*.parquet') group by 1"
        ).fetchall()
    )
    worlds = simulate_companies(["acme", "beta"], SMALL_MONTHS, SMALL_SEED, SMALL_END_DATE, SMALL)
    expected = {
        w.company: len({i.inquiry_id for i in w.inquiries if i.received_at <= w.cutoff}) for w in worlds
    }
    assert inquiries == expected
    fx = duckdb.sql(
        f"select count(*), count(distinct company_id) from read_parquet('{raw}/fx_rates/*.parquet')"
    ).fetchall()[0]
    assert fx[0] == len(worlds[0].fx) and fx[1] == 1


def test_each_company_has_its_own_seed_and_size() -> None:
    acme, beta = simulate_companies(["acme", "beta"], 12, 7, SMALL_END_DATE, SMALL)
    assert acme.profile == SMALL, "the first company is the profile itself"
    assert beta.profile.inquiries_per_month == SMALL.inquiries_per_month * 0.55
    # The first company with seed 7 is exactly what `--company acme --seed 7` writes.
    alone = simulate(12, 7, SMALL_END_DATE, "acme", SMALL)
    assert [i.inquiry_id for i in acme.inquiries] == [i.inquiry_id for i in alone.inquiries]
    assert len(beta.inquiries) < len(acme.inquiries)
    assert acme.brand != beta.brand or acme.inquiries != beta.inquiries


def test_company_ids_are_checked(settings: Settings) -> None:
    for bad in ("../x", "acme,acme", "acme,Beta"):
        result = CliRunner().invoke(demo_command, ["generate", "--small", "--companies", bad])
        assert result.exit_code == 2, (bad, result.output)
    result = CliRunner().invoke(
        demo_command, ["generate", "--small", "--companies", "acme", "--company", "x"]
    )
    assert result.exit_code == 2 and "leave out --company and --out" in result.output
    assert not any(settings.inbox.iterdir())
