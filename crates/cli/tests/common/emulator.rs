//! The moto emulator that `scripts/test` starts, seeded with boto3 (not holdfast),
//! one account per test so tests run in parallel without seeing each other.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::process::Command;

use super::{Run, repo_root};

pub struct Emulator {
    pub endpoint: String,
    python: String,
}

/// Credentials for one emulated account, as environment variables.
pub type Credentials = Vec<(String, String)>;

impl Emulator {
    /// Fails (never skips) when the emulator is not there: run the tests with `scripts/test`.
    pub fn from_env() -> Emulator {
        let endpoint = std::env::var("HOLDFAST_TEST_ENDPOINT")
            .expect("HOLDFAST_TEST_ENDPOINT is not set: run the tests with ./scripts/test, which starts the AWS emulator");
        let python = std::env::var("HOLDFAST_TEST_PYTHON").expect("HOLDFAST_TEST_PYTHON is not set: run the tests with ./scripts/test");
        Emulator { endpoint, python }
    }

    /// Runs `scripts/emulator/seed.py WHAT` for an account and returns its credentials.
    pub fn seed(&self, what: &str, account: &str, extra: &[&str]) -> Credentials {
        let script = repo_root().join("scripts/emulator/seed.py");
        let output = Command::new(&self.python)
            .arg(script)
            .args([what, "--endpoint", &self.endpoint, "--account", account])
            .args(extra)
            .output()
            .expect("the seeding script runs");
        assert!(output.status.success(), "seeding {what} failed:\n{}", String::from_utf8_lossy(&output.stderr));
        let credentials: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&output.stdout).expect("the seeding script prints credentials");
        credentials.into_iter().map(|(key, value)| (key, value.as_str().unwrap_or_default().to_owned())).collect()
    }

    /// Runs one of the boto3 scripts in `scripts/emulator/` against an account; returns stdout.
    pub fn script(&self, script: &str, what: &str, account: &str, extra: &[&str]) -> String {
        let output = Command::new(&self.python)
            .arg(repo_root().join("scripts/emulator").join(script))
            .args([what, "--endpoint", &self.endpoint, "--account", account])
            .args(extra)
            .output()
            .expect("the script runs");
        assert!(output.status.success(), "{script} {what} failed:\n{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// What boto3 reads of a z360 copy (see `scripts/emulator/verify.py`).
    pub fn verify_z360(&self, account: &str, extra: &[&str]) -> serde_json::Value {
        let suffix = format!("-{account}");
        let mut args = vec!["--bucket-suffix", suffix.as_str()];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.script("verify.py", "z360", account, &args)).expect("verify.py prints JSON")
    }

    /// Runs holdfast against the emulator with only these credentials: no profile,
    /// config file or instance metadata of the machine can leak in.
    pub fn holdfast(&self, credentials: &Credentials, args: &[&str]) -> Run {
        super::run(self.command(credentials, args))
    }
}

/// A 12-digit account id of the test's own, so parallel tests never share state.
pub fn account_for(test: &str) -> String {
    let mut hasher = DefaultHasher::new();
    test.hash(&mut hasher);
    format!("5{:011}", hasher.finish() % 100_000_000_000)
}

/// A copy of the z360 account seeded into a test's own account, with its desired state.
pub struct Z360Copy {
    pub account: String,
    pub credentials: Credentials,
    /// Holds the desired state, and room for plan files and snapshots.
    pub dir: tempfile::TempDir,
    /// The desired-state folder, as an argument.
    pub desired: String,
}

impl Z360Copy {
    /// Seeds the copy into the account of the test called `test`. Bucket names are global
    /// (in moto as in AWS), so the copy's buckets carry the account id as a suffix.
    pub fn seed(emulator: &Emulator, test: &str, extra: &[&str]) -> Z360Copy {
        let account = account_for(test);
        let suffix = format!("-{account}");
        let mut args = vec!["--bucket-suffix", suffix.as_str()];
        args.extend_from_slice(extra);
        let credentials = emulator.seed("z360", &account, &args);
        let dir = z360_desired_for(&account);
        let desired = dir.path().display().to_string();
        Z360Copy { account, credentials, dir, desired }
    }
}

