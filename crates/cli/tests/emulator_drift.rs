//! `holdfast drift` against the moto emulator: accounts seeded and changed with boto3,
//! notifications and metrics read back with boto3, a webhook received by a local server.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::Stdio;

use common::emulator::{Credentials, Emulator, Z360Copy, account_for, desired_for, path};

/// An account with two buckets whose lifecycle rules match the desired state: in sync.
struct Buckets {
    account: String,
    credentials: Credentials,
    dir: tempfile::TempDir,
    desired: String,
}

const LIFECYCLE: &str = r#"lifecycle = [{ id = "archive", transitions = [{ days = 90, class = "GLACIER" }] }]"#;

impl Buckets {
    fn seed(emulator: &Emulator, test: &str, extra_toml: &str) -> Buckets {
        let account = account_for(test);
        let credentials = emulator.seed("empty", &account, &[]);
        for name in ["alpha", "beta"] {
            emulator.script("drift_fixtures.py", "bucket", &account, &["--name", &format!("{name}-{account}"), "--lifecycle-days", "90"]);
        }
        let body = format!("[[s3.bucket]]\nname = \"{{alpha,beta}}-{account}\"\n{LIFECYCLE}\n\n{extra_toml}");
        let dir = desired_for(&account, &body);
        let desired = dir.path().display().to_string();
        Buckets { account, credentials, dir, desired }
    }

    fn bucket(&self, name: &str) -> String {
        format!("{name}-{}", self.account)
    }

    fn drop_lifecycle(&self, emulator: &Emulator, name: &str) {
        emulator.script("drift_fixtures.py", "drop-lifecycle", &self.account, &["--name", &self.bucket(name)]);
    }

    fn restore_lifecycle(&self, emulator: &Emulator, name: &str) {
        emulator.script("drift_fixtures.py", "put-lifecycle", &self.account, &["--name", &self.bucket(name), "--lifecycle-days", "90"]);
    }

    /// `holdfast drift --desired ... ARGS` at the time `now` (None: the real clock).
    fn drift(&self, emulator: &Emulator, args: &[&str], now: Option<&str>) -> common::Run {
        let mut all = vec!["drift", "--desired", self.desired.as_str()];
        all.extend_from_slice(args);
        let mut command = emulator.command(&self.credentials, &all);
        if let Some(now) = now {
            command.env("HOLDFAST_NOW", now);
        }
        common::run(command)
    }
}

fn json(run: &common::Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|error| panic!("drift --format json prints JSON ({error}):\n{}\n{}", run.stdout, run.stderr))
}

fn addresses(findings: &serde_json::Value) -> Vec<String> {
    findings.as_array().expect("a list of findings").iter().map(|finding| finding["address"].as_str().expect("an address").to_owned()).collect()
}

