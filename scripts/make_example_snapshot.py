#!/usr/bin/env python3
"""Writes examples/z360-before-sprint.json from z360_account.py.

Secret-bearing values are written only as HMAC-SHA256 hashes keyed by the snapshot's
salt, exactly as holdfast's inventory crate computes them.
"""

import hashlib
import hmac
import json
import pathlib
import sys

import z360_account as z

SALT = "7a3336302d6578616d706c652d73616c74"  # fixed, so the example is reproducible


def secret_hash(value):
    return "hmac-sha256:" + hmac.new(bytes.fromhex(SALT), value.encode(), hashlib.sha256).hexdigest()


def variable(name, value):
    entry = {"name": name, "value_hash": secret_hash(value)}
    # The RDS host names a value holds, as holdfast's inventory records them.
    if ".rds.amazonaws.com" in value:
        entry["rds_hosts"] = [value.lower()]
    return entry


def ecs():
    clusters, definitions = [], []
    for app, env, suffix, providers, services in z.CLUSTERS:
        name = z.cluster_name(app, env, suffix)
        live_services = []
        for service, service_suffix, revision in services:
            family = z.family(app, env, service)
            arn = f"arn:aws:ecs:{z.REGION}:{z.ACCOUNT_ID}:task-definition/{family}:{revision}"
            live_services.append({
                "name": z.service_name(app, env, service, service_suffix),
                "arn": f"arn:aws:ecs:{z.REGION}:{z.ACCOUNT_ID}:service/{name}/{z.service_name(app, env, service, service_suffix)}",
                "launch_type": "FARGATE",
                "capacity_provider_strategy": [],
                "task_definition": arn,
                "desired_count": 1,
                "running_count": z.RUNNING_TASKS,
                "tags": z.service_tags(app, env, service),
            })
            definitions.append({
                "arn": arn,
                "family": family,
                "revision": revision,
                "execution_role_arn": f"arn:aws:iam::{z.ACCOUNT_ID}:role/{family}-ExecutionRole",
                "cpu_units": z.TASK_CPU,
                "memory_mib": z.TASK_MEMORY,
                "containers": [{
                    "name": service,
                    "environment": [variable(key, value) for key, value in sorted(z.environment(app, env, service, z.aurora_endpoint(z.aurora_for(app, env))).items())],
                    "secrets": [],
                }],
            })
        clusters.append({
            "name": name,
            "arn": f"arn:aws:ecs:{z.REGION}:{z.ACCOUNT_ID}:cluster/{name}",
            "capacity_providers": providers,
            "default_strategy": [],
            "tags": {"copilot-application": app, "copilot-environment": env},
            "services": sorted(live_services, key=lambda service: service["name"]),
        })
    return {"clusters": sorted(clusters, key=lambda c: c["name"]), "task_definitions": sorted(definitions, key=lambda d: d["arn"])}


def aurora():
    def cluster(identifier, max_acu):
        instance = f"{identifier}-1"
        return {
            "identifier": identifier,
            "arn": f"arn:aws:rds:{z.REGION}:{z.ACCOUNT_ID}:cluster:{identifier}",
            "engine": "aurora-postgresql",
            "engine_version": "16.4",
            "engine_mode": "provisioned",
            "serverless_v2": {"min_acu": 0.5, "max_acu": max_acu},
            "storage_encrypted": False,
            "kms_key_id": None,
            "members": [instance],
            "tags": {"team": "z360"},
            "status": "available",
            "encryption_type": "none",
            "endpoint": z.aurora_endpoint(identifier),
            "reader_endpoint": z.aurora_endpoint(identifier).replace(".cluster-", ".cluster-ro-"),
            "settings": {
                "db_subnet_group": z.DB_SUBNET_GROUP,
                "vpc_security_groups": [z.DB_SECURITY_GROUP],
                "cluster_parameter_group": "default.aurora-postgresql16",
                "port": 5432,
                "iam_database_authentication": False,
                "backup_retention_days": 7,
                "deletion_protection": True,
                "log_exports": ["postgresql"],
                "copy_tags_to_snapshot": True,
            },
            "instances": [{
                "identifier": instance,
                "class": "db.serverless",
                "writer": True,
                "promotion_tier": 1,
                "parameter_group": "default.aurora-postgresql16",
                "availability_zone": f"{z.REGION}a",
                "publicly_accessible": False,
                "status": "available",
                "endpoint": f"{instance}.c9x7k2m4p1qz.{z.REGION}.rds.amazonaws.com",
                "tags": {},
            }],
            # As holdfast reads it: hourly averages to the hundredth of an ACU, counted.
            "usage": {"days": 14, "hours_at_acu": [[acu, hours] for acu, hours in sorted(z.ACU_USE[identifier])], "volume_bytes": z.VOLUME_BYTES[identifier]},
        }
    return {"clusters": sorted([cluster(identifier, max_acu) for identifier, max_acu in z.AURORA], key=lambda c: c["identifier"]),
            # The seeds name no database outside Aurora.
            "other_databases": [],
            # No migration has started.
            "snapshots": []}


