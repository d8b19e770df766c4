//! `fault-proxy`: the proxy as a process, for the bench script and by hand.
//!
//! Prints `http://127.0.0.1:PORT` on its first line of stdout once it listens, then
//! serves until interrupted.

use std::time::Duration;

use clap::Parser;
use holdfast_fault_proxy::{Config, Faults, Proxy};

/// A loopback proxy in front of an AWS API emulator: latency, throttling, server errors
/// and dropped connections at set rates, with request counts at GET /__fault-proxy/counts.
#[derive(Debug, Parser)]
struct Args {
    /// The emulator to forward to (loopback only).
    #[arg(long)]
    upstream: String,
    /// The loopback address to listen on; port 0 takes a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: std::net::SocketAddr,
    /// Added to every request, faulted or not, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests answered with the service's throttling error (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    throttle: f64,
    /// Share of requests answered with HTTP 500 (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    server_error: f64,
    /// Share of requests whose connection is closed without an answer (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    drop: f64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Answer this operation with access denied, every time: `kms:ListAliases`. Repeatable.
    #[arg(long, value_name = "SERVICE:OPERATION")]
    deny: Vec<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let config = Config {
        listen: args.listen,
        upstream: args.upstream,
        latency: Duration::from_millis(args.latency_ms),
        faults: Faults { throttle: args.throttle, server_error: args.server_error, drop: args.drop },
        seed: args.seed,
        deny: args.deny,
    };
    let proxy = match Proxy::start(config).await {
        Ok(proxy) => proxy,
        Err(error) => {
            #[expect(clippy::print_stderr, reason = "the binary's one error message")]
            {
                eprintln!("fault-proxy: {error}");
            }
            return std::process::ExitCode::FAILURE;
        }
    };
    #[expect(clippy::print_stdout, reason = "the address is the binary's output")]
    {
        println!("{}", proxy.url());
    }
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
