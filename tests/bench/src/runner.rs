//! The runner: every figure measured for omni and its peers in the same
//! run, each client in its own process against one load server, rounds
//! interleaved so that noise on a shared machine hits everyone alike.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value as Json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Values of one figure by client, one per round.
type Runs = BTreeMap<&'static str, Vec<f64>>;

/// Options of `omni-bench run`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Small counts, one round (about three minutes).
    #[arg(long)]
    quick: bool,
    /// Tiny counts: checks that the harness works, measures nothing.
    #[arg(long, conflicts_with = "quick")]
    smoke: bool,
    /// Where results.json goes (the workspace's `target/bench`).
    #[arg(long)]
    out: PathBuf,
    /// Criterion's output directory, to summarise the codec benchmarks.
    #[arg(long)]
    criterion: Option<PathBuf>,
    /// The built npm package (`npm/dist`): adds the browser figures.
    #[arg(long)]
    npm_dist: Option<PathBuf>,
}

struct Sizes {
    rounds: usize,
    small: u64,
    large: u64,
    binary: u64,
    acks: usize,
    idle: Vec<usize>,
    storm: usize,
}

const OMNI: &str = "omni";
const NODE: &str = "socket.io-client";
const RSIO: &str = "rust_socketio";
const RAW: &str = "tokio-tungstenite";
/// tokio-tungstenite plus serde_json into the typed struct: the floor of a
/// typed client's receive work; for acks, the same Socket.IO round trip
/// with the answer parsed into values.
const FLOOR: &str = "typed floor";
const ECHO: &str = "raw ws echo";
/// A bare browser WebSocket in the same page: Chromium's delivery limit.
const BROWSER_RAW: &str = "raw browser WebSocket";

/// One row of the table.
struct Figure {
    name: String,
    unit: &'static str,
    higher_is_better: bool,
    omni: Option<f64>,
    peers: BTreeMap<&'static str, Option<f64>>,
    notes: Vec<String>,
}

impl Figure {
    fn new(name: impl Into<String>, unit: &'static str, higher_is_better: bool) -> Self {
        Self {
            name: name.into(),
            unit,
            higher_is_better,
            omni: None,
            peers: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    fn ratios(&self) -> BTreeMap<&'static str, Option<f64>> {
        self.peers
            .iter()
            .map(|(k, v)| (*k, self.omni.zip(*v).map(|(o, p)| o / p)))
            .collect()
    }

    fn to_json(&self) -> Json {
        json!({
            "name": self.name,
            "unit": self.unit,
            "better": if self.higher_is_better { "higher" } else { "lower" },
            "omni": self.omni,
            "peers": self.peers,
            "ratios": self.ratios(),
            "ratio_is": "omni / peer",
            "notes": self.notes,
        })
    }
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

/// Starts the load server (`wss://` with its certificate written to
/// `tls_cert`, if given); returns it and its port.
async fn start_server(port: u16, tls_cert: Option<&Path>) -> Result<(Child, u16), BoxError> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args(["server", "--port", &port.to_string()]);
    if let Some(cert) = tls_cert {
        cmd.arg("--tls-cert").arg(cert);
    }
    let mut child = cmd.stdout(Stdio::piped()).kill_on_drop(true).spawn()?;
    let stdout = child.stdout.take().ok_or("server stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await??
        .ok_or("server exited")?;
    let port = line
        .strip_prefix("listening ")
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(|| format!("server said {line:?}"))?;
    Ok((child, port))
}

/// Runs one client process and parses its JSON line.
/// `ca`: the certificate a Rust client trusts for an `https://` URL.
async fn measure(
    peer: &str,
    url: &str,
    args: &[String],
    limit: Duration,
    ca: Option<&Path>,
) -> Result<Json, String> {
    let mut cmd = if peer == NODE {
        let mut c = Command::new("node");
        c.arg("--expose-gc")
            .arg(crate::node_dir().join("client.mjs"));
        c.arg(&args[0]).arg(url).args(&args[1..]);
        c
    } else {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut c = Command::new(exe);
        let kind = match peer {
            OMNI => "omni",
            RSIO => "rsio",
            FLOOR => "floor",
            _ => "raw",
        };
        c.args(["client", kind, &args[0], "--url", url]);
        if let Some(ca) = ca {
            c.arg("--ca").arg(ca);
        }
        // The Node script takes positional arguments, the Rust client flags.
        match args[0].as_str() {
            "recv" => c.args(["--payload", &args[1], "--count", &args[2]]),
            _ => c.args(["--n", &args[1]]),
        };
        // One connection: a one-thread runtime is every Rust client's best
        // case (no wake-ups across threads); many connections: all threads.
        if matches!(args[0].as_str(), "recv" | "ack") {
            c.args(["--runtime", "current"]);
        }
        c
    };
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = cmd.spawn().map_err(|e| e.to_string())?;
    let out = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_| format!("{peer}: no result within {limit:?}"))?
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).map_err(|_| {
        let err = String::from_utf8_lossy(&out.stderr);
        let err = err.lines().last().unwrap_or("no output");
        format!("{peer}: {err}")
    })
}