/// The shipped z360 desired state for a copy seeded by [`seed_z360_copy`]: its account
/// id replaced, and its bucket names and globs given the same suffix. Flow logs go to
/// the bucket's root: moto takes `bucket/prefix` in a destination ARN for a bucket name;
/// Security Hub declares no standards, which moto does not implement.
pub fn z360_desired_for(account: &str) -> tempfile::TempDir {
    let mut text = std::fs::read_to_string(repo_root().join("desired-state/z360.toml")).expect("the shipped desired state");
    for bucket in ["livkit-recordings", "{app-z360,zscribe-main}", "z360-*-storage", "zscribe"] {
        text = text.replace(&format!("\"{bucket}\""), &format!("\"{bucket}-{account}\""));
    }
    text = text.replace("/flow-logs/\"", "\"");
    // moto answers 404 to Security Hub's standards operations: those paths are tested with
    // recorded responses in crates/aws/src/securityhub.rs instead.
    text = text.replace("standards = [\"aws-foundational-security-best-practices/v/1.0.0\"]\n", "");
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("z360.toml"), text.replace("108782097218", account)).expect("write the desired state");
    dir
}

pub fn path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

/// `holdfast apply --auto-approve --format json` with extra arguments and environment;
/// the report parsed (Null when there is none).
pub fn apply_json(emulator: &Emulator, credentials: &Credentials, desired: &str, extra: &[&str], env: &[(&str, &str)]) -> (Run, serde_json::Value) {
    let mut args = vec!["apply", "--desired", desired, "--auto-approve", "--format", "json"];
    args.extend_from_slice(extra);
    let mut credentials = credentials.clone();
    credentials.extend(env.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())));
    let run = emulator.holdfast(&credentials, &args);
    let report = serde_json::from_str(&run.stdout).unwrap_or(serde_json::Value::Null);
    (run, report)
}

/// The report entries whose address contains `address_part`.
pub fn outcome<'a>(report: &'a serde_json::Value, address_part: &str) -> Vec<&'a serde_json::Value> {
    report["changes"]
        .as_array()
        .map(|changes| changes.iter().filter(|change| change["address"].as_str().is_some_and(|address| address.contains(address_part))).collect())
        .unwrap_or_default()
}

/// A desired state of the given files, with `[account]` for the test's account first.
pub fn desired_for(account: &str, body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let text = format!("[account]\nid = \"{account}\"\nregion = \"us-east-1\"\n\n{body}");
    std::fs::write(dir.path().join("main.toml"), text).expect("write the desired state");
    dir
}

impl Emulator {
    /// holdfast against the emulator with only these credentials, to run or to spawn.
    pub fn command(&self, credentials: &Credentials, args: &[&str]) -> std::process::Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_holdfast"));
        command.args(args).env("NO_COLOR", "1").env_remove("AWS_PROFILE").env_remove("AWS_DEFAULT_PROFILE");
        for (key, value) in credentials {
            command.env(key, value);
        }
        for (key, value) in [
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_REGION", "us-east-1"),
            ("AWS_CONFIG_FILE", "/dev/null"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            // The emulator has no Price List API: estimates use the shipped prices.
            ("HOLDFAST_OFFLINE", "1"),
        ] {
            command.env(key, value);
        }
        command
    }
}

/// A fault proxy in front of the emulator that answers these operations (`rds:CopyDBClusterSnapshot`)
/// with access denied, as AWS answers a missing permission; it runs as long as this lives.
pub struct Denying {
    _runtime: tokio::runtime::Runtime,
    pub proxy: holdfast_fault_proxy::Proxy,
}

impl Denying {
    pub fn start(emulator: &Emulator, deny: &[&str]) -> Denying {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime for the proxy");
        let config = holdfast_fault_proxy::Config {
            listen: "127.0.0.1:0".parse().expect("an address"),
            upstream: emulator.endpoint.clone(),
            latency: std::time::Duration::ZERO,
            faults: holdfast_fault_proxy::Faults::default(),
            seed: 1,
            deny: deny.iter().map(|operation| (*operation).to_owned()).collect(),
        };
        let proxy = runtime.block_on(holdfast_fault_proxy::Proxy::start(config)).expect("the proxy starts");
        Denying { _runtime: runtime, proxy }
    }
}
