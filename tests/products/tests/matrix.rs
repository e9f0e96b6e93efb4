//! `PRODUCTS.md` and the checks that keep it honest: every scenario it
//! names exists and runs over both transports, natively and in the
//! browser, and every event of every product's model
//! (`omni_socket::models`, the seeds' events) is covered.

use std::collections::BTreeSet;
use std::path::PathBuf;

use omni_product_tests::matrix::{render, Area, BROWSER_TESTS, CELLS};
use omni_socket::models::{deployments, doa, fama, marketplace, omni};
use omni_socket::Product;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_named_scenario_exists_and_runs_over_both_transports() {
    for cell in CELLS {
        let Some(test) = cell.test else { continue };
        let (file, name) = test.split_once("::").expect("FILE::NAME");
        let path = crate_dir().join("tests").join(format!("{file}.rs"));
        let source =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            source.contains(&format!("async fn {name}(t: Transport)")),
            "{test}: no scenario `async fn {name}(t: Transport)` in {}",
            path.display()
        );
        let list = source
            .split_once("both_transports!(")
            .and_then(|(_, rest)| rest.split_once(");"))
            .map(|(list, _)| list)
            .unwrap_or_else(|| panic!("{}: no both_transports! list", path.display()));
        let listed: BTreeSet<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        assert!(
            listed.contains(name),
            "{test} is not run over both transports (missing from both_transports!)"
        );
    }
}

/// The browser column: every scenario of the matrix has its twin in
/// `npm/test/products.test.mjs`, which runs each of them over both
/// transports, and that file has no scenario the matrix does not show.
#[test]
fn every_named_scenario_runs_in_the_browser_over_both_transports() {
    let path = crate_dir().join("../..").join(BROWSER_TESTS);
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let defined: BTreeSet<&str> = source
        .split("\nscenario(")
        .skip(1)
        .filter_map(|rest| rest.trim_start().strip_prefix('"')?.split_once('"'))
        .map(|(name, _)| name)
        .collect();
    let named: BTreeSet<&str> = CELLS.iter().filter_map(|c| c.test).collect();
    let missing: Vec<_> = named.difference(&defined).collect();
    assert!(missing.is_empty(), "not in {BROWSER_TESTS}: {missing:?}");
    let extra: Vec<_> = defined.difference(&named).collect();
    assert!(
        extra.is_empty(),
        "{BROWSER_TESTS} runs scenarios no cell names: {extra:?}"
    );
    // Every scenario runs once per transport, named `TRANSPORT::FILE::NAME`.
    let transports = source
        .split_once("const TRANSPORTS = {")
        .and_then(|(_, rest)| rest.split_once("};"))
        .map(|(t, _)| t)
        .unwrap_or_else(|| panic!("{BROWSER_TESTS}: no TRANSPORTS"));
    for t in ["websocket:", "polling:"] {
        assert!(transports.contains(t), "{BROWSER_TESTS}: no {t} transport");
    }
    assert!(
        source.contains("for (const [transport, opts] of Object.entries(TRANSPORTS))")
            && source.contains("for (const [name, { fn, extra }] of Object.entries(SCENARIOS))")
            && source.contains("test(`${transport}::${name}`"),
        "{BROWSER_TESTS}: scenarios are not run once per transport"
    );
}

#[test]
fn every_named_example_test_exists() {
    for (_, test) in omni_product_tests::matrix::EXAMPLES {
        let (file, name) = test.split_once("::").expect("FILE::NAME");
        let path = crate_dir().join("tests").join(format!("{file}.rs"));
        let source =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let test_fn = format!("async fn {name}()");
        let at = source
            .find(&test_fn)
            .unwrap_or_else(|| panic!("{test}: no `{test_fn}` in {}", path.display()));
        assert!(
            source[..at].trim_end().ends_with(']') && source[..at].contains("#[tokio::test"),
            "{test} is not a test"
        );
    }
}

#[test]
fn every_event_of_every_product_is_covered() {
    let models: [(Product, &[&str], &[&str]); 5] = [
        (
            Product::Omni,
            omni::OmniServerEvent::NAMES,
            omni::OmniClientEvent::NAMES,
        ),
        (
            Product::Deployments,
            deployments::DeploymentsServerEvent::NAMES,
            deployments::DeploymentsClientEvent::NAMES,
        ),
        (
            Product::Doa,
            doa::DoaServerEvent::NAMES,
            doa::DoaClientEvent::NAMES,
        ),
        (
            Product::Fama,
            fama::FamaServerEvent::NAMES,
            fama::FamaClientEvent::NAMES,
        ),
        (
            Product::Marketplace,
            marketplace::MarketplaceServerEvent::NAMES,
            marketplace::MarketplaceClientEvent::NAMES,
        ),
    ];
    for (product, server, client) in models {
        let covered: BTreeSet<&str> = CELLS
            .iter()
            .filter(|c| c.product == product && c.test.is_some())
            .flat_map(|c| c.events.iter().copied())
            .collect();
        for name in server.iter().chain(client) {
            assert!(
                covered.contains(name),
                "{}: event `{name}` is in no cell of the matrix",
                product.name()
            );
        }
        // Every product has every area, even if only to say the seed has
        // nothing there.
        for area in [
            Area::Auth,
            Area::Rooms,
            Area::ClientEvents,
            Area::ServerEvents,
            Area::Restart,
        ] {
            assert!(
                CELLS.iter().any(|c| c.product == product && c.area == area),
                "{}: no {} cell",
                product.name(),
                area.title()
            );
        }
    }
}

#[test]
fn products_md_is_current() {
    let path = crate_dir().join("../../PRODUCTS.md");
    let want = render();
    if std::env::var_os("UPDATE_PRODUCTS").is_some() {
        std::fs::write(&path, &want).expect("writing PRODUCTS.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "PRODUCTS.md differs from the matrix: run \
         `UPDATE_PRODUCTS=1 cargo test -p omni-product-tests --test matrix`"
    );
}