fn field(j: &Json, key: &str) -> Option<f64> {
    j.get(key).and_then(Json::as_f64)
}

pub async fn run(o: Options) -> Result<(), BoxError> {
    let sizes = if o.smoke {
        Sizes {
            rounds: 1,
            small: 2_000,
            large: 300,
            binary: 20,
            acks: 50,
            idle: vec![20],
            storm: 20,
        }
    } else if o.quick {
        Sizes {
            rounds: 1,
            small: 100_000,
            large: 20_000,
            binary: 1_000,
            acks: 2_000,
            idle: vec![1_000],
            storm: 1_000,
        }
    } else {
        Sizes {
            rounds: 3,
            small: 300_000,
            large: 50_000,
            binary: 3_000,
            acks: 5_000,
            idle: vec![1_000, 10_000],
            // Issue 22's size: 10,000 clients back in their rooms.
            storm: 10_000,
        }
    };
    let mode = if o.smoke {
        "smoke"
    } else if o.quick {
        "quick"
    } else {
        "full"
    };
    let (server, port) = start_server(0, None).await?;
    let url = format!("http://127.0.0.1:{port}");
    let limit = Duration::from_secs(if o.smoke { 60 } else { 180 });
    let mut figures = Vec::new();

    // 1. Receive throughput.
    for (payload, count, what) in [
        ("small", sizes.small, "100 B JSON event"),
        ("large", sizes.large, "4 KB JSON event"),
        ("binary", sizes.binary, "event + 64 KiB binary"),
    ] {
        let f = receive_figure(
            format!("receive {what}"),
            &[OMNI, NODE, RSIO, RAW, FLOOR],
            (payload, count, sizes.rounds),
            &url,
            None,
            limit,
        )
        .await;
        eprintln!("{}", row(&f));
        figures.push(f);
    }

    // 2. Emit-with-ack round trips.
    let (p50, p99) = ack_figures(
        "",
        &[OMNI, NODE, RSIO, FLOOR, ECHO],
        &sizes,
        &url,
        None,
        limit,
    )
    .await;
    eprintln!("{}\n{}", row(&p50), row(&p99));
    figures.push(p50);
    figures.push(p99);

    // 2b. The same over TLS, as production runs: omni and the
    // tokio-tungstenite clients, all with rustls (ring), against the load
    // server's wss:// twin and its self-signed certificate.
    std::fs::create_dir_all(&o.out)?;
    let cert = o.out.join("bench-cert.der");
    let (tls_server, tls_port) = start_server(0, Some(&cert)).await?;
    let tls_url = format!("https://127.0.0.1:{tls_port}");
    for (payload, count, what) in [
        ("small", sizes.small, "100 B JSON event"),
        ("large", sizes.large, "4 KB JSON event"),
    ] {
        let f = receive_figure(
            format!("receive {what}, wss://"),
            &[OMNI, RAW, FLOOR],
            (payload, count, sizes.rounds),
            &tls_url,
            Some(&cert),
            limit,
        )
        .await;
        eprintln!("{}", row(&f));
        figures.push(f);
    }
    let (p50, p99) = ack_figures(
        ", wss://",
        &[OMNI, FLOOR, ECHO],
        &sizes,
        &tls_url,
        Some(&cert),
        limit,
    )
    .await;
    eprintln!("{}\n{}", row(&p50), row(&p99));
    figures.push(p50);
    figures.push(p99);
    drop(tls_server);

    // 3. Memory per idle connection (one process per client and size).
    for &n in &sizes.idle {
        let mut f = Figure::new(
            format!("memory per idle connection, {n} conns"),
            "KiB",
            false,
        );
        let mut runs: Runs = BTreeMap::new();
        for peer in [OMNI, NODE, RSIO] {
            let args = ["idle".to_owned(), n.to_string()];
            match measure(peer, &url, &args, Duration::from_secs(600), None).await {
                Ok(j) => {
                    if field(&j, "n") != Some(n as f64) {
                        f.notes
                            .push(format!("{peer}: only {:?} connected", field(&j, "n")));
                    }
                    if let Some(v) = field(&j, "bytes_per_conn") {
                        runs.entry(peer).or_default().push(v / 1024.0);
                    }
                    if let Some(s) = field(&j, "connect_secs") {
                        f.notes.push(format!("{peer} connected {n} in {s:.1} s"));
                    }
                }
                Err(e) => f.notes.push(e),
            }
        }
        fill(&mut f, runs, &[NODE, RSIO]);
        eprintln!("{}", row(&f));
        figures.push(f);
    }
    // 4. Reconnect storm.
    let mut f = Figure::new(
        format!("reconnect storm, {} clients in rooms", sizes.storm),
        "s",
        false,
    );
    match storm(sizes.storm).await {
        Ok(j) => {
            f.omni = field(&j, "secs");
            f.notes.push(format!(
                "lost {} of {}",
                field(&j, "lost").unwrap_or(f64::NAN),
                sizes.storm
            ));
        }
        Err(e) => f.notes.push(e.to_string()),
    }
    eprintln!("{}", row(&f));
    figures.push(f);

    // 5. Browser: the three clients in one Chromium page, with no DevTools
    // client attached while they receive (browser.mjs). Shorter streams in
    // more rounds than the native figures: each client's rate moves by a
    // tenth from one stream to the next here, and the median of thirteen
    // holds still better than that of three.
    if let Some(dist) = &o.npm_dist {
        let count = (sizes.small * 2 / 15).to_string();
        let rounds = sizes.rounds * 4 + 1;
        let receive = [count, rounds.to_string()];
        figures.extend(browser_figures("browser.mjs", &url, dist, &receive).await);
        // Time to connect: page loads, each a few seconds on the phone
        // profile; one per client in the smoke run.
        let loads = if o.smoke {
            1
        } else {
            (sizes.rounds * 2 + 1).max(5)
        };
        figures.extend(browser_figures("connect-time.mjs", &url, dist, &[loads.to_string()]).await);
    }
    drop(server);

    // 6. Codec microbenchmarks (criterion, run by the script).
    if let Some(dir) = &o.criterion {
        figures.extend(codec_figures(dir));
    }

    let machine = machine();
    let results = json!({
        "mode": mode,
        "machine": machine,
        "sizes": {
            "rounds": sizes.rounds, "small_events": sizes.small, "large_events": sizes.large,
            "binary_events": sizes.binary, "acks": sizes.acks, "idle": sizes.idle,
            "storm": sizes.storm,
        },
        "figures": figures.iter().map(Figure::to_json).collect::<Vec<_>>(),
    });
    std::fs::create_dir_all(&o.out)?;
    let path = o.out.join("results.json");
    std::fs::write(&path, serde_json::to_string_pretty(&results)?)?;
    println!("{}", table(&figures));
    println!(
        "machine: {}",
        machine["summary"].as_str().unwrap_or_default()
    );
    println!("results: {}", path.display());
    if o.smoke {
        // The smoke run checks the harness: every client of every figure
        // must have produced a value.
        let missing: Vec<String> = figures
            .iter()
            .filter(|f| f.omni.is_none() || f.peers.values().any(Option::is_none))
            .map(|f| format!("{} ({})", f.name, f.notes.join("; ")))
            .collect();
        if !missing.is_empty() {
            return Err(format!("smoke: figures without values: {}", missing.join(", ")).into());
        }
    }
    Ok(())
}

