//! A proxy on loopback in front of an AWS API emulator, for tests and benchmarks.
//!
//! Every request waits the set latency, as a round trip to AWS would, and then, at the
//! set rates, is answered with a throttling error shaped as its service's protocol
//! shapes it, with a server error, or by closing the connection; otherwise it is
//! forwarded. A fault is decided before forwarding, so a faulted write never reaches the
//! emulator: a retry is then always safe, as it is for AWS's own throttling.
//!
//! Requests are counted by service (from the SigV4 credential scope) and operation;
//! `GET /__fault-proxy/counts` returns the counts and `POST /__fault-proxy/reset` zeroes
//! them. Decisions come from a seeded generator in arrival order, so a run is repeatable
//! when its requests arrive in the same order.

mod faults;
mod protocol;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

use faults::Fault;
pub use faults::Faults;

/// What the proxy does and where it forwards to.
#[derive(Debug, Clone)]
pub struct Config {
    /// A loopback address; port 0 takes a free one.
    pub listen: SocketAddr,
    /// The emulator, as `http://127.0.0.1:PORT`.
    pub upstream: String,
    pub latency: Duration,
    pub faults: Faults,
    pub seed: u64,
    /// Operations answered with the service's access-denied error every time, as
    /// `service:Operation` (`kms:ListAliases`): a permission the caller lacks.
    pub deny: Vec<String>,
}

/// Requests seen, by (service, operation), and the faults injected.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub requests: BTreeMap<(String, String), u64>,
    pub faults: BTreeMap<&'static str, u64>,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.requests.values().sum()
    }

    pub fn to_json(&self) -> String {
        let mut by_service: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
        for ((service, operation), count) in &self.requests {
            by_service.entry(service).or_default().insert(operation, *count);
        }
        serde_json::json!({ "total": self.total(), "requests": by_service, "faults": self.faults }).to_string()
    }
}

struct State {
    upstream: String,
    latency: Duration,
    faults: Faults,
    seed: u64,
    deny: Vec<String>,
    arrivals: AtomicU64,
    counts: Mutex<Counts>,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// A running proxy: its address, and its counts while it runs.
pub struct Proxy {
    address: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Binds and starts serving on the current tokio runtime. Refuses any address that is
    /// not loopback: this proxy injects faults and must never stand in front of AWS.
    pub async fn start(config: Config) -> std::io::Result<Proxy> {
        if !config.listen.ip().is_loopback() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{} is not a loopback address", config.listen)));
        }
        if !is_loopback_url(&config.upstream) {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("the upstream {} is not on loopback", config.upstream)));
        }
        config.faults.check().map_err(|message| std::io::Error::new(std::io::ErrorKind::InvalidInput, message))?;
        let listener = TcpListener::bind(config.listen).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(State {
            upstream: config.upstream.trim_end_matches('/').to_owned(),
            latency: config.latency,
            faults: config.faults,
            seed: config.seed,
            deny: config.deny,
            arrivals: AtomicU64::new(0),
            counts: Mutex::default(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        });
        let serving = Arc::clone(&state);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let state = Arc::clone(&serving);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| handle(Arc::clone(&state), request));
                    // A dropped connection ends here with an error: that is the fault.
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Ok(Proxy { address, state, task })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn counts(&self) -> Counts {
        self.state.counts.lock().expect("the counts lock is never poisoned").clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn is_loopback_url(url: &str) -> bool {
    let host = url.trim_start_matches("http://").split(['/', ':']).next().unwrap_or_default();
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Why a connection is closed without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("connection dropped by the fault proxy")
    }
}

impl std::error::Error for Dropped {}

async fn handle(state: Arc<State>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
    let (parts, body) = request.into_parts();
    if parts.uri.path().starts_with("/__fault-proxy/") {
        return Ok(control(&state, parts.method.as_str(), parts.uri.path()));
    }
    let Ok(body) = body.collect().await.map(http_body_util::Collected::to_bytes) else {
        return Err(Dropped);
    };
    let service = protocol::service(&parts.headers);
    let operation = protocol::operation(&service, &parts, &body);
    if state.deny.iter().any(|denied| denied.split_once(':') == Some((service.as_str(), operation.as_str()))) {
        state.counts.lock().expect("the counts lock is never poisoned").faults.entry("denied").and_modify(|count| *count += 1).or_insert(1);
        return Ok(protocol::access_denied(&service, &parts));
    }
    let arrival = state.arrivals.fetch_add(1, Ordering::Relaxed);
    let fault = state.faults.decide(state.seed, arrival);
    {
        let mut counts = state.counts.lock().expect("the counts lock is never poisoned");
        *counts.requests.entry((service.clone(), operation)).or_default() += 1;
        if let Some(fault) = fault {
            *counts.faults.entry(fault.name()).or_default() += 1;
        }
    }
    tokio::time::sleep(state.latency).await;
    match fault {
        Some(Fault::Drop) => Err(Dropped),
        Some(Fault::Throttle) => Ok(protocol::throttling(&service, &parts)),
        Some(Fault::ServerError) => Ok(protocol::server_error(&service, &parts)),
        None => Ok(forward(&state, parts, body).await),
    }
}

async fn forward(state: &State, mut parts: hyper::http::request::Parts, body: Bytes) -> Response<Full<Bytes>> {
    let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
    let uri = match format!("{}{path}", state.upstream).parse() {
        Ok(uri) => uri,
        Err(error) => return plain(502, &format!("bad upstream uri: {error}")),
    };
    parts.uri = uri;
    let request = Request::from_parts(parts, Full::new(body));
    match state.client.request(request).await {
        Ok(response) => {
            let (parts, body) = response.into_parts();
            match body.collect().await {
                Ok(collected) => Response::from_parts(parts, Full::new(collected.to_bytes())),
                Err(error) => plain(502, &format!("the upstream answer broke off: {error}")),
            }
        }
        Err(error) => plain(502, &format!("the upstream is unreachable: {error}")),
    }
}

fn control(state: &State, method: &str, path: &str) -> Response<Full<Bytes>> {
    match (method, path) {
        ("GET", "/__fault-proxy/counts") => {
            let counts = state.counts.lock().expect("the counts lock is never poisoned").to_json();
            Response::builder().status(200).header("content-type", "application/json").body(Full::new(Bytes::from(counts))).unwrap_or_default()
        }
        ("POST", "/__fault-proxy/reset") => {
            *state.counts.lock().expect("the counts lock is never poisoned") = Counts::default();
            plain(200, "reset")
        }
        _ => plain(404, "GET /__fault-proxy/counts or POST /__fault-proxy/reset"),
    }
}

fn plain(status: u16, text: &str) -> Response<Full<Bytes>> {
    Response::builder().status(status).header("content-type", "text/plain").body(Full::new(Bytes::from(text.to_owned()))).unwrap_or_default()
}