#[test]
fn exit_codes_are_0_in_sync_2_drifted_and_1_when_the_check_fails() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-exit-codes", "");

    let in_sync = account.drift(&emulator, &[], None);
    assert_eq!(in_sync.code, 0, "in sync:\n{}\n{}", in_sync.stdout, in_sync.stderr);
    assert!(in_sync.stdout.contains("in sync"), "{}", in_sync.stdout);

    account.drop_lifecycle(&emulator, "alpha");
    let drifted = account.drift(&emulator, &[], None);
    assert_eq!(drifted.code, 2, "drift is 2, never 1:\n{}\n{}", drifted.stdout, drifted.stderr);
    assert!(drifted.stdout.contains(&format!("low      s3.bucket/{}", account.bucket("alpha"))), "{}", drifted.stdout);

    // Another account's desired state: the check fails, and never reads as in sync.
    let other = desired_for(&account_for("drift-exit-codes-other"), &format!("[[s3.bucket]]\nname = \"alpha-*\"\n{LIFECYCLE}\n"));
    let other_desired = other.path().display().to_string();
    let wrong = common::run(emulator.command(&account.credentials, &["drift", "--desired", &other_desired]));
    assert_eq!(wrong.code, 1, "{}\n{}", wrong.stdout, wrong.stderr);
    assert!(wrong.stderr.contains("refusing"), "{}", wrong.stderr);

    // A history that cannot be read fails the run, after the drift has been reported.
    let history_is_a_folder = account.dir.path().display().to_string();
    let unreadable = account.drift(&emulator, &["--history", &history_is_a_folder], None);
    assert_eq!(unreadable.code, 1, "{}\n{}", unreadable.stdout, unreadable.stderr);
    assert!(unreadable.stdout.contains(&account.bucket("alpha")), "the drift is still reported:\n{}", unreadable.stdout);
    assert!(unreadable.stderr.contains("the drift history"), "{}", unreadable.stderr);

    // Drift seen while an apply holds the lock says so, and the check takes no lock itself.
    emulator.script("poke.py", "hold-lock", &account.account, &["alice@ci (pid 42)", "--lock-id", "a11ce0000000beef"]);
    let during = account.drift(&emulator, &[], None);
    assert_eq!(during.code, 2, "{}", during.stderr);
    assert!(during.stdout.contains("an apply is under way (lock a11ce0000000beef held by alice@ci (pid 42)"), "{}", during.stdout);

    // A desired state that no longer loads: JSON readers get the error as JSON, and a
    // metrics file stops reporting a healthy check.
    let metrics = path(&account.dir, "drift.prom");
    let good = account.drift(&emulator, &["--metrics-file", metrics.to_str().expect("UTF-8")], None);
    assert_eq!(good.code, 2, "{}", good.stderr);
    assert!(std::fs::read_to_string(&metrics).expect("metrics").contains("holdfast_drift_check_failed{account="), "metrics written");
    std::fs::write(account.dir.path().join("broken.toml"), "[[s3.bucket]]\nname = \"unterminated\n").expect("a broken file");
    let broken = account.drift(&emulator, &["--format", "json", "--metrics-file", metrics.to_str().expect("UTF-8")], None);
    assert_eq!(broken.code, 1, "{}", broken.stderr);
    let error: serde_json::Value = serde_json::from_str(&broken.stdout).expect("the failure as JSON");
    assert!(error["error"].as_str().is_some_and(|error| error.contains("broken.toml:2:")), "{error}");
    let text = std::fs::read_to_string(&metrics).expect("metrics");
    assert!(text.contains(&format!("holdfast_drift_check_failed{{account=\"{}\",region=\"us-east-1\"}} 1", account.account)), "{text}");
    std::fs::remove_file(account.dir.path().join("broken.toml")).expect("fixed again");

    // The same target twice would be told twice.
    let twice = account.drift(&emulator, &["--history", "h.jsonl", "--notify", "file:n.jsonl", "--notify", "file:n.jsonl"], None);
    assert_eq!(twice.code, 1, "{}", twice.stderr);
    assert!(twice.stderr.contains("is given twice"), "{}", twice.stderr);

    // A usage error is 1 as well: 2 would read as drift.
    let usage = account.drift(&emulator, &["--min-severity", "severe"], None);
    assert_eq!(usage.code, 1, "{}", usage.stderr);
}

#[test]
fn a_drift_check_only_reads_and_the_read_only_policy_allows_every_call_it_makes() {
    let emulator = Emulator::from_env();
    let canary = "drift-canary-7Qz1";
    let copy = Z360Copy::seed(&emulator, "drift-read-only", &["--canary", canary]);
    let calls = path(&copy.dir, "calls.jsonl");
    let history = path(&copy.dir, "history.jsonl");
    let notified = path(&copy.dir, "notified.jsonl");
    let mut command = emulator.command(
        &copy.credentials,
        &[
            "drift",
            "--desired",
            &copy.desired,
            "--format",
            "json",
            "--history",
            history.to_str().expect("a UTF-8 path"),
            "--notify",
            &format!("file:{}", notified.display()),
        ],
    );
    command.env("HOLDFAST_RECORD_CALLS", &calls);
    let run = common::run(command);
    assert_eq!(run.code, 2, "the z360 copy has drifted:\n{}", run.stderr);
    assert!(run.stderr.contains("every one a read"), "{}", run.stderr);

    let recorded: Vec<(String, String)> = std::fs::read_to_string(&calls)
        .expect("the interceptor recorded the calls")
        .lines()
        .map(|line| {
            let call: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            (call["service"].as_str().expect("service").to_owned(), call["operation"].as_str().expect("operation").to_owned())
        })
        .collect();
    assert!(recorded.len() > 20, "a z360 check makes dozens of calls: {recorded:?}");
    assert!(recorded.iter().any(|(_, operation)| operation == "ListServices"), "the services were read: {recorded:?}");
    for (service, operation) in &recorded {
        assert!(["Describe", "List", "Get", "Head"].iter().any(|read| operation.starts_with(read)), "{service}:{operation} is not a read");
    }

    let policy = emulator.holdfast(&copy.credentials, &["iam-policy", "--read-only", "--desired", &copy.desired]);
    assert_eq!(policy.code, 0, "{}", policy.stderr);
    let policy: serde_json::Value = serde_json::from_str(&policy.stdout).expect("a JSON policy");
    let allowed = holdfast_aws::permissions::allowed_actions(&policy);
    for (service, operation) in &recorded {
        let action = holdfast_aws::permissions::iam_action(service, operation);
        assert!(allowed.contains(&action), "{action} was called but the read-only policy does not allow it: {allowed:?}");
    }
    assert!(!allowed.iter().any(|action| action.starts_with("ecs:Update") || action.starts_with("ssm:Put")), "read-only: {allowed:?}");

    // The plaintext secret in the task definitions appears nowhere the check wrote.
    for (what, text) in [
        ("stdout", run.stdout.clone()),
        ("stderr", run.stderr.clone()),
        ("the history", std::fs::read_to_string(&history).expect("the history was written")),
        ("the notification", std::fs::read_to_string(&notified).expect("a notification was written")),
    ] {
        assert!(!text.contains(canary), "{what} contains the secret:\n{text}");
    }
    let report = json(&run);
    let secrets: Vec<&serde_json::Value> = report["drift"]
        .as_array()
        .expect("drift")
        .iter()
        .filter(|finding| finding["meaning"].as_str().is_some_and(|meaning| meaning.contains("plaintext")))
        .collect();
    assert!(!secrets.is_empty(), "plaintext secrets are drift: {report}");
    assert!(secrets.iter().all(|finding| finding["severity"] == "critical"), "{secrets:?}");
}