/// Receive throughput of `clients` (the first is omni), `rounds` rounds
/// of `count` events of `payload`, each round in a rotated order.
async fn receive_figure(
    name: String,
    clients: &[&'static str],
    (payload, count, rounds): (&str, u64, usize),
    url: &str,
    ca: Option<&Path>,
    limit: Duration,
) -> Figure {
    let mut f = Figure::new(name, "events/s", true);
    let mut runs: Runs = BTreeMap::new();
    for round in 0..rounds {
        let mut order = clients.to_vec();
        order.rotate_left(round % clients.len());
        for peer in order {
            let args = ["recv".to_owned(), payload.to_owned(), count.to_string()];
            match measure(peer, url, &args, limit, ca).await {
                Ok(j) => {
                    let lost = field(&j, "lost").unwrap_or(0.0);
                    if lost > 0.0 {
                        f.notes.push(format!("{peer} lost {lost} of {count}"));
                    } else if let Some(v) = field(&j, "events_per_sec") {
                        runs.entry(peer).or_default().push(v);
                    }
                }
                Err(e) => f.notes.push(e),
            }
        }
    }
    fill(&mut f, runs, &clients[1..]);
    f
}

/// Ack round-trip p50 and p99 of `clients` (the first is omni), their
/// names ending in `suffix`.
async fn ack_figures(
    suffix: &str,
    clients: &[&'static str],
    sizes: &Sizes,
    url: &str,
    ca: Option<&Path>,
    limit: Duration,
) -> (Figure, Figure) {
    let mut p50 = Figure::new(format!("ack round trip p50{suffix}"), "µs", false);
    let mut p99 = Figure::new(format!("ack round trip p99{suffix}"), "µs", false);
    let mut r50: Runs = BTreeMap::new();
    let mut r99: Runs = BTreeMap::new();
    for round in 0..sizes.rounds {
        let mut order = clients.to_vec();
        order.rotate_left(round % clients.len());
        for peer in order {
            let args = ["ack".to_owned(), sizes.acks.to_string()];
            let client = if peer == ECHO { RAW } else { peer };
            match measure(client, url, &args, limit, ca).await {
                Ok(j) => {
                    if let Some(v) = field(&j, "p50_us") {
                        r50.entry(peer).or_default().push(v);
                    }
                    if let Some(v) = field(&j, "p99_us") {
                        r99.entry(peer).or_default().push(v);
                    }
                }
                Err(e) => p50.notes.push(e),
            }
        }
    }
    fill(&mut p50, r50, &clients[1..]);
    fill(&mut p99, r99, &clients[1..]);
    (p50, p99)
}

fn fill(f: &mut Figure, mut runs: Runs, peers: &[&'static str]) {
    f.omni = median(runs.remove(OMNI).unwrap_or_default());
    for &p in peers {
        f.peers
            .insert(p, median(runs.remove(p).unwrap_or_default()));
    }
}

async fn storm(n: usize) -> Result<Json, BoxError> {
    let (mut server, port) = start_server(0, None).await?;
    let url = format!("http://127.0.0.1:{port}");
    let mut client = Command::new(std::env::current_exe()?)
        .args([
            "client",
            "omni",
            "storm",
            "--url",
            &url,
            "--n",
            &n.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut stdin = client.stdin.take().ok_or("stdin")?;
    let mut lines = BufReader::new(client.stdout.take().ok_or("stdout")?).lines();
    let ready = tokio::time::timeout(Duration::from_secs(300), lines.next_line()).await??;
    if ready.as_deref() != Some("ready") {
        return Err(format!("storm client said {ready:?}").into());
    }
    // Restart: kill the server, tell the client, start it again on the
    // same port.
    server.kill().await?;
    stdin.write_all(b"go\n").await?;
    stdin.flush().await?;
    let (_server, _) = start_server(port, None).await?;
    let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
        .await??
        .ok_or("storm client exited")?;
    let _ = client.wait().await;
    Ok(serde_json::from_str(&line)?)
}

/// Mean time of each criterion benchmark of the codec.
fn codec_figures(dir: &std::path::Path) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut found = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "new") {
                    found.push(p);
                } else if p.file_name().is_some_and(|n| n != "report" && n != "base") {
                    stack.push(p);
                }
            }
        }
    }
    found.sort();
    for p in found {
        let Ok(bench) = std::fs::read_to_string(p.join("benchmark.json")) else {
            continue;
        };
        let Ok(est) = std::fs::read_to_string(p.join("estimates.json")) else {
            continue;
        };
        let (Ok(bench), Ok(est)) = (
            serde_json::from_str::<Json>(&bench),
            serde_json::from_str::<Json>(&est),
        ) else {
            continue;
        };
        let id = bench["full_id"].as_str().unwrap_or("?");
        let mut f = Figure::new(format!("codec {id}"), "ns", false);
        f.omni = est["mean"]["point_estimate"].as_f64();
        out.push(f);
    }
    out
}

