//! Who a check tells, and what it says: SNS (with attributes subscribers filter on), a
//! webhook (a body Slack takes as it is and anything else can parse, signed when
//! `HOLDFAST_WEBHOOK_SECRET` is set), or a file. Never a secret value: findings carry
//! only what the plan shows, where secrets are "(sensitive)".

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use hmac::{Hmac, Mac};
use holdfast_aws::Aws;
use holdfast_planner::drift::{Decision, Finding, Notified, Report, Severity};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::DriftError;

/// At most this many findings per list in a message; the counts are always whole.
const LISTED: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Sns(String),
    Webhook(String),
    File(PathBuf),
}

impl Target {
    /// `sns:TOPIC_ARN`, `webhook:URL`, `file:PATH`.
    pub fn parse(text: &str) -> Result<Target, DriftError> {
        let bad = |hint: &str| DriftError::Input(format!("--notify {text}: {hint}"));
        match text.split_once(':') {
            Some(("sns", arn)) if arn.starts_with("arn:aws") && arn.split(':').count() == 6 => Ok(Target::Sns(arn.to_owned())),
            Some(("sns", _)) => Err(bad("write sns:arn:aws:sns:REGION:ACCOUNT:TOPIC")),
            Some(("webhook", url)) if url.starts_with("https://") || url.starts_with("http://") => Ok(Target::Webhook(url.to_owned())),
            // Not echoed: a webhook's path is often its secret.
            Some(("webhook", _)) => Err(DriftError::Input(
                "--notify webhook:…: the URL must start with https:// (or http://); it is not shown here, since its path may be a secret".to_owned(),
            )),
            Some(("file", path)) if !path.is_empty() => Ok(Target::File(PathBuf::from(path))),
            // Only the scheme is echoed: a misspelt `webhok:` may carry a secret URL.
            _ => Err(DriftError::Input(format!(
                "--notify {}:…: targets are sns:TOPIC_ARN, webhook:URL and file:PATH",
                text.split(':').next().unwrap_or_default()
            ))),
        }
    }

    /// The name its memory goes by in the history: a webhook's full URL is a secret, so it
    /// is a fingerprint of it beside the host.
    pub fn key(&self) -> String {
        match self {
            Target::Webhook(url) => format!("{}#{}", self.name(), &holdfast_planner::drift::memory::fingerprint(url)[..8]),
            _ => self.name(),
        }
    }

    /// How errors name it: never a webhook's path, which is often its secret.
    pub fn name(&self) -> String {
        match self {
            Target::Sns(arn) => format!("sns:{arn}"),
            Target::Webhook(url) => {
                // Scheme and host only: the path and any user:password are secrets.
                let authority = url.split("://").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or_default();
                let host = authority.rsplit('@').next().unwrap_or_default();
                format!("webhook:{}://{host}/…", url.split("://").next().unwrap_or("https"))
            }
            Target::File(path) => format!("file:{}", path.display()),
        }
    }
}

/// What a notification says, as JSON: the same under `holdfast` in a webhook body, as
/// a line in a file, and (rendered as text) in an SNS message.
#[derive(Debug, Clone, Serialize)]
pub struct Notification<'a> {
    pub event: &'static str,
    /// Short, for an SNS subject or a mail: what changed first.
    pub subject: String,
    pub summary: String,
    pub account_id: &'a str,
    pub region: &'a str,
    pub checked_at: &'a str,
    /// The most severe reported drift, or `none`.
    pub severity: &'static str,
    pub new: Vec<&'a Finding>,
    /// Notified before, and what differs has changed since (it may be worse).
    pub changed: Vec<&'a Finding>,
    pub persisting: Vec<&'a Finding>,
    pub resolved: Vec<Resolved>,
    pub report: &'a Report,
}

#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    pub address: String,
    pub severity: Option<Severity>,
}