#[test]
fn every_call_an_apply_makes_is_in_the_policy_iam_policy_prints() {
    let emulator = Emulator::from_env();
    let copy = Z360Copy::seed(&emulator, "drift-policy-apply", &[]);
    // With the Aurora migrations, by the path moto encrypts (docs/aurora-encryption.md).
    let file = copy.dir.path().join("z360.toml");
    let text = std::fs::read_to_string(&file).expect("the desired state");
    std::fs::write(&file, text.replace("storage_encrypted = true\n", "storage_encrypted = true\nmigration = \"copy\"\n")).expect("write");
    let calls = path(&copy.dir, "calls.jsonl");
    let mut command = emulator.command(&copy.credentials, &["apply", "--desired", &copy.desired, "--auto-approve", "--allow-delete", "--allow-replace"]);
    command.env("HOLDFAST_RECORD_CALLS", &calls);
    let run = common::run(command);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let policy = emulator.holdfast(&copy.credentials, &["iam-policy", "--desired", &copy.desired]);
    let allowed = holdfast_aws::permissions::allowed_actions(&serde_json::from_str(&policy.stdout).expect("a JSON policy"));
    let text = std::fs::read_to_string(&calls).expect("calls recorded");
    let mut writes = 0;
    for line in text.lines() {
        let call: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let action = holdfast_aws::permissions::iam_action(call["service"].as_str().expect("service"), call["operation"].as_str().expect("operation"));
        writes += usize::from(action.contains(":Put") || action.contains(":Update") || action.contains(":Create"));
        assert!(allowed.contains(&action), "apply called {action}, which `holdfast iam-policy` does not allow");
    }
    assert!(writes > 5, "the apply changed the account: {text}");
    for migration in ["CreateDBClusterSnapshot", "CopyDBClusterSnapshot", "RestoreDBClusterFromSnapshot", "CreateDBInstance"] {
        assert!(text.contains(migration), "the migration ran, and its calls were checked: {migration}");
    }
}

