"""The z360 account before the January 2026 sprint, as the seeds describe it.

One description, two uses: `make_example_snapshot.py` writes it as a holdfast
snapshot (examples/z360-before-sprint.json), and the emulator seeding script builds
the same account through boto3, so a plan of either must agree.

Names and generated suffixes follow AWS Copilot's patterns; the seeds give
`z360-staging-Cluster-rTtLLOHCi694` and `z360-staging-web-Service-NVLWiAgNh0UF`.
The REVERB values are made up: they stand for secrets and must never be printed.
"""

ACCOUNT_ID = "108782097218"
REGION = "us-east-1"
TAKEN_AT = "2026-01-09T09:00:00Z"

REVERB = {
    "staging": {"REVERB_APP_ID": "z360-staging", "REVERB_APP_KEY": "stg-key-4f9a0c2e71d8", "REVERB_APP_SECRET": "stg-secret-b83e5d17c09a"},
    "beta": {"REVERB_APP_ID": "z360-beta", "REVERB_APP_KEY": "beta-key-0d6e2b9f43a1", "REVERB_APP_SECRET": "beta-secret-71c4e8a2f5d0"},
}

# (app, env, cluster suffix, capacity providers, [(service, service suffix, revision)])
CLUSTERS = [
    ("z360", "staging", "rTtLLOHCi694", ["FARGATE", "FARGATE_SPOT"],
     [("web", "NVLWiAgNh0UF", 156), ("queue", "4kTq8ZbW1mXe", 47), ("reverb", "Jd72PqLxY3sA", 6)]),
    ("z360", "beta", "Vb3nQ8sKe1Lm", ["FARGATE", "FARGATE_SPOT"],
     [("web", "Hx5tR2wPq9Zc", 21), ("queue", "Mm4kW7yTn2Bd", 18), ("reverb", "Qp8sL3vXc6Ne", 3)]),
    ("z360-agent-layer", "staging", "Tg6yH1jKd4Rw", [],
     [("gateway", "Fa3nK8pLq2Wd", 12), ("aegra", "Zx7cV1bNm4Qt", 9), ("voice", "Ru5eY2tGh8Jk", 15)]),
    ("z360-agent-layer", "beta", "Lc2vB9nMx5Qs", [],
     [("gateway", "Wp6qE3rTy9Ui", 8), ("aegra", "Ds4fG7hJk1Lz", 6), ("voice", "Xc8vB2nMq5We", 11)]),
]

# Aurora Serverless v2 clusters: (identifier, max ACU). All unencrypted, 0.5 to 8 ACUs.
AURORA = [
    ("z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v", 8.0),
    ("z360-agent-layer-staging-addons-9pl4w2-agentdb-3ft6yq", 8.0),
    ("z360-beta-addonsstack-5mn8r1-z360dbcluster-2wq9ek4vj7cd", 8.0),
    ("z360-agent-layer-beta-addons-7hb3t6-agentdb-6ry2ux", 8.0),
]

# Where the clusters live: one subnet group and security group for all of them.
DB_SUBNET_GROUP = "z360-db-subnets"
DB_SECURITY_GROUP = "sg-0d1b2c3a4e5f60718"

# S3 buckets: (name, holds objects). Default encryption (SSE-S3), no lifecycle rules.
BUCKETS = [
    ("app-z360", True),
    ("zscribe-main", True),
    ("livkit-recordings", True),
    ("z360-staging-storage", True),
    ("z360-beta-storage", True),
    ("zscribe", False),  # orphaned and empty
]

# VPCs: (id, Name tag or None for the default VPC, cidr). No flow logs.
VPCS = [
    ("vpc-0c1e5a7b9d3f24680", "copilot-z360-beta", "10.1.0.0/16"),
    ("vpc-0d2f6b8c0e4a35791", None, "172.31.0.0/16"),
    ("vpc-0e3a7c9d1f5b46802", "copilot-z360-agent-layer-staging", "10.2.0.0/16"),
    ("vpc-0f4b8d0e2a6c57913", "copilot-z360-staging", "10.0.0.0/16"),
    ("vpc-0a5c9e1f3b7d68024", "copilot-z360-agent-layer-beta", "10.3.0.0/16"),
]