impl<'a> Notification<'a> {
    /// What to tell a target, given what it was told before.
    pub fn new(report: &'a Report, decision: &Decision, told: Option<&Notified>) -> Self {
        fn list(addresses: &[String]) -> Vec<&str> {
            addresses.iter().map(String::as_str).collect()
        }
        let (new, changed, resolved) = match decision {
            Decision::Changed { new, changed, resolved } => (list(new), list(changed), list(resolved)),
            _ => (Vec::new(), Vec::new(), Vec::new()),
        };
        let severity_of = |address: &str| told.and_then(|told| told.drift.get(address)).map(|told| told.severity);
        let since = match decision {
            Decision::Reminder => "reminder, unchanged".to_owned(),
            _ => {
                let parts: Vec<String> = [(new.len(), "new"), (changed.len(), "changed"), (resolved.len(), "resolved")]
                    .into_iter()
                    .filter(|(count, _)| *count > 0)
                    .map(|(count, what)| format!("{count} {what}"))
                    .collect();
                parts.join(", ")
            }
        };
        Notification {
            event: decision.event_type(),
            subject: subject(&format!("holdfast drift {} {}: {since}; {}", report.account_id, report.region, drifted(report))),
            summary: format!("holdfast drift: account {} {}: {}; {since}", report.account_id, report.region, drifted(report)),
            account_id: &report.account_id,
            region: &report.region,
            checked_at: &report.checked_at,
            severity: report.drift.iter().map(|finding| finding.severity).max().map_or("none", Severity::as_str),
            new: report.drift.iter().filter(|finding| new.contains(&finding.address.as_str())).collect(),
            changed: report.drift.iter().filter(|finding| changed.contains(&finding.address.as_str())).collect(),
            persisting: report
                .drift
                .iter()
                .filter(|finding| !new.contains(&finding.address.as_str()) && !changed.contains(&finding.address.as_str()))
                .collect(),
            resolved: resolved.iter().map(|address| Resolved { address: (*address).to_owned(), severity: severity_of(address) }).collect(),
            report,
        }
    }

    /// Plain text: the summary line, then each list.
    pub fn text(&self) -> String {
        let mut out = format!("{}\n", self.summary);
        for (title, findings) in [("New", &self.new), ("Changed", &self.changed), ("Persisting", &self.persisting)] {
            if findings.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{title}:");
            for finding in findings.iter().take(LISTED) {
                let _ = writeln!(out, "- {} {}: {}{}", finding.severity.as_str(), finding.address, finding.meaning, differs(finding));
            }
            if findings.len() > LISTED {
                let _ = writeln!(out, "- and {} more", findings.len() - LISTED);
            }
        }
        if !self.resolved.is_empty() {
            let _ = writeln!(out, "\nResolved:");
            for resolved in self.resolved.iter().take(LISTED) {
                let _ = writeln!(out, "- {}", resolved.address);
            }
        }
        out
    }

    /// A body Slack's incoming webhooks take as it is (`text` and Block Kit `blocks`),
    /// with the whole notification under `holdfast` for any other receiver.
    pub fn webhook_body(&self) -> Value {
        let mut blocks = vec![json!({ "type": "section", "text": { "type": "mrkdwn", "text": format!("*{}*", self.summary) } })];
        for (title, findings) in [("New", &self.new), ("Changed", &self.changed), ("Persisting", &self.persisting)] {
            if findings.is_empty() {
                continue;
            }
            let mut lines: Vec<String> =
                findings.iter().take(LISTED).map(|finding| format!("• *{}* `{}`: {}", finding.severity.as_str(), finding.address, finding.meaning)).collect();
            if findings.len() > LISTED {
                lines.push(format!("• and {} more", findings.len() - LISTED));
            }
            blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": clip(&format!("*{title}*\n{}", lines.join("\n"))) } }));
        }
        if !self.resolved.is_empty() {
            let lines: Vec<String> = self.resolved.iter().take(LISTED).map(|resolved| format!("• `{}`", resolved.address)).collect();
            blocks.push(json!({ "type": "section", "text": { "type": "mrkdwn", "text": clip(&format!("*Resolved*\n{}", lines.join("\n"))) } }));
        }
        json!({ "text": self.summary, "blocks": blocks, "holdfast": self })
    }

    /// SNS message attributes: subscribers filter on these.
    pub fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("event_type", self.event.to_owned()),
            ("severity", self.severity.to_owned()),
            ("account", self.account_id.to_owned()),
            ("region", self.region.to_owned()),
        ]
    }
}