#[test]
fn an_sns_notification_reaches_a_subscribed_queue_with_attributes_to_filter_on() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-sns", "");
    let created: serde_json::Value =
        serde_json::from_str(&emulator.script("drift_fixtures.py", "topic-queue", &account.account, &["--name", "drift-alerts"])).expect("topic and queue");
    let topic = created["topic"].as_str().expect("a topic ARN");
    let queue = created["queue"].as_str().expect("a queue URL");
    let history = path(&account.dir, "history.jsonl");
    let args = ["--history", history.to_str().expect("UTF-8"), "--notify", &format!("sns:{topic}")];

    account.drop_lifecycle(&emulator, "beta");
    let run = account.drift(&emulator, &args, None);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let received: Vec<serde_json::Value> =
        serde_json::from_str(&emulator.script("drift_fixtures.py", "receive", &account.account, &["--queue", queue])).expect("messages");
    assert_eq!(received.len(), 1, "one notification: {received:?}");
    let envelope = &received[0];
    let attributes = &envelope["MessageAttributes"];
    assert_eq!(attributes["event_type"]["Value"], "drift.changed", "{envelope}");
    assert_eq!(attributes["severity"]["Value"], "low", "{envelope}");
    assert_eq!(attributes["account"]["Value"], account.account.as_str(), "{envelope}");
    assert_eq!(attributes["region"]["Value"], "us-east-1", "{envelope}");
    let message = envelope["Message"].as_str().expect("a message");
    assert!(message.starts_with(&format!("holdfast drift: account {} us-east-1: 1 drifted (1 low)", account.account)), "{message}");
    assert!(message.contains(&format!("New:\n- low s3.bucket/{}", account.bucket("beta"))), "{message}");
    assert!(envelope["Subject"].as_str().is_some_and(|subject| subject.len() <= 100), "{envelope}");

    // The same drift again: no second message.
    let again = account.drift(&emulator, &args, None);
    assert_eq!(again.code, 2);
    let received: Vec<serde_json::Value> =
        serde_json::from_str(&emulator.script("drift_fixtures.py", "receive", &account.account, &["--queue", queue])).expect("messages");
    assert!(received.is_empty(), "unchanged drift is not notified again: {received:?}");
}

/// An HTTP request's headers (names lower-cased) and body.
type Received = (Vec<(String, String)>, Vec<u8>);

/// Accepts one HTTP request and answers `status`.
fn receive_one(listener: TcpListener, status: &'static str) -> std::thread::JoinHandle<Received> {
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("a connection");
        let mut reader = BufReader::new(stream.try_clone().expect("a second handle"));
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("a header line");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        let length: usize = headers.iter().find(|(name, _)| name == "content-length").map_or(0, |(_, value)| value.parse().expect("a length"));
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("the body");
        let mut stream = stream;
        write!(stream, "HTTP/1.1 {status}\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").expect("an answer");
        (headers, body)
    })
}

#[test]
fn a_webhook_gets_a_slack_ready_body_signed_with_the_shared_secret() {
    use hmac::{Hmac, Mac};
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-webhook", "");
    account.drop_lifecycle(&emulator, "alpha");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let url = format!("http://{}/services/T000/B000/hook-secret-path", listener.local_addr().expect("an address"));
    let server = receive_one(listener, "200 OK");
    let history = path(&account.dir, "history.jsonl");
    let mut command = emulator.command(
        &account.credentials,
        &["drift", "--desired", &account.desired, "--history", history.to_str().expect("UTF-8"), "--notify", &format!("webhook:{url}")],
    );
    command.env("HOLDFAST_WEBHOOK_SECRET", "shared-secret-1");
    let run = common::run(command);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let (headers, body) = server.join().expect("the server thread");

    let signature = headers.iter().find(|(name, _)| name == "x-holdfast-signature").map(|(_, value)| value.clone()).expect("a signature header");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"shared-secret-1").expect("a key");
    mac.update(&body);
    assert_eq!(signature, format!("sha256={}", hex::encode(mac.finalize().into_bytes())), "the signature verifies with the secret");

    let body: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
    assert!(body["text"].as_str().is_some_and(|text| text.contains("1 drifted (1 low)")), "{body}");
    let blocks = body["blocks"].as_array().expect("Block Kit blocks");
    assert!(blocks.iter().all(|block| block["type"] == "section" && block["text"]["type"] == "mrkdwn"), "{body}");
    assert!(blocks.iter().any(|block| block["text"]["text"].as_str().is_some_and(|text| text.contains(&account.bucket("alpha")))), "{body}");
    assert_eq!(body["holdfast"]["event"], "drift.changed");
    assert_eq!(body["holdfast"]["report"]["account_id"], account.account.as_str(), "the --format json report rides along");

    // A receiver that refuses: exit 1 naming the target, but not its secret path, and
    // the drift is still printed.
    account.drop_lifecycle(&emulator, "beta");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let url = format!("http://{}/services/T000/B000/hook-secret-path", listener.local_addr().expect("an address"));
    let server = receive_one(listener, "500 Internal Server Error");
    let file = path(&account.dir, "notified.jsonl");
    let with_file = |url: &str| {
        account.drift(
            &emulator,
            &["--history", history.to_str().expect("UTF-8"), "--notify", &format!("webhook:{url}"), "--notify", &format!("file:{}", file.display())],
            None,
        )
    };
    let refused = with_file(&url);
    server.join().expect("the server thread");
    assert_eq!(refused.code, 1, "{}\n{}", refused.stdout, refused.stderr);
    assert!(refused.stdout.contains(&account.bucket("beta")), "the drift is printed: {}", refused.stdout);
    assert!(refused.stderr.contains("notifying webhook:http://127.0.0.1:"), "{}", refused.stderr);
    assert!(refused.stderr.contains("500"), "{}", refused.stderr);
    assert!(!refused.all_output().contains("hook-secret-path"), "{}", refused.all_output());

    // The webhook (its port closed now) is tried again on the next check; the file,
    // which was told, is not told again.
    let retried = with_file(&url);
    assert_eq!(retried.code, 1, "the webhook is still down: {}", retried.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("notified").lines().count(), 1, "the healthy target heard it once");
}

