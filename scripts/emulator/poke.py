#!/usr/bin/env python3
"""Changes one thing in an emulated account with boto3, as a person or another tool would.

    poke.py set-max-acu    --endpoint URL --account ID CLUSTER ACUS
    poke.py hold-lock      --endpoint URL --account ID HOLDER [--lock-id ID --renewed-ago S --lease S] [--take-over]
    poke.py put-parameter  --endpoint URL --account ID NAME (--value V | --value-of FAMILY VARIABLE) [--key-id KEY]
    poke.py create-key     --endpoint URL --account ID ALIAS          (prints the key id)
    poke.py flow-log       --endpoint URL --account ID VPC_NAME TRAFFIC (--s3 BUCKET | --log-group NAME --role ARN)
                           [--interval S] [--format F]
    poke.py bucket-key     --endpoint URL --account ID BUCKET KEY_ALIAS   (SSE-KMS with the bucket key on)
    poke.py key-policy     --endpoint URL --account ID KEY_ALIAS ROLE_NAME (the key policy lets the role decrypt)
    poke.py delete-parameter --endpoint URL --account ID NAME
    poke.py doom-key       --endpoint URL --account ID KEY_ALIAS   (schedules the key's deletion)
"""

import argparse
import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import z360_account as z  # noqa: E402
from seed import session_for  # noqa: E402


def plaintext(ecs, family, variable):
    """The plaintext value of a variable in the family's newest revision."""
    definition = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
    for container in definition["containerDefinitions"]:
        for pair in container.get("environment", []):
            if pair["name"] == variable:
                return pair["value"]
    sys.exit(f"{variable} is not a plaintext variable of {family}")


def vpc_id(ec2, name):
    for vpc in ec2.describe_vpcs()["Vpcs"]:
        tags = {tag["Key"]: tag["Value"] for tag in vpc.get("Tags", [])}
        if tags.get("Name") == name or (name == "default" and vpc.get("IsDefault")):
            return vpc["VpcId"]
    sys.exit(f"no VPC named {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["set-max-acu", "hold-lock", "put-parameter", "create-key", "flow-log", "bucket-key", "key-policy", "delete-parameter", "doom-key"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--lock-id", default="0123456789abcdef")
    parser.add_argument("--renewed-ago", type=int, default=0)
    parser.add_argument("--lease", type=int, default=60)
    parser.add_argument("--take-over", action="store_true", help="replace whatever lock is there, as a newer apply that broke it would")
    parser.add_argument("--value")
    parser.add_argument("--value-of", nargs=2, metavar=("FAMILY", "VARIABLE"))
    parser.add_argument("--key-id")
    parser.add_argument("--s3")
    parser.add_argument("--log-group")
    parser.add_argument("--role")
    parser.add_argument("--interval", type=int)
    parser.add_argument("--format")
    parser.add_argument("arguments", nargs="*")
    args = parser.parse_intermixed_args()
    session, _ = session_for(args.endpoint, args.account, z.REGION)
    client = lambda name: session.client(name, endpoint_url=args.endpoint)  # noqa: E731
    if args.what == "set-max-acu":
        cluster, acus = args.arguments
        client("rds").modify_db_cluster(DBClusterIdentifier=cluster, ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": float(acus)}, ApplyImmediately=True)
    elif args.what == "hold-lock":
        (holder,) = args.arguments
        now = int(time.time())
        lease = {"id": args.lock_id, "holder": holder, "acquired_at": now - args.renewed_ago - 5, "renewed_at": now - args.renewed_ago, "lease_seconds": args.lease}
        client("ssm").put_parameter(Name="/holdfast/apply-lock", Type="String", Value=json.dumps(lease), Overwrite=args.take_over)
    elif args.what == "put-parameter":
        (name,) = args.arguments
        value = args.value if args.value is not None else plaintext(client("ecs"), *args.value_of)
        extra = {"KeyId": args.key_id} if args.key_id else {}
        client("ssm").put_parameter(Name=name, Type="SecureString", Value=value, Overwrite=True, **extra)
    elif args.what == "create-key":
        (alias,) = args.arguments
        kms = client("kms")
        key = kms.create_key(Description=alias)["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=alias, TargetKeyId=key)
        print(key)
    elif args.what == "flow-log":
        name, traffic = args.arguments
        ec2 = client("ec2")
        request = {"ResourceIds": [vpc_id(ec2, name)], "ResourceType": "VPC", "TrafficType": traffic}
        if args.s3:
            request.update(LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{args.s3}")
        else:
            client("logs").create_log_group(logGroupName=args.log_group)
            request.update(LogDestinationType="cloud-watch-logs", LogGroupName=args.log_group, DeliverLogsPermissionArn=args.role)
        if args.interval:
            request["MaxAggregationInterval"] = args.interval
        if args.format:
            request["LogFormat"] = args.format
        ec2.create_flow_logs(**request)
    elif args.what == "bucket-key":
        bucket, alias = args.arguments
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": alias}, "BucketKeyEnabled": True}
        client("s3").put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
    elif args.what == "key-policy":
        alias, role = args.arguments
        kms = client("kms")
        key = kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
        statements = [
            {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{args.account}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "decrypt", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{args.account}:role/{role}"}, "Action": "kms:Decrypt", "Resource": "*"},
        ]
        kms.put_key_policy(KeyId=key, PolicyName="default", Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    elif args.what == "doom-key":
        (alias,) = args.arguments
        kms = client("kms")
        kms.schedule_key_deletion(KeyId=kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"], PendingWindowInDays=7)
    elif args.what == "delete-parameter":
        (name,) = args.arguments
        client("ssm").delete_parameter(Name=name)


if __name__ == "__main__":
    main()