fn differs(finding: &Finding) -> String {
    let parts: Vec<String> = finding
        .attributes
        .iter()
        .map(|attribute| {
            format!("{} {} -> {}", attribute.name, attribute.before.as_deref().unwrap_or("(none)"), attribute.after.as_deref().unwrap_or("(none)"))
        })
        .collect();
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join("; ")) }
}

/// `35 drifted (11 critical, 24 high)` or `in sync`.
fn drifted(report: &Report) -> String {
    let counts = &report.counts;
    if report.in_sync() {
        return "in sync".to_owned();
    }
    let by_severity: Vec<String> = Severity::ALL
        .into_iter()
        .filter(|severity| counts.of(*severity) > 0)
        .map(|severity| format!("{} {}", counts.of(severity), severity.as_str()))
        .collect();
    format!("{} drifted ({})", counts.drifted(), by_severity.join(", "))
}

/// SNS takes a subject of up to 100 ASCII characters: cut at the last whole clause.
fn subject(summary: &str) -> String {
    let ascii: String = summary.chars().filter(char::is_ascii).collect();
    if ascii.len() <= 100 {
        return ascii;
    }
    let cut = &ascii[..97];
    let end = cut.rfind(", ").or_else(|| cut.rfind(' ')).unwrap_or(97);
    format!("{}...", &cut[..end])
}

/// Slack refuses a section text over 3,000 characters.
fn clip(text: &str) -> String {
    if text.len() <= 2900 {
        return text.to_owned();
    }
    let mut end = 2900;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n…", &text[..end])
}

/// Sends one notification to one target.
pub async fn send(aws: &Aws, target: &Target, notification: &Notification<'_>) -> Result<(), DriftError> {
    let failed = |message: String| DriftError::Notify { target: target.name(), message };
    match target {
        Target::Sns(arn) => {
            let subject = notification.subject.clone();
            let attributes = notification.attributes();
            let attributes: Vec<(&str, &str)> = attributes.iter().map(|(name, value)| (*name, value.as_str())).collect();
            holdfast_aws::notify::publish(aws, arn, &subject, &notification.text(), &attributes).await.map_err(|error| failed(error.to_string()))
        }
        Target::Webhook(url) => post(url, &notification.webhook_body()).await.map_err(failed),
        Target::File(path) => {
            let mut line = serde_json::to_string(notification).expect("a notification always serialises");
            line.push('\n');
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut file| file.write_all(line.as_bytes()))
                .map_err(|error| failed(error.to_string()))
        }
    }
}

/// The `X-Holdfast-Signature` value: `sha256=` and the hex HMAC-SHA256 of the body, as
/// HCP Terraform signs its notifications; a receiver recomputes it with the secret.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// POSTs JSON, over the HTTP stack the AWS SDK already builds (rustls, native roots).
async fn post(url: &str, body: &Value) -> Result<(), String> {
    use http_body_util::{BodyExt, Full};
    let body = serde_json::to_vec(body).expect("a webhook body always serialises");
    let uri: hyper::Uri = url.parse().map_err(|_| "the URL does not parse".to_owned())?;
    let mut request =
        hyper::Request::post(uri).header("content-type", "application/json").header("user-agent", concat!("holdfast/", env!("CARGO_PKG_VERSION")));
    if let Some(secret) = std::env::var_os("HOLDFAST_WEBHOOK_SECRET").filter(|secret| !secret.is_empty()) {
        request = request.header("x-holdfast-signature", signature(secret.as_encoded_bytes(), &body));
    }
    let request = request.body(Full::new(bytes::Bytes::from(body))).map_err(|error| error.to_string())?;
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|error| format!("no TLS root certificates: {error}"))?
        .https_or_http()
        .enable_http1()
        .build();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
    // Well inside the grace a signal gives a check under way, so every target is tried.
    let response = tokio::time::timeout(std::time::Duration::from_secs(10), client.request(request))
        .await
        .map_err(|_| "no answer within 10 s".to_owned())?
        .map_err(|error| format!("the request failed: {error}"))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let answer = response.into_body().collect().await.map(|body| body.to_bytes()).unwrap_or_default();
    let answer: String = String::from_utf8_lossy(&answer).chars().take(200).collect();
    Err(format!("the receiver answered {status}: {answer}"))
}