#[test]
fn sigterm_while_a_notification_is_being_sent_lets_it_finish() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-sigterm-notify", "");
    account.drop_lifecycle(&emulator, "alpha");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let url = format!("http://{}/hook", listener.local_addr().expect("an address"));
    let (arrived, request) = std::sync::mpsc::channel();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("a connection");
        arrived.send(()).expect("the test waits");
        // Slow to answer: the signal lands while the notification is in flight.
        std::thread::sleep(std::time::Duration::from_secs(2));
        let mut stream = stream;
        let mut buffer = [0u8; 65536];
        let _ = stream.read(&mut buffer);
        write!(stream, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok").expect("an answer");
    });
    let file = path(&account.dir, "notified.jsonl");
    let mut child = account
        .drift_command(&emulator, &["--every", "1h", "--notify", &format!("webhook:{url}"), "--notify", &format!("file:{}", file.display())])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("holdfast starts");
    request.recv_timeout(std::time::Duration::from_secs(60)).expect("the webhook was called");
    let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("holdfast exits");
    server.join().expect("the server thread");
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("UTF-8");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("Stopped by SIGTERM during a check, after letting it finish"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).expect("the file target was told too").lines().count(), 1);
}

#[test]
fn history_marks_new_persisting_and_resolved_and_notifies_only_changes_and_reminders() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-history", "");
    let history = path(&account.dir, "history.jsonl");
    let notified = path(&account.dir, "notified.jsonl");
    let args =
        ["--format", "json", "--history", history.to_str().expect("UTF-8"), "--notify", &format!("file:{}", notified.display()), "--remind-every", "24h"];
    let notifications = || std::fs::read_to_string(&notified).map(|text| text.lines().count()).unwrap_or(0);

    account.drop_lifecycle(&emulator, "alpha");
    let first = json(&account.drift(&emulator, &args, Some("2026-11-20T10:00:00Z")));
    assert_eq!(addresses(&first["drift"]), [format!("s3.bucket/{}", account.bucket("alpha"))]);
    assert_eq!(first["drift"][0]["status"], "new");
    assert_eq!(notifications(), 1);

    account.drop_lifecycle(&emulator, "beta");
    let second = json(&account.drift(&emulator, &args, Some("2026-11-20T10:15:00Z")));
    let by_address = |report: &serde_json::Value, name: &str| {
        report["drift"].as_array().expect("drift").iter().find(|finding| finding["address"] == format!("s3.bucket/{}", account.bucket(name))).cloned()
    };
    let alpha = by_address(&second, "alpha").expect("alpha still drifted");
    assert_eq!((alpha["status"].as_str(), alpha["since"].as_str()), (Some("persisting"), Some("2026-11-20T10:00:00Z")));
    assert_eq!(by_address(&second, "beta").expect("beta drifted")["status"], "new");
    assert_eq!(second["counts"]["new"], 1);
    assert_eq!(notifications(), 2, "new drift is notified");

    account.restore_lifecycle(&emulator, "alpha");
    let third = json(&account.drift(&emulator, &args, Some("2026-11-20T10:30:00Z")));
    assert_eq!(addresses(&third["resolved"]), [format!("s3.bucket/{}", account.bucket("alpha"))]);
    assert_eq!(third["resolved"][0]["since"], "2026-11-20T10:00:00Z");
    assert_eq!(by_address(&third, "beta").expect("beta persists")["status"], "persisting");
    assert_eq!(notifications(), 3, "resolved drift is notified");
    let last: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&notified).expect("notifications").lines().last().expect("a line")).expect("JSON");
    assert_eq!(addresses(&serde_json::json!(last["resolved"])), [format!("s3.bucket/{}", account.bucket("alpha"))]);

    // Unchanged drift within the reminder interval: nothing; after it: one reminder.
    json(&account.drift(&emulator, &args, Some("2026-11-20T10:45:00Z")));
    json(&account.drift(&emulator, &args, Some("2026-11-21T09:00:00Z")));
    assert_eq!(notifications(), 3, "unchanged drift is not notified on every run");
    json(&account.drift(&emulator, &args, Some("2026-11-21T10:31:00Z")));
    assert_eq!(notifications(), 4, "a reminder after 24 hours");
    let reminder: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&notified).expect("notifications").lines().last().expect("a line")).expect("JSON");
    assert_eq!(reminder["event"], "drift.reminder");
    assert_eq!(std::fs::read_to_string(&history).expect("history").lines().count(), 6, "one record per check");
}

