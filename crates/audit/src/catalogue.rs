//! Every check the audit runs: its stable id, title, category, the HIPAA clauses it
//! supports, and the matching AWS Config managed rule and Prowler check, where one exists.
//!
//! Clause mappings follow Prowler's HIPAA framework (`hipaa_aws.json`), which also maps
//! the Config conformance pack's rules; where no peer maps a check, the mapping is
//! holdfast's own and `mapped_by` says so. `docs/audit.md` lists the sources.

use serde::{Deserialize, Serialize};

/// The report's categories, in the order the seeds' status report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    AuditLogging,
    ThreatDetection,
    ConfigurationTracking,
    EncryptionAtRest,
    AccessControl,
    TransmissionSecurity,
    Administrative,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::AuditLogging,
        Category::ThreatDetection,
        Category::ConfigurationTracking,
        Category::EncryptionAtRest,
        Category::AccessControl,
        Category::TransmissionSecurity,
        Category::Administrative,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::AuditLogging => "audit-logging",
            Category::ThreatDetection => "threat-detection",
            Category::ConfigurationTracking => "configuration-tracking",
            Category::EncryptionAtRest => "encryption-at-rest",
            Category::AccessControl => "access-control",
            Category::TransmissionSecurity => "transmission-security",
            Category::Administrative => "administrative",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Category::AuditLogging => "Audit logging",
            Category::ThreatDetection => "Threat detection",
            Category::ConfigurationTracking => "Configuration tracking",
            Category::EncryptionAtRest => "Encryption at rest",
            Category::AccessControl => "Access control",
            Category::TransmissionSecurity => "Transmission security",
            Category::Administrative => "Administrative safeguards",
        }
    }
}

/// Who maps a check to its clauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappedBy {
    /// Prowler's HIPAA framework maps the check (or its Config rule) to these clauses.
    Prowler,
    /// No peer maps it to HIPAA: the clauses are holdfast's reading, stated as such.
    Holdfast,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub id: &'static str,
    pub title: &'static str,
    pub category: Category,
    /// 45 CFR clauses, `164.312(b)`.
    pub clauses: &'static [&'static str],
    pub mapped_by: MappedBy,
    /// AWS Config managed rules that check the same thing.
    pub config_rules: &'static [&'static str],
    /// Prowler checks that check the same thing (or part of it).
    pub prowler: &'static [&'static str],
    /// What the peers miss that this check sees; empty where they see the same.
    pub beyond_peers: &'static str,
    /// Why it matters, in one sentence.
    pub rationale: &'static str,
    /// Only a person can answer it: shown as attested or not.
    pub manual: bool,
}

const GUARDDUTY_CLAUSES: &[&str] = &["164.312(b)", "164.312(e)(2)(i)", "164.308(a)(1)(ii)(A)", "164.308(a)(1)(ii)(D)", "164.308(a)(6)"];
const AURORA_CLAUSES: &[&str] = &["164.312(a)(2)(iv)", "164.312(e)(2)(ii)", "164.308(a)(1)(ii)(B)", "164.308(a)(4)(ii)(A)"];
const S3_ENCRYPTION_CLAUSES: &[&str] = &["164.312(a)(2)(iv)", "164.312(c)(1)", "164.312(c)(2)", "164.312(e)(2)(ii)"];
const MFA_CLAUSES: &[&str] = &["164.312(a)(1)", "164.312(d)", "164.308(a)(3)(ii)(A)"];