def storage(name):
    """What a bucket stores as holdfast reads it from S3's metrics; nothing for an empty one."""
    if name not in z.BUCKET_STORAGE:
        return {"bytes": {}}
    by_type, objects = z.BUCKET_STORAGE[name]
    return {"bytes": dict(sorted(by_type.items())), "objects": objects}


def s3():
    return {"buckets": sorted([{
        "name": name,
        "encryption": {"algorithm": "AES256", "kms_key": None, "bucket_key": False},
        "lifecycle": None,
        "empty": not holds_objects,
        "tags": {},
        "storage": storage(name),
    } for name, holds_objects in z.BUCKETS], key=lambda b: b["name"]), "names": sorted(name for name, _ in z.BUCKETS)}


def vpc():
    return {"vpcs": sorted([{
        "id": vpc_id,
        "is_default": name is None,
        "tags": {"Name": name} if name else {},
        "flow_logs": [],
    } for vpc_id, name, _ in z.VPCS], key=lambda v: v["id"])}


def kms():
    def key(name, key_id):
        found = {"id": key_id, "arn": f"arn:aws:kms:{z.REGION}:{z.ACCOUNT_ID}:key/{key_id}"}
        if name == "alias/z360-phi":
            found.update({"state": "Enabled", "description": z.PHI_KEY_DESCRIPTION, "rotation": False, "manager": "CUSTOMER"})
        return found
    return {
        "aliases": sorted([{"name": name, "target_key_id": key_id} for name, key_id in z.KMS_ALIASES], key=lambda a: a["name"]),
        "keys": sorted([key(name, key_id) for name, key_id in z.KMS_ALIASES], key=lambda k: k["id"]),
    }


def elb():
    name, port, group, targets = z.ORPHANED_ALB
    arn = f"arn:aws:elasticloadbalancing:{z.REGION}:{z.ACCOUNT_ID}:loadbalancer/app/{name}/50dc6c495c0c9188"
    return {"load_balancers": [{
        "name": name,
        "arn": arn,
        "kind": "application",
        "dns_name": f"{name}-1234567890.{z.REGION}.elb.amazonaws.com",
        "deletion_protection": False,
        "listeners": [{"port": port, "protocol": "HTTP"}],
        "target_groups": [{
            "name": group,
            "arn": f"arn:aws:elasticloadbalancing:{z.REGION}:{z.ACCOUNT_ID}:targetgroup/{group}/73e2d6bc24d8a067",
            "registered_targets": targets,
        }],
    }]}


def main():
    snapshot = {
        "format_version": 6,
        "account_id": z.ACCOUNT_ID,
        "region": z.REGION,
        "taken_at": z.TAKEN_AT,
        "salt": SALT,
        # The example describes the whole account, so a plan may rely on every part of it.
        "coverage": "everything",
        "ecs": ecs(),
        "aurora": aurora(),
        "s3": s3(),
        "ssm": {"parameters": []},
        "vpc": vpc(),
        "kms": kms(),
        # Before the sprint: no trail, no GuardDuty detector, Security Hub and AWS Config off.
        "cloudtrail": {"trails": []},
        "guardduty": {"detector": None},
        "securityhub": {"hub": None},
        "config": {"recorders": [], "channels": []},
        "elb": elb(),
    }
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "examples" / "z360-before-sprint.json")
    out.write_text(json.dumps(snapshot, indent=2) + "\n")


if __name__ == "__main__":
    main()