#[test]
fn an_ignore_rule_hides_drift_until_its_date_and_then_says_it_expired() {
    let emulator = Emulator::from_env();
    let rule = "[[drift.ignore]]\naddress = \"s3.bucket/alpha-*\"\nuntil = \"2026-12-31\"\nreason = \"lifecycle rules being migrated (storage team)\"\n";
    let account = Buckets::seed(&emulator, "drift-ignore", rule);
    account.drop_lifecycle(&emulator, "alpha");

    let before = account.drift(&emulator, &["--format", "json"], Some("2026-12-31T23:59:00Z"));
    assert_eq!(before.code, 0, "ignored drift alone is in sync:\n{}\n{}", before.stdout, before.stderr);
    let report = json(&before);
    assert_eq!(addresses(&report["ignored"]), [format!("s3.bucket/{}", account.bucket("alpha"))], "ignored drift is listed, never hidden");
    assert_eq!(report["ignored"][0]["ignored"]["reason"], "lifecycle rules being migrated (storage team)");
    let text = account.drift(&emulator, &[], Some("2026-12-31T23:59:00Z"));
    assert!(text.stdout.contains("Ignored until their rule's date") && text.stdout.contains("storage team"), "{}", text.stdout);

    let after = account.drift(&emulator, &["--format", "json"], Some("2027-01-01T00:00:01Z"));
    assert_eq!(after.code, 2, "{}\n{}", after.stdout, after.stderr);
    let report = json(&after);
    assert_eq!(addresses(&report["drift"]), [format!("s3.bucket/{}", account.bucket("alpha"))]);
    assert_eq!(report["expired_rules"][0]["until"], "2026-12-31");
    let text = account.drift(&emulator, &[], Some("2027-01-01T00:00:01Z"));
    assert!(text.stdout.contains("expired on 2026-12-31 and hides nothing now"), "{}", text.stdout);
}

#[test]
fn coverage_counts_a_bucket_nobody_declared_as_unmanaged() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-coverage", "");
    let stray = account.bucket("stray");
    emulator.script("drift_fixtures.py", "bucket", &account.account, &["--name", &stray]);
    let report = json(&account.drift(&emulator, &["--format", "json"], None));
    let coverage = report["coverage"].as_array().expect("coverage");
    let buckets = coverage.iter().find(|kind| kind["kind"] == "s3.bucket").expect("buckets are counted");
    assert_eq!((buckets["total"].as_u64(), buckets["managed"].as_u64()), (Some(3), Some(2)), "{buckets}");
    assert_eq!(buckets["unmanaged"], serde_json::json!([stray]));
    assert!((buckets["percent"].as_f64().expect("a percentage") - 66.7).abs() < 0.01, "{buckets}");
    let vpcs = coverage.iter().find(|kind| kind["kind"] == "vpc").expect("VPCs are counted");
    assert_eq!(vpcs["managed"], 0, "no entry selects the default VPC: {vpcs}");
}