fn machine() -> Json {
    let sh = |c: &str| {
        std::process::Command::new("sh")
            .args(["-c", c])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let nproc = sh("nproc");
    let cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'");
    let mem = sh("free -h | awk '/^Mem:/ {print $2}'");
    let node = sh("node --version");
    let kernel = sh("uname -r");
    json!({
        "nproc": nproc, "cpu": cpu, "mem_total": mem, "node": node, "kernel": kernel,
        "free_h": sh("free -h"),
        "summary": format!("{nproc} CPUs ({cpu}), {mem} RAM, Linux {kernel}, Node {node}"),
    })
}

fn fmt(v: Option<f64>) -> String {
    match v {
        None => "—".to_owned(),
        Some(v) if v >= 100_000.0 => format!("{:.0}k", v / 1000.0),
        Some(v) if v >= 1000.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

fn row(f: &Figure) -> String {
    let peer = |k: &str| fmt(f.peers.get(k).copied().flatten());
    let ratios = f
        .ratios()
        .iter()
        .filter_map(|(k, r)| r.map(|r| format!("{r:.2}× {k}")))
        .collect::<Vec<_>>()
        .join(", ");
    let notes = if f.notes.is_empty() {
        String::new()
    } else {
        f.notes.join("; ")
    };
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        f.name,
        f.unit,
        fmt(f.omni),
        peer(NODE),
        peer(RSIO),
        peer(FLOOR),
        [ECHO, BROWSER_RAW, RAW]
            .into_iter()
            .find(|k| f.peers.contains_key(k))
            .map_or_else(|| peer(RAW), peer),
        ratios,
        notes
    )
}

fn table(figures: &[Figure]) -> String {
    let mut s = String::from(
        "| figure | unit | omni | socket.io-client | rust_socketio | typed floor (tungstenite + serde_json) | raw (tungstenite / ws echo / browser WebSocket) | omni ÷ peer | notes |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for f in figures {
        s.push_str(&row(f));
        s.push('\n');
    }
    s
}

/// Runs one of the browser scripts (`node SCRIPT LOAD_URL DIST ARGS...`)
/// and reads its figures: a JSON array of `{name, better, omni,
/// socket.io-client, raw?, note?}` on its last line.
async fn browser_figures(script: &str, url: &str, dist: &Path, args: &[String]) -> Vec<Figure> {
    let mut cmd = Command::new("node");
    cmd.arg(crate::node_dir().join(script))
        .arg(url)
        .arg(dist)
        .args(args)
        .stdout(Stdio::piped())
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(300), cmd.output()).await;
    let text = match out {
        Ok(Ok(o)) => String::from_utf8_lossy(&o.stdout).into_owned(),
        _ => String::new(),
    };
    let Ok(j) = serde_json::from_str::<Json>(text.lines().last().unwrap_or_default()) else {
        let mut f = Figure::new("browser", "events/s", true);
        f.notes.push(format!("{script} gave no result"));
        return vec![f];
    };
    let mut figures = Vec::new();
    for b in j.as_array().into_iter().flatten() {
        let name = b["name"].as_str().unwrap_or("browser").to_owned();
        let higher = b["better"].as_str() == Some("higher");
        let unit = if higher {
            "events/s"
        } else if name.contains("time to connect") {
            "ms"
        } else {
            "KB gz"
        };
        let mut f = Figure::new(name, unit, higher);
        f.omni = b["omni"].as_f64();
        f.peers.insert(NODE, b["socket.io-client"].as_f64());
        if let Some(raw) = b.get("raw") {
            f.peers.insert(BROWSER_RAW, raw.as_f64());
        }
        if let Some(n) = b["note"].as_str() {
            f.notes.push(n.to_owned());
        }
        f.notes.push(format!("package {}", dist.display()));
        eprintln!("{}", row(&f));
        figures.push(f);
    }
    figures
}
