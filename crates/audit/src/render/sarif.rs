//! SARIF 2.1.0, for code scanning: one rule per check, one result per failing resource,
//! located at the desired-state line that fixes it where there is one (an entry that
//! declares the setting, or one that should), and by resource name otherwise.

use serde_json::{Value, json};

use crate::catalogue::{self, CHECKS};
use crate::render::fix_parts;
use crate::report::{Fix, Report, Status};

pub fn sarif(report: &Report) -> String {
    let rules: Vec<Value> = CHECKS
        .iter()
        .map(|check| {
            let mut tags = vec!["hipaa".to_owned(), check.category.id().to_owned()];
            tags.extend(check.clauses.iter().map(|clause| format!("45 CFR {clause}")));
            json!({
                "id": check.id,
                "name": rule_name(check.id),
                "shortDescription": { "text": check.title },
                "fullDescription": { "text": check.rationale },
                "help": { "text": help(check) },
                "defaultConfiguration": { "level": "error" },
                "properties": {
                    "tags": tags,
                    "category": check.category.title(),
                    "awsConfigRules": check.config_rules,
                    "prowlerChecks": check.prowler,
                }
            })
        })
        .collect();
    let mut results = Vec::new();
    for check in report.checks.iter().filter(|check| matches!(check.status, Status::Fail | Status::NeedsAttestation)) {
        let rule_index = CHECKS.iter().position(|known| known.id == check.id);
        for finding in check.findings.iter().filter(|finding| !finding.passed) {
            let mut text = format!("{}: {} is {}.", finding.resource, finding.attribute, finding.observed);
            if let Some(note) = &finding.note {
                text.push_str(&format!(" {note}."));
            }
            if let Some(fix) = &finding.fix {
                let (line, toml) = fix_parts(fix);
                text.push_str(&format!(" Fix: {line}"));
                if let Some(toml) = toml {
                    text.push_str(&format!("\n{toml}"));
                }
            }
            let mut result = json!({
                "ruleId": check.id,
                "level": "error",
                "message": { "text": text },
                "partialFingerprints": { "holdfastFinding/v1": format!("{}|{}|{}", check.id, finding.resource, finding.attribute) },
            });
            if let Some(index) = rule_index {
                result["ruleIndex"] = json!(index);
            }
            let logical = json!([{ "fullyQualifiedName": finding.resource, "kind": "resource" }]);
            let location = match &finding.fix {
                Some(Fix::Declared { location, .. } | Fix::AddToEntry { location, .. }) => json!({
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&location.file) },
                        "region": { "startLine": location.line.max(1), "startColumn": location.column.max(1) }
                    },
                    "logicalLocations": logical,
                }),
                _ => json!({ "logicalLocations": logical }),
            };
            result["locations"] = json!([location]);
            results.push(result);
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "holdfast",
                "informationUri": "https://github.com/holdfast-dev/holdfast",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "automationDetails": { "id": format!("holdfast-audit/{}/{}/", report.account_id, report.region) },
            "results": results,
            "properties": { "score": report.score.overall, "readAt": report.read_at },
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF always serialises");
    text.push('\n');
    text
}

/// `s3.tls_only` -> `S3TlsOnly`, SARIF's rule name form.
fn rule_name(id: &str) -> String {
    id.split(['.', '_'])
        .map(|part| {
            let mut characters = part.chars();
            characters.next().map(|first| first.to_uppercase().chain(characters).collect::<String>()).unwrap_or_default()
        })
        .collect()
}

fn help(check: &catalogue::Check) -> String {
    let mut help = format!("{} Supports 45 CFR {}.", check.rationale, check.clauses.join(", "));
    if !check.config_rules.is_empty() {
        help.push_str(&format!(" AWS Config: {}.", check.config_rules.join(", ")));
    }
    if !check.prowler.is_empty() {
        help.push_str(&format!(" Prowler: {}.", check.prowler.join(", ")));
    }
    if !check.beyond_peers.is_empty() {
        help.push_str(&format!(" Beyond the peers: {}.", check.beyond_peers));
    }
    help
}

/// A relative URI for a file path: `/` separators, spaces and the like percent-encoded.
fn uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::new();
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(byte as char),
            b'\\' => out.push('/'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}