#[test]
fn metrics_reach_cloudwatch_and_an_openmetrics_file() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-metrics", "");
    account.drop_lifecycle(&emulator, "alpha");
    let file = path(&account.dir, "holdfast.prom");
    let namespace = format!("Holdfast/Test-{}", account.account);
    let run = account.drift(&emulator, &["--metrics", &format!("cloudwatch:{namespace}"), "--metrics-file", file.to_str().expect("UTF-8")], None);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);

    let text = std::fs::read_to_string(&file).expect("the metrics file");
    let labels = format!("account=\"{}\",region=\"us-east-1\"", account.account);
    assert!(text.contains(&format!("holdfast_drifted_resources{{{labels},kind=\"s3.bucket\",severity=\"low\"}} 1\n")), "{text}");
    assert!(text.contains(&format!("holdfast_drifted_resources{{{labels},kind=\"s3.bucket\",severity=\"critical\"}} 0\n")), "{text}");
    assert!(text.contains(&format!("holdfast_drift_check_failed{{{labels}}} 0\n")), "{text}");
    assert!(text.ends_with("# EOF\n"), "{text}");

    let metric = |name: &str, dimensions: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec!["--namespace", namespace.as_str(), "--name", name];
        for dimension in dimensions {
            args.extend(["--dimension", dimension]);
        }
        serde_json::from_str(&emulator.script("drift_fixtures.py", "metric", &account.account, &args)).expect("datapoints")
    };
    let account_dimension = format!("Account={}", account.account);
    let low = metric("DriftedResources", &[&account_dimension, "Region=us-east-1", "Kind=s3.bucket", "Severity=low"]);
    assert!(low.iter().any(|point| point["Maximum"] == 1.0), "{low:?}");
    let failed = metric("CheckFailed", &[&account_dimension, "Region=us-east-1"]);
    assert!(!failed.is_empty() && failed.iter().all(|point| point["Maximum"] == 0.0), "{failed:?}");
}

