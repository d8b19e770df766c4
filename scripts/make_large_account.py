#!/usr/bin/env python3
"""Writes a large synthetic account (a snapshot and a desired state) for scripts/bench.

    make_large_account.py DIR SERVICES BUCKETS PARAMETERS VPCS

Half of everything is drifted, so the plan has real work to do.
"""

import hashlib
import hmac
import json
import pathlib
import sys

SALT = "62656e63682d73616c74"
ACCOUNT = "123456789012"
REGION = "us-east-1"


def secret_hash(value):
    return "hmac-sha256:" + hmac.new(bytes.fromhex(SALT), value.encode(), hashlib.sha256).hexdigest()


def main():
    out = pathlib.Path(sys.argv[1])
    services, buckets, parameters, vpcs = (int(value) for value in sys.argv[2:6])
    clusters_count = max(1, services // 50)
    clusters, definitions = [], []
    for c in range(clusters_count):
        name = f"team{c:03d}-Cluster-x{c}"
        live = []
        for s in range(c * 50, min(services, (c + 1) * 50)):
            arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/svc{s:05d}:1"
            live.append({"name": f"team{c:03d}-svc{s:05d}-Service-q", "arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{name}/svc{s}", "launch_type": "FARGATE" if s % 2 else None,
                         "capacity_provider_strategy": [] if s % 2 else [{"provider": "FARGATE_SPOT", "weight": 1, "base": 0}], "task_definition": arn, "desired_count": 2, "running_count": 2, "tags": {"team": f"team{c:03d}"}})
            definitions.append({"arn": arn, "family": f"svc{s:05d}", "revision": 1, "execution_role_arn": None, "cpu_units": 512, "memory_mib": 1024, "containers": [{"name": "app",
                                "environment": [{"name": "API_TOKEN", "value_hash": secret_hash(f"t{s}")}] if s % 2 else [], "secrets": [] if s % 2 else [{"name": "API_TOKEN", "value_from": f"/team{c:03d}/api-token"}]}]})
        clusters.append({"name": name, "arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{name}", "capacity_providers": ["FARGATE", "FARGATE_SPOT"], "default_strategy": [], "tags": {}, "services": live})
    rule = {"id": "tiering", "status": "Enabled", "filter": {"prefix": ""}, "legacy_prefix": None, "transitions": [{"days": 30, "storage_class": "INTELLIGENT_TIERING"}],
            "expiration_days": None, "noncurrent_expiration_days": None, "abort_incomplete_multipart_days": None}
    snapshot = {
        "format_version": 2, "account_id": ACCOUNT, "region": REGION, "taken_at": "2026-01-01T00:00:00Z", "salt": SALT, "coverage": "everything",
        "ecs": {"clusters": clusters, "task_definitions": definitions},
        "aurora": {"clusters": [{"identifier": f"db{i:04d}-cluster", "arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:db{i:04d}-cluster", "engine": "aurora-postgresql", "engine_version": "16.4",
                                 "serverless_v2": {"min_acu": 0.5, "max_acu": 8.0 if i % 2 else 4.0}, "storage_encrypted": True, "kms_key_id": None, "tags": {},
                                 # The usage cost estimates price, as `snapshot --usage` records it.
                                 "usage": {"days": 14, "hours_at_acu": [[0.5, 300], [2.0, 30], [6.0, 6]], "volume_bytes": 20 * 2**30}} for i in range(max(1, services // 20))]},
        "s3": {"buckets": [{"name": f"data-{i:05d}", "encryption": {"algorithm": "AES256", "kms_key": None, "bucket_key": False}, "lifecycle": {"rules": [rule], "transition_minimum_object_size": None} if i % 2 else None, "empty": False, "tags": {},
                            "storage": {"bytes": {"StandardStorage": (i % 50 + 1) * 2**30}, "objects": 1000 * (i % 50 + 1)}} for i in range(buckets)], "names": ["logs"] + [f"data-{i:05d}" for i in range(buckets)]},
        "ssm": {"parameters": [{"name": f"/app/param-{i:05d}", "arn": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/param-{i:05d}", "parameter_type": "SecureString", "kms_key": "alias/aws/ssm", "version": 1,
                                "value": {"hash": secret_hash(f"v{i}")}, "tags": {}} for i in range(0, parameters, 2)]},
        "vpc": {"vpcs": [{"id": f"vpc-{i:017x}", "is_default": False, "tags": {"Name": f"net-{i:04d}"}, "flow_logs": [] if i % 2 else [{"id": f"fl-{i}", "destination_type": "s3", "destination": "arn:aws:s3:::logs/flow", "traffic_type": "ALL", "max_aggregation_interval": 600, "log_format": None, "status": "ACTIVE"}]} for i in range(vpcs)]},
        "kms": {"aliases": [{"name": "alias/aws/ssm", "target_key_id": "k-ssm"}]},
    }
    out.joinpath("snapshot.json").write_text(json.dumps(snapshot))
    desired = [f'[account]\nid = "{ACCOUNT}"\nregion = "{REGION}"\n\n[ecs.strategies]\nspot = [{{ provider = "FARGATE_SPOT", weight = 1 }}]\n']
    for c in range(clusters_count):
        desired.append(f'[[ecs.service]]\ncluster = "team{c:03d}-Cluster-*"\nservice = "team{c:03d}-*"\nstrategy = "spot"\n')
        desired.append(f'[[ecs.task_secrets]]\ncluster = "team{c:03d}-Cluster-*"\nservice = "team{c:03d}-*"\nsecrets = {{ API_TOKEN = "/team{c:03d}/api-token" }}\n')
        desired.append(f'[[ssm.parameter]]\nname = "/team{c:03d}/api-token"\ntype = "SecureString"\nvalue = {{ migrate_from_task_env = "API_TOKEN" }}\n')
    desired.append('[[aurora.cluster]]\nmatch = "db*"\nmin_acu = 0.5\nmax_acu = 4\n')
    desired.append('[[s3.bucket]]\nname = "data-*"\nlifecycle = [{ id = "tiering", transitions = [{ days = 30, class = "INTELLIGENT_TIERING" }] }]\n')
    for i in range(parameters):
        desired.append(f'[[ssm.parameter]]\nname = "/app/param-{i:05d}"\ntype = "SecureString"\n')
    desired.append('[[vpc.flow_logs]]\nvpc = "net-*"\ndestination = "s3://logs/flow"\n')
    out.joinpath("desired").mkdir()
    out.joinpath("desired", "large.toml").write_text("\n".join(desired))


if __name__ == "__main__":
    main()
