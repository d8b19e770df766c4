//! ECS clusters, their services, and the task definitions those services run.

use serde::{Deserialize, Serialize};

use crate::Tags;
use crate::secret::{Salt, SecretHash};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ecs {
    pub clusters: Vec<Cluster>,
    /// Every task definition a read service runs, once each, and the revisions holdfast
    /// moved secrets out of where a value may still be needed from them.
    pub task_definitions: Vec<TaskDefinition>,
    /// The capacity providers strategies name, other than FARGATE and FARGATE_SPOT, that
    /// exist in the account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity_providers: Vec<String>,
    /// Task definitions a service runs that ECS would not describe, with the error: the
    /// audit reads on past them and reports each.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub unreadable_task_definitions: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub name: String,
    pub arn: String,
    /// Capacity providers attached to the cluster; a service strategy may only use these.
    pub capacity_providers: Vec<String>,
    #[serde(default)]
    pub default_strategy: Vec<StrategyItem>,
    #[serde(default)]
    pub tags: Tags,
    pub services: Vec<Service>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    pub arn: String,
    /// Set when the service runs on a launch type rather than a capacity provider strategy.
    pub launch_type: Option<String>,
    #[serde(default)]
    pub capacity_provider_strategy: Vec<StrategyItem>,
    /// The task definition ARN, with its revision.
    pub task_definition: String,
    /// Recorded for the reader's benefit; holdfast leaves it to the autoscaler.
    pub desired_count: u32,
    /// Tasks running when read: what a cost estimate multiplies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running_count: Option<u32>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyItem {
    pub provider: String,
    pub weight: u32,
    pub base: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinition {
    pub arn: String,
    pub family: String,
    pub revision: u32,
    pub execution_role_arn: Option<String>,
    /// The task's size, as ECS counts it (1024 CPU units are one vCPU) and MiB: what
    /// Fargate bills. None when the definition sets no task-level size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_units: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u32>,
    /// `runtimePlatform`: `X86_64` or `ARM64`, and `LINUX` or a Windows family; None when
    /// the definition names none (Linux on x86).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_architecture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_family: Option<String>,
    pub containers: Vec<Container>,
    /// For a revision holdfast registered to move variables into `secrets`: the revision
    /// it was made from (its `holdfast:secrets-moved-from` tag), which still holds the
    /// plaintext values should a parameter they moved to be missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets_moved_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    /// Plaintext variables, values kept only as salted hashes: any of them may be a secret.
    #[serde(default)]
    pub environment: Vec<EnvironmentVariable>,
    #[serde(default)]
    pub secrets: Vec<SecretReference>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentVariable {
    pub name: String,
    pub value_hash: SecretHash,
    /// Whether the value looked like a secret when read (a generated key or token, a
    /// private key, a URL with a password): the one thing the audit learns of a value, so
    /// a secret under an innocent name is still reported.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub looks_secret: bool,
    /// The RDS host names the value holds (`db.cluster-abc.us-east-1.rds.amazonaws.com`),
    /// lowercased: an encryption migration's cutover lists the variables naming the old
    /// cluster. A host name is an address, never the secret part of a value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rds_hosts: Vec<String>,
}

impl EnvironmentVariable {
    /// Hashes the value at once, and notes whether it looks random; the value itself is
    /// never kept.
    pub fn new(salt: &Salt, name: &str, value: &str) -> Self {
        Self { name: name.to_owned(), value_hash: SecretHash::of(salt, value), looks_secret: looks_secret(value), rds_hosts: rds_hosts(value) }
    }
}

const RDS_DOMAIN: &str = ".rds.amazonaws.com";

/// The RDS endpoint host names in a value: each `.rds.amazonaws.com` with the name before
/// it, wherever it stands (alone, in a URL, in a connection string).
pub fn rds_hosts(value: &str) -> Vec<String> {
    let lower = value.to_ascii_lowercase();
    let mut hosts: Vec<String> = lower
        .match_indices(RDS_DOMAIN)
        .filter_map(|(at, _)| {
            let start = lower[..at].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.')).map_or(0, |before| before + 1);
            (start < at).then(|| lower[start..at + RDS_DOMAIN.len()].to_owned())
        })
        .collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// Whether a value looks like a secret: a PEM private key; a URL with a password in it
/// (`postgres://app:PASSWORD@host/db`); a JSON Web Token; or, after detect-secrets' two
/// detectors, a generated string: base64-alphabet (with `+`, `/`, `=`, `-`, `_`) of 20
/// characters or more above 4.0 bits per character, with a run of 16 or more between
/// `-`, `_` and `/` (so `app-Cluster-rTtLLOHCi694`, a name with a generated suffix, is
/// not one), or hex of 32 or more above 3.0. Host names, paths and ARNs hold `.` or `:`
/// or start with `/`, so they never qualify; nor does a random value under 20 characters.
pub fn looks_secret(value: &str) -> bool {
    let entropy = || crate::iam::bits_per_character(value);
    let pem = value.contains("PRIVATE KEY-----");
    let url_password = value.split_once("://").is_some_and(|(_, rest)| {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        authority.rsplit_once('@').is_some_and(|(credentials, _)| credentials.split_once(':').is_some_and(|(_, password)| !password.is_empty()))
    });
    let jwt = value.starts_with("eyJ") && value.split('.').count() == 3 && value.len() >= 30;
    // `Password=...;` in a connection string, `password=` in a JDBC query, a storage key.
    let lower = value.to_ascii_lowercase();
    let assigned = ["password=", "pwd=", "accountkey=", "sharedaccesskey=", "api_key=", "apikey=", "access_token=", "client_secret=", "secret="]
        .iter()
        .any(|marker| lower.match_indices(marker).any(|(at, _)| at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric()) && !lower.ends_with(marker));
    let hex = value.len() >= 32 && value.chars().all(|c| c.is_ascii_hexdigit());
    let base64 = value.len() >= 20
        && !value.starts_with('/')
        && !value.contains("//")
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-'));
    let longest_run = value.split(['-', '_', '/']).map(str::len).max().unwrap_or(0);
    let mixed = value.chars().any(|c| c.is_ascii_digit()) && value.chars().any(|c| c.is_ascii_alphabetic());
    pem || url_password || jwt || assigned || (hex && mixed && entropy() > 3.0) || (base64 && longest_run >= 16 && mixed && entropy() > 4.0)
}

/// A container secret: the variable `name` is filled from `value_from` (an SSM
/// parameter name or ARN, or a Secrets Manager ARN).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SecretReference {
    pub name: String,
    pub value_from: String,
}

impl Ecs {
    pub fn task_definition(&self, arn: &str) -> Option<&TaskDefinition> {
        self.task_definitions.iter().find(|definition| definition.arn == arn)
    }

    pub(crate) fn sort(&mut self) {
        self.clusters.sort_by(|a, b| a.name.cmp(&b.name));
        for cluster in &mut self.clusters {
            cluster.services.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.task_definitions.sort_by(|a, b| a.arn.cmp(&b.arn));
    }
}

impl TaskDefinition {
    /// `family:revision`, as the ECS console shows it.
    pub fn short_name(&self) -> String {
        format!("{}:{}", self.family, self.revision)
    }
}

/// A variable name that says it holds a secret, read word by word (split at `_`, `-`,
/// `.`): a secret word (`PASSWORD`, `SECRET`, `TOKEN`, `CREDENTIALS`, `DSN`, ...), a last
/// word `KEY` (`REVERB_APP_KEY`), `API_KEY`, `PRIVATE_KEY`, or a connection string
/// (`DATABASE_URL`, `ConnectionStrings__Default`); unless another word says it is about a
/// secret rather than one (`TOKEN_EXPIRY_SECONDS`, `PASSWORD_MIN_LENGTH`, `SECRET_ARN`,
/// `KEY_ID`, `PRIMARY_KEY`, `STRIPE_PUBLISHABLE_KEY`). `MAX_TOKENS` and `TOKENIZERS_*`
/// are other words altogether.
pub fn looks_like_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '-', '.', ':']).filter(|word| !word.is_empty()).collect();
    const CONNECTION: [&str; 4] = ["DATABASE_URL", "CONNECTION_STRING", "CONNECTIONSTRING", "CONN_STR"];
    if CONNECTION.iter().any(|part| upper.contains(part)) {
        return true;
    }
    const ABOUT_A_SECRET: [&str; 34] = [
        "ARN",
        "ID",
        "NAME",
        "PATH",
        "FILE",
        "URL",
        "URI",
        "ENDPOINT",
        "HOST",
        "PUBLIC",
        "PUBLISHABLE",
        "MAX",
        "MIN",
        "LENGTH",
        "LEN",
        "EXPIRY",
        "EXPIRES",
        "EXPIRATION",
        "TTL",
        "SECONDS",
        "MINUTES",
        "TIMEOUT",
        "COUNT",
        "LIMIT",
        "SIZE",
        "ENABLED",
        "DISABLED",
        "HEADER",
        "TYPE",
        "REGION",
        "PREFIX",
        "VERSION",
        "ROTATION",
        "POLICY",
    ];
    const NOT_A_SECRET_KEY: [&str; 8] = ["PRIMARY", "SORT", "PARTITION", "HASH", "RANGE", "FOREIGN", "CACHE", "IDEMPOTENCY"];
    if words.iter().any(|word| ABOUT_A_SECRET.contains(word)) {
        return false;
    }
    const SECRET_WORDS: [&str; 14] = [
        "PASSWORD",
        "PASSWD",
        "PASSPHRASE",
        "PASS",
        "PWD",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "CREDENTIAL",
        "CREDENTIALS",
        "APIKEY",
        "PRIVATEKEY",
        "DSN",
        "AUTHKEY",
    ];
    let last_is_key = words.last() == Some(&"KEY") && !words.iter().any(|word| NOT_A_SECRET_KEY.contains(word));
    words.iter().any(|word| SECRET_WORDS.contains(word)) || last_is_key
}