#[test]
fn watch_mode_checks_on_an_interval_and_stops_cleanly_on_sigterm() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-watch", "");
    let mut child = emulator
        .command(&account.credentials, &["drift", "--desired", &account.desired, "--every", "1s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("holdfast starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut checks = Vec::new();
    while checks.len() < 3 {
        let line = lines.next().expect("a line per check").expect("UTF-8");
        checks.push(line);
    }
    assert!(checks.iter().all(|line| line.contains(&format!("account {} us-east-1: in sync", account.account))), "{checks:?}");
    let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("holdfast exits");
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("UTF-8");
    assert_eq!(status.code(), Some(0), "a clean stop: {stderr}");
    assert!(stderr.contains("Stopped by SIGTERM"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn two_accounts_are_checked_through_assumed_roles_and_one_failing_does_not_stop_the_other() {
    let emulator = Emulator::from_env();
    let good = Buckets::seed(&emulator, "drift-accounts-good", "");
    good.drop_lifecycle(&emulator, "beta");
    let declared = account_for("drift-accounts-declared");
    let actual = account_for("drift-accounts-actual");
    emulator.seed("empty", &actual, &[]);
    let folder = tempfile::tempdir().expect("a folder");
    let other = desired_for(&declared, &format!("[[s3.bucket]]\nname = \"alpha-*\"\n{LIFECYCLE}\n"));
    std::fs::rename(other.path(), folder.path().join("declared")).expect("move the desired state");
    let accounts = format!(
        "[[account]]\nid = \"{}\"\nrole_arn = \"arn:aws:iam::{}:role/holdfast-drift\"\nexternal_id = \"z360-drift\"\nregions = [\"us-east-1\", \"us-west-2\"]\ndesired = \"{}\"\n\n\
         [[account]]\nid = \"{declared}\"\nrole_arn = \"arn:aws:iam::{actual}:role/holdfast-drift\"\nregions = [\"us-east-1\"]\ndesired = \"declared\"\n",
        good.account, good.account, good.desired
    );
    let file = folder.path().join("accounts.toml");
    std::fs::write(&file, accounts).expect("the accounts file");
    let runner: Credentials = vec![("AWS_ACCESS_KEY_ID".to_owned(), "testing".to_owned()), ("AWS_SECRET_ACCESS_KEY".to_owned(), "testing".to_owned())];
    let run = emulator.holdfast(&runner, &["drift", "--accounts", file.to_str().expect("UTF-8"), "--format", "json"]);
    assert_eq!(run.code, 1, "one check failed:\n{}\n{}", run.stdout, run.stderr);
    let combined: serde_json::Value = serde_json::from_str(&run.stdout).expect("one combined JSON report");
    let rows = combined["accounts"].as_array().expect("a row per account and region");
    assert_eq!(rows.len(), 3, "{combined}");
    let west = rows.iter().find(|row| row["region"] == "us-west-2").expect("a row for the second region");
    assert_ne!(west["status"], "failed", "one desired state is checked in every region the file lists: {west}");
    let row =
        |id: &str| rows.iter().find(|row| row["account_id"] == id && row["region"] == "us-east-1").unwrap_or_else(|| panic!("a row for {id}: {combined}"));
    assert_eq!(row(&good.account)["status"], "drifted");
    assert_eq!(row(&good.account)["report"]["drift"][0]["address"], format!("s3.bucket/{}", good.bucket("beta")));
    let failed = row(&declared);
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"].as_str().is_some_and(|error| error.contains(&actual)), "the error names the account the role led to: {failed}");
    assert!(run.stderr.contains(&format!("the check of account {declared} us-east-1 failed")), "{}", run.stderr);
}

#[test]
fn two_runners_sharing_an_s3_history_never_overwrite_each_other() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-s3-history", "");
    account.drop_lifecycle(&emulator, "alpha");
    let bucket = account.bucket("history");
    emulator.script("drift_fixtures.py", "bucket", &account.account, &["--name", &bucket]);
    let history = format!("s3://{bucket}/drift/history.jsonl");
    let notified = path(&account.dir, "notified.jsonl");
    let notify = format!("file:{}", notified.display());
    let children: Vec<std::process::Child> = (0..3)
        .map(|_| {
            account
                .drift_command(&emulator, &["--history", &history, "--notify", &notify])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("holdfast starts")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("holdfast exits");
        assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let text = emulator.script("drift_fixtures.py", "get-object", &account.account, &["--bucket", &bucket, "--key", "drift/history.jsonl"]);
    assert_eq!(text.lines().count(), 3, "every runner's record is kept:\n{text}");
    let sent = std::fs::read_to_string(&notified).expect("a notification");
    assert_eq!(sent.lines().count(), 1, "the runner that recorded the news first is the only one to tell it:\n{sent}");
    let report = json(&account.drift(&emulator, &["--history", &history, "--format", "json"], None));
    assert_eq!(report["drift"][0]["status"], "persisting", "{report}");
}

impl Buckets {
    fn drift_command(&self, emulator: &Emulator, args: &[&str]) -> std::process::Command {
        let mut all = vec!["drift", "--desired", self.desired.as_str()];
        all.extend_from_slice(args);
        emulator.command(&self.credentials, &all)
    }
}

#[test]
fn runners_sharing_a_history_file_notify_new_drift_once_and_a_torn_line_does_not_stop_them() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-file-history", "");
    account.drop_lifecycle(&emulator, "alpha");
    let history = path(&account.dir, "history.jsonl");
    let notified = path(&account.dir, "notified.jsonl");
    let args = ["--history", history.to_str().expect("UTF-8"), "--notify", &format!("file:{}", notified.display())];
    let children: Vec<std::process::Child> =
        (0..4).map(|_| account.drift_command(&emulator, &args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("holdfast starts")).collect();
    for child in children {
        let output = child.wait_with_output().expect("holdfast exits");
        assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    }
    assert_eq!(std::fs::read_to_string(&history).expect("history").lines().count(), 4);
    assert_eq!(std::fs::read_to_string(&notified).expect("notified").lines().count(), 1, "one notification for one piece of news");

    // A stray byte that is not UTF-8, then a crash mid-write that leaves half a line: the
    // next check names both lines, skips them and carries on.
    let mut file = std::fs::OpenOptions::new().append(true).open(&history).expect("the history");
    file.write_all(b"\xff\xfe garbage\n{\"account_id\":\"1234").expect("a torn line");
    account.drop_lifecycle(&emulator, "beta");
    let run = account.drift(&emulator, &args, None);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("line 5 is not a holdfast drift record") && run.stderr.contains("line 6 is not"), "{}", run.stderr);
    assert!(run.stdout.contains(&format!("s3.bucket/{}  persisting since", account.bucket("alpha"))), "the memory before the torn line holds: {}", run.stdout);
    assert_eq!(std::fs::read_to_string(&notified).expect("notified").lines().count(), 2, "the new drift of beta is told");
}

#[test]
fn a_history_file_locked_by_a_stuck_runner_fails_the_check_within_seconds_not_never() {
    let emulator = Emulator::from_env();
    let account = Buckets::seed(&emulator, "drift-locked-history", "");
    let history = path(&account.dir, "history.jsonl");
    std::fs::write(&history, "").expect("a history");
    // `flock` holds the lock for longer than a check waits for it.
    let mut holder =
        std::process::Command::new("flock").arg(&history).args(["sleep", "13"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("flock runs");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let run = account.drift(&emulator, &["--history", history.to_str().expect("UTF-8")], None);
    let waited = started.elapsed();
    holder.wait().expect("the lock holder ends");
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("is locked by another runner, still after 10 s"), "{}", run.stderr);
    assert!(run.stdout.contains("in sync"), "the report is still printed: {}", run.stdout);
    assert!(waited < std::time::Duration::from_secs(25), "{waited:?}");
}