# KMS: the customer key for PHI, and the AWS managed keys in use.
KMS_ALIASES = [
    ("alias/z360-phi", "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"),
    ("alias/aws/ssm", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"),
    ("alias/aws/s3", "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e"),
    ("alias/aws/rds", "2c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f"),
]


def cluster_name(app, env, suffix):
    return f"{app}-{env}-Cluster-{suffix}"


def service_name(app, env, service, suffix):
    return f"{app}-{env}-{service}-Service-{suffix}"


def family(app, env, service):
    return f"{app}-{env}-{service}"


def aurora_for(app, env):
    """The Aurora cluster of an application's environment."""
    return next(identifier for identifier, _ in AURORA if identifier.startswith(f"{app}-{env}-addons"))


def aurora_endpoint(identifier):
    """The writer endpoint of a cluster in the example (the emulator makes its own)."""
    return f"{identifier}.cluster-c9x7k2m4p1qz.{REGION}.rds.amazonaws.com"


def environment(app, env, service, db_host=None):
    """The plaintext container environment of a service's task definition; `DB_HOST`, the
    writer endpoint of the environment's cluster, when given."""
    variables = {"COPILOT_APPLICATION_NAME": app, "COPILOT_ENVIRONMENT_NAME": env, "COPILOT_SERVICE_NAME": service, "LOG_CHANNEL": "stderr"}
    if db_host:
        variables["DB_HOST"] = db_host
    if app == "z360":
        variables["APP_ENV"] = env
        variables.update(REVERB[env])
    return variables


def service_tags(app, env, service):
    return {
        "aws:cloudformation:stack-name": f"{app}-{env}-{service}",
        "copilot-application": app,
        "copilot-environment": env,
        "copilot-service": service,
    }

# Usage, for cost estimates. The seeds state none, so these are invented to be plausible,
# and seeded into the emulator as CloudWatch metrics so a live read finds the same.
GIB = 1024 ** 3
# Every task is 0.5 vCPU and 1 GB, one running: the size the seeds' own Fargate Spot
# estimate (about $95 a month for 8 services at 70% off) implies.
TASK_CPU, TASK_MEMORY, RUNNING_TASKS = 512, 1024, 1
# Hourly ACU averages over 14 days, as (ACU, hours): 336 hours each.
ACU_USE = {
    "z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v": [(0.5, 290), (1.0, 40), (5.0, 6)],
    "z360-agent-layer-staging-addons-9pl4w2-agentdb-3ft6yq": [(0.5, 320), (2.5, 16)],
    "z360-beta-addonsstack-5mn8r1-z360dbcluster-2wq9ek4vj7cd": [(0.5, 250), (1.0, 70), (2.0, 16)],
    "z360-agent-layer-beta-addons-7hb3t6-agentdb-6ry2ux": [(0.5, 330), (1.0, 6)],
}
# Each cluster's volume, in bytes.
VOLUME_BYTES = {
    "z360-staging-addonsstack-1xk2j3-z360dbcluster-8hq2mzm3kd7v": 2 * GIB,
    "z360-agent-layer-staging-addons-9pl4w2-agentdb-3ft6yq": 1 * GIB,
    "z360-beta-addonsstack-5mn8r1-z360dbcluster-2wq9ek4vj7cd": 6 * GIB,
    "z360-agent-layer-beta-addons-7hb3t6-agentdb-6ry2ux": 1 * GIB,
}
# What each bucket stores: (bytes by CloudWatch StorageType, objects). zscribe is empty.
BUCKET_STORAGE = {
    "app-z360": ({"StandardStorage": 40 * GIB}, 120_000),
    "zscribe-main": ({"StandardStorage": 150 * GIB}, 300_000),
    "livkit-recordings": ({"StandardStorage": 400 * GIB}, 20_000),
    "z360-staging-storage": ({"StandardStorage": 5 * GIB}, 10_000),
    "z360-beta-storage": ({"StandardStorage": 8 * GIB}, 15_000),
}


def hourly_acu(identifier):
    """The hourly values of ACU_USE, the most common first."""
    return [acu for acu, hours in ACU_USE[identifier] for _ in range(hours)]


# The KMS key for PHI as it was before the sprint: no automatic rotation.
PHI_KEY_DESCRIPTION = "z360 PHI"

# Before the sprint: no trail, GuardDuty and Security Hub off, no AWS Config recorder.
# The orphaned Application Load Balancer: (name, listener port, target group, targets).
ORPHANED_ALB = ("AppLoadbalancer", 80, "app-default", 0)