/// Values that look like secrets are reported, unless the name says what else they are:
/// a commit, a digest, a checksum.
pub fn names_a_fingerprint(name: &str) -> bool {
    const FINGERPRINTS: [&str; 10] = ["SHA", "COMMIT", "REVISION", "DIGEST", "CHECKSUM", "HASH", "ETAG", "BUILD", "VERSION", "MD5"];
    name.to_ascii_uppercase().split(['_', '-', '.']).any(|word| FINGERPRINTS.contains(&word))
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn rds_hosts_are_found_alone_in_urls_and_in_connection_strings_and_nothing_else_is_kept() {
        assert_eq!(super::rds_hosts("orders.cluster-abc123.us-east-1.rds.amazonaws.com"), ["orders.cluster-abc123.us-east-1.rds.amazonaws.com"]);
        assert_eq!(
            super::rds_hosts("postgres://app:S3cret@Orders.cluster-ro-abc123.us-east-1.rds.amazonaws.com:5432/app"),
            ["orders.cluster-ro-abc123.us-east-1.rds.amazonaws.com"]
        );
        assert_eq!(super::rds_hosts("Server=a.b.eu-west-1.rds.amazonaws.com;Password=x;"), ["a.b.eu-west-1.rds.amazonaws.com"]);
        assert!(super::rds_hosts("db.internal:5432").is_empty());
        assert!(super::rds_hosts(".rds.amazonaws.com").is_empty());
    }

    #[test]
    fn secrets_look_secret_and_names_urls_paths_and_words_do_not() {
        for value in [
            "q8Zt3LmX0vR7pK2wYc9NfB4hJ6sD1aGe",
            "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
            "3f9a1c6e2b7d4a8f9e0c1b2a3d4e5f6a",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            "postgres://admin:Sup3rS3cretPassw0rd@db.internal:5432/app",
            "Server=tcp:db.example.com;User ID=sa;Password=Sup3rS3cret!;",
            "jdbc:postgresql://db.example.com:5432/app?user=admin&password=Sup3rS3cretPw",
            "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc123==;EndpointSuffix=core.windows.net",
            "https://api.example.com/v1?api_key=Sup3rS3cretPw",
        ] {
            assert!(looks_secret(value), "{value}");
        }
        for value in [
            "info",
            "production",
            "orders-db.cluster-abc123xyz.us-east-1.rds.amazonaws.com",
            "https://api.example.com/v1",
            "arn:aws:ssm:us-east-1:123456789012:parameter/app/key",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "z360-staging-Cluster-rTtLLOHCi694",
            "CamelCaseServiceNameWithoutDigits",
            "/var/lib/app/data/cache/2024",
            "postgres://db.internal:5432/app",
            "https://user@example.com/path",
            "password_min_length=12",
            "https://example.com/reset?next=password=",
        ] {
            assert!(!looks_secret(value), "{value}");
        }
    }
}