/// The catalogue, in report order.
pub const CHECKS: &[Check] = &[
    Check {
        id: "cloudtrail.multi_region_logging",
        title: "A multi-region CloudTrail trail is logging",
        category: Category::AuditLogging,
        clauses: &["164.312(b)", "164.312(e)(2)(i)", "164.308(a)(1)(ii)(D)"],
        mapped_by: MappedBy::Prowler,
        config_rules: &["multi-region-cloudtrail-enabled", "cloudtrail-enabled"],
        prowler: &["cloudtrail_multi_region_enabled"],
        beyond_peers: "logging must actually be on (GetTrailStatus), not only the trail configured",
        rationale: "Every API call on ePHI systems, in every region, is recorded.",
        manual: false,
    },
    Check {
        id: "cloudtrail.log_file_validation",
        title: "Trails validate their log files",
        category: Category::AuditLogging,
        clauses: &["164.312(b)", "164.312(c)(1)", "164.312(c)(2)"],
        mapped_by: MappedBy::Prowler,
        config_rules: &["cloud-trail-log-file-validation-enabled"],
        prowler: &["cloudtrail_log_file_validation_enabled"],
        beyond_peers: "",
        rationale: "A digest chain shows whether a log file was altered or deleted after delivery.",
        manual: false,
    },
    Check {
        id: "cloudtrail.kms_encryption",
        title: "Trails encrypt their logs with a KMS key",
        category: Category::AuditLogging,
        clauses: &["164.312(b)", "164.312(a)(2)(iv)", "164.312(e)(2)(ii)"],
        mapped_by: MappedBy::Prowler,
        config_rules: &["cloud-trail-encryption-enabled"],
        prowler: &["cloudtrail_kms_encryption_enabled"],
        beyond_peers: "",
        rationale: "Audit logs name ePHI resources and who touched them; a KMS key controls who can read them.",
        manual: false,
    },
    Check {
        id: "vpc.flow_logs",
        title: "Every VPC, used or not, logs all its traffic",
        category: Category::AuditLogging,
        clauses: &["164.312(b)", "164.312(c)(2)", "164.308(a)(1)(ii)(D)", "164.308(a)(3)(ii)(A)", "164.308(a)(6)(ii)"],
        mapped_by: MappedBy::Prowler,
        config_rules: &["vpc-flow-logs-enabled"],
        prowler: &["vpc_flow_logs_enabled"],
        beyond_peers: "Prowler skips VPCs without network interfaces unless asked to scan unused services; an unused VPC is where an intruder starts quietly",
        rationale: "Network traffic records are the forensics of an incident.",
        manual: false,
    },
    Check {
        id: "guardduty.enabled",
        title: "GuardDuty is enabled",
        category: Category::ThreatDetection,
        clauses: GUARDDUTY_CLAUSES,
        mapped_by: MappedBy::Prowler,
        config_rules: &["guardduty-enabled-centralized"],
        prowler: &["guardduty_is_enabled"],
        beyond_peers: "",
        rationale: "Threats to ePHI systems are detected continuously.",
        manual: false,
    },
    Check {
        id: "guardduty.protection_features",
        title: "GuardDuty's S3, RDS, Lambda and malware protections are on",
        category: Category::ThreatDetection,
        clauses: GUARDDUTY_CLAUSES,
        mapped_by: MappedBy::Holdfast,
        config_rules: &[
            "guardduty-s3-protection-enabled",
            "guardduty-rds-protection-enabled",
            "guardduty-lambda-protection-enabled",
            "guardduty-malware-protection-enabled",
        ],
        prowler: &["guardduty_s3_protection_enabled", "guardduty_rds_protection_enabled", "guardduty_lambda_protection_enabled"],
        beyond_peers: "the four together, as one HIPAA item; no peer maps them to HIPAA",
        rationale: "Without them GuardDuty does not watch data access in S3, logins to Aurora, Lambda's network, or EBS for malware.",
        manual: false,
    },
    Check {
        id: "guardduty.finding_frequency",
        title: "GuardDuty publishes findings every 15 minutes",
        category: Category::ThreatDetection,
        clauses: &["164.308(a)(1)(ii)(D)", "164.308(a)(6)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &[],
        prowler: &[],
        beyond_peers: "no peer checks it; the default is 6 hours",
        rationale: "An incident found six hours late is six hours of access to ePHI.",
        manual: false,
    },
    Check {
        id: "securityhub.enabled",
        title: "Security Hub is enabled",
        category: Category::ThreatDetection,
        clauses: GUARDDUTY_CLAUSES,
        mapped_by: MappedBy::Prowler,
        config_rules: &["securityhub-enabled"],
        prowler: &["securityhub_enabled"],
        beyond_peers: "",
        rationale: "Findings from every service are gathered and evaluated in one place.",
        manual: false,
    },
    Check {
        id: "securityhub.fsbp",
        title: "Security Hub runs AWS Foundational Security Best Practices",
        category: Category::ThreatDetection,
        clauses: &["164.308(a)(1)(ii)(A)", "164.308(a)(8)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &[],
        prowler: &[],
        beyond_peers: "no peer checks the subscription; a hub with no standard evaluates nothing",
        rationale: "The standard is what turns the hub into a continuous evaluation of the account.",
        manual: false,
    },
    Check {
        id: "config.recorder_on",
        title: "AWS Config records, with a delivery channel",
        category: Category::ConfigurationTracking,
        clauses: &["164.308(a)(1)(ii)(A)", "164.312(b)"],
        mapped_by: MappedBy::Prowler,
        config_rules: &[],
        prowler: &["config_recorder_all_regions_enabled"],
        beyond_peers: "",
        rationale: "A history of every configuration change is the evidence of what the account looked like when.",
        manual: false,
    },
    Check {
        id: "config.records_everything",
        title: "AWS Config records all supported and global resource types",
        category: Category::ConfigurationTracking,
        clauses: &["164.308(a)(1)(ii)(A)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &[],
        prowler: &[],
        beyond_peers: "Prowler checks that a recorder records, not what it covers",
        rationale: "A recorder limited to some types leaves IAM and the rest unrecorded.",
        manual: false,
    },
    Check {
        id: "aurora.cluster_encrypted",
        title: "Aurora clusters encrypt their storage",
        category: Category::EncryptionAtRest,
        clauses: AURORA_CLAUSES,
        mapped_by: MappedBy::Prowler,
        config_rules: &["rds-cluster-encrypted-at-rest", "rds-storage-encrypted"],
        prowler: &["rds_cluster_storage_encrypted", "rds_instance_storage_encrypted"],
        beyond_peers: "clusters, not only instances: Prowler's HIPAA mapping checks instances, so a cluster with none (restored, paused, or between migrations) is never seen",
        rationale: "The database holds the PHI itself; encryption can only be chosen when a cluster is created.",
        manual: false,
    },
    Check {
        id: "rds.storage_encrypted",
        title: "RDS databases outside Aurora encrypt their storage",
        category: Category::EncryptionAtRest,
        clauses: AURORA_CLAUSES,
        mapped_by: MappedBy::Prowler,
        config_rules: &["rds-storage-encrypted"],
        prowler: &["rds_instance_storage_encrypted"],
        beyond_peers: "Multi-AZ DB clusters as well as instances",
        rationale: "A database holdfast does not manage may hold PHI all the same.",
        manual: false,
    },
    Check {
        id: "s3.default_encryption",
        title: "S3 buckets have default encryption",
        category: Category::EncryptionAtRest,
        clauses: S3_ENCRYPTION_CLAUSES,
        mapped_by: MappedBy::Prowler,
        config_rules: &["s3-bucket-server-side-encryption-enabled"],
        prowler: &["s3_bucket_default_encryption"],
        beyond_peers: "",
        rationale: "Every object written is encrypted, whatever the writer asked for.",
        manual: false,
    },
    Check {
        id: "s3.kms_encryption",
        title: "S3 buckets encrypt with a KMS key (SSE-KMS)",
        category: Category::EncryptionAtRest,
        clauses: S3_ENCRYPTION_CLAUSES,
        mapped_by: MappedBy::Holdfast,
        config_rules: &["s3-default-encryption-kms"],
        prowler: &["s3_bucket_kms_encryption"],
        beyond_peers: "Prowler does not map it to HIPAA",
        rationale: "With SSE-KMS, reading an object needs the key as well as the bucket, and every use of the key is logged.",
        manual: false,
    },
    Check {
        id: "ssm.secure_string_cmk",
        title: "Secrets in Parameter Store are SecureStrings under a customer-managed key",
        category: Category::EncryptionAtRest,
        clauses: &["164.312(a)(2)(iv)", "164.312(a)(1)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &[],
        prowler: &[],
        beyond_peers: "no peer checks it",
        rationale: "A secret in a String parameter is plaintext; under AWS's own key anyone with ssm:GetParameter reads it, under yours the key policy decides.",
        manual: false,
    },
    Check {
        id: "ecs.no_plaintext_secrets",
        title: "Task definitions in use hold no secrets in plaintext environment variables",
        category: Category::AccessControl,
        clauses: &["164.312(a)(1)", "164.312(a)(2)(iv)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &["ecs-no-environment-secrets"],
        prowler: &["ecs_task_definitions_no_environment_secrets"],
        beyond_peers: "values that look random are found under any name; no peer maps it to HIPAA",
        rationale: "Anyone who can describe a task definition reads its environment.",
        manual: false,
    },
    Check {
        id: "iam.user_mfa",
        title: "IAM users with a console password have MFA",
        category: Category::AccessControl,
        clauses: MFA_CLAUSES,
        mapped_by: MappedBy::Prowler,
        config_rules: &["mfa-enabled-for-iam-console-access", "iam-user-mfa-enabled"],
        prowler: &["iam_user_mfa_enabled_console_access"],
        beyond_peers: "",
        rationale: "A password alone is one phishing email from ePHI.",
        manual: false,
    },
    Check {
        id: "iam.access_key_age",
        title: "Active access keys are at most 90 days old",
        category: Category::AccessControl,
        clauses: &["164.308(a)(3)(ii)(C)", "164.308(a)(4)(ii)(C)", "164.308(a)(5)(ii)(D)"],
        mapped_by: MappedBy::Prowler,
        config_rules: &["access-keys-rotated"],
        prowler: &["iam_rotate_access_key_90_days"],
        beyond_peers: "",
        rationale: "A long-lived key outlives the person and the laptop it was made for.",
        manual: false,
    },
    Check {
        id: "iam.root_mfa",
        title: "The root user has MFA",
        category: Category::AccessControl,
        clauses: MFA_CLAUSES,
        mapped_by: MappedBy::Prowler,
        config_rules: &["root-account-mfa-enabled"],
        prowler: &["iam_root_mfa_enabled"],
        beyond_peers: "",
        rationale: "The root user can do anything, including close the account.",
        manual: false,
    },
    Check {
        id: "iam.root_access_keys",
        title: "The root user has no access keys",
        category: Category::AccessControl,
        clauses: &["164.312(a)(1)", "164.308(a)(3)(ii)(A)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &["iam-root-access-key-check"],
        prowler: &["iam_no_root_access_key"],
        beyond_peers: "",
        rationale: "A root key cannot be limited by any policy.",
        manual: false,
    },
    Check {
        id: "s3.tls_only",
        title: "S3 buckets deny requests without TLS",
        category: Category::TransmissionSecurity,
        clauses: &["164.312(a)(2)(iv)", "164.312(c)(1)", "164.312(e)(1)", "164.312(e)(2)(i)"],
        mapped_by: MappedBy::Prowler,
        config_rules: &["s3-bucket-ssl-requests-only"],
        prowler: &["s3_bucket_secure_transport_policy"],
        beyond_peers: "",
        rationale: "Without a Deny on aws:SecureTransport, a client may send ePHI over plain HTTP.",
        manual: false,
    },
    Check {
        id: "manual.baa",
        title: "The AWS Business Associate Addendum is accepted (AWS Artifact)",
        category: Category::Administrative,
        clauses: &["164.308(b)(1)", "164.314(a)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &[],
        prowler: &[],
        beyond_peers: "no API shows it",
        rationale: "Without a BAA, AWS is not a business associate and ePHI may not be stored there.",
        manual: true,
    },
    Check {
        id: "manual.risk_assessment",
        title: "A risk assessment is done and current",
        category: Category::Administrative,
        clauses: &["164.308(a)(1)(ii)(A)", "164.308(a)(1)(ii)(B)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &[],
        prowler: &[],
        beyond_peers: "no API shows it",
        rationale: "HIPAA requires an accurate and thorough assessment of the risks to ePHI.",
        manual: true,
    },
    Check {
        id: "manual.incident_response",
        title: "An incident response plan exists",
        category: Category::Administrative,
        clauses: &["164.308(a)(6)(i)", "164.308(a)(6)(ii)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &[],
        prowler: &[],
        beyond_peers: "no API shows it",
        rationale: "Findings are only useful if someone knows what to do with them.",
        manual: true,
    },
    Check {
        id: "manual.security_policies",
        title: "Security policies and procedures are documented",
        category: Category::Administrative,
        clauses: &["164.316(a)", "164.316(b)(1)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &[],
        prowler: &[],
        beyond_peers: "no API shows it",
        rationale: "HIPAA requires written policies, kept for six years.",
        manual: true,
    },
    Check {
        id: "manual.workforce_training",
        title: "Security awareness training is documented",
        category: Category::Administrative,
        clauses: &["164.308(a)(5)(i)"],
        mapped_by: MappedBy::Holdfast,
        config_rules: &[],
        prowler: &[],
        beyond_peers: "no API shows it",
        rationale: "People with access to ePHI are trained to protect it.",
        manual: true,
    },
];

/// The check with this id.
pub fn check(id: &str) -> &'static Check {
    CHECKS.iter().find(|check| check.id == id).unwrap_or_else(|| panic!("no check `{id}` in the catalogue"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_the_manual_ones_are_those_attestations_accept() {
        let mut ids: Vec<&str> = CHECKS.iter().map(|check| check.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CHECKS.len());
        let manual: Vec<&str> = CHECKS.iter().filter(|check| check.manual).map(|check| check.id).collect();
        assert_eq!(manual, holdfast_desired::audit::MANUAL_CHECKS);
        for check in CHECKS {
            assert!(!check.clauses.is_empty(), "{} supports no clause", check.id);
            assert!(check.clauses.iter().all(|clause| clause.starts_with("164.3")), "{}", check.id);
            assert_eq!(check.manual, check.category == Category::Administrative, "{}", check.id);
        }
        assert!(Category::ALL.iter().all(|category| CHECKS.iter().any(|check| check.category == *category)));
    }
}
