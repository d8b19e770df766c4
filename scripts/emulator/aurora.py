#!/usr/bin/env python3
"""Reads or changes the Aurora side of an emulated account with boto3, for the encryption
migration's tests: what holdfast made is checked by someone else's client.

    aurora.py state             --endpoint URL --account ID   (JSON: clusters, instances, manual snapshots)
    aurora.py unrelated-cluster --endpoint URL --account ID NAME   (a cluster holdfast did not make)
"""

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from seed import session_for  # noqa: E402

# What a restore must carry over, and what identifies the cluster.
CLUSTER_FIELDS = [
    "DBClusterIdentifier", "Engine", "EngineVersion", "Status", "StorageEncrypted", "KmsKeyId", "DBSubnetGroup", "Port",
    "BackupRetentionPeriod", "DeletionProtection", "EnabledCloudwatchLogsExports", "CopyTagsToSnapshot",
    "IAMDatabaseAuthenticationEnabled", "DBClusterParameterGroup", "ServerlessV2ScalingConfiguration", "Endpoint",
]


def tags(items):
    return {tag["Key"]: tag["Value"] for tag in items or []}


def state(rds):
    clusters = {}
    for cluster in rds.describe_db_clusters()["DBClusters"]:
        facts = {field: cluster.get(field) for field in CLUSTER_FIELDS}
        facts["VpcSecurityGroups"] = sorted(group["VpcSecurityGroupId"] for group in cluster.get("VpcSecurityGroups", []))
        facts["Members"] = sorted(member["DBInstanceIdentifier"] for member in cluster.get("DBClusterMembers", []))
        facts["Tags"] = tags(cluster.get("TagList"))
        clusters[cluster["DBClusterIdentifier"]] = facts
    instances = {
        instance["DBInstanceIdentifier"]: {
            "cluster": instance.get("DBClusterIdentifier"),
            "class": instance.get("DBInstanceClass"),
            "tier": instance.get("PromotionTier"),
            "status": instance.get("DBInstanceStatus"),
            "tags": tags(instance.get("TagList")),
        }
        for instance in rds.describe_db_instances()["DBInstances"]
    }
    snapshots = {
        snapshot["DBClusterSnapshotIdentifier"]: {
            "cluster": snapshot.get("DBClusterIdentifier"),
            "encrypted": snapshot.get("StorageEncrypted"),
            "status": snapshot.get("Status"),
            "tags": tags(snapshot.get("TagList")),
        }
        for snapshot in rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
    }
    return {"clusters": clusters, "instances": instances, "snapshots": snapshots}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["state", "unrelated-cluster"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("arguments", nargs="*")
    args = parser.parse_intermixed_args()
    rds = session_for(args.endpoint, args.account, "us-east-1")[0].client("rds", endpoint_url=args.endpoint)
    if args.what == "state":
        print(json.dumps(state(rds), sort_keys=True, default=str))
    else:
        rds.create_db_cluster(
            DBClusterIdentifier=args.arguments[0],
            Engine="aurora-postgresql",
            EngineVersion="16.4",
            MasterUsername="other",
            MasterUserPassword="not-a-real-password-2",
            StorageEncrypted=True,
        )


if __name__ == "__main__":
    main()
