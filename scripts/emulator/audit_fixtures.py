#!/usr/bin/env python3
"""What the audit tests set up with boto3, independently of holdfast: an account where
Prowler's HIPAA checks would miss things.

    audit_fixtures.py prowler-misses --endpoint URL --account ID --canary VALUE --random VALUE
    audit_fixtures.py ghost-service --endpoint URL --account ID

ghost-service: a service whose task definition was deleted, which ECS can no longer
describe, beside one with a plaintext token, an AWS-keyed SecureString and an
unencrypted Aurora cluster.

Creates an unencrypted Aurora cluster with no instances, a service whose task definition
holds DB_PASSWORD (the canary) and SESSION_SALT (a random-looking value) in plaintext, a
VPC with no subnets or network interfaces, a bucket with no encryption configuration and
one that is SSE-KMS with a TLS-only policy, a String and an AWS-keyed SecureString
parameter named like secrets, a console user without MFA and a key-only user. Prints the
ids the test looks for, as JSON.
"""

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from seed import Account, session_for  # noqa: E402


def prowler_misses(session, endpoint, account_id, canary, random_value):
    account = Account(session, endpoint)
    rds = account.client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="orders-db",
        Engine="aurora-postgresql",
        EngineVersion="16.4",
        MasterUsername="orders",
        MasterUserPassword="not-a-real-password-2",
        StorageEncrypted=False,
    )
    account.ecs.create_cluster(clusterName="shop")
    arn = account.ecs.register_task_definition(
        family="shop-api",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{
            "name": "api",
            "image": "shop/api:latest",
            "essential": True,
            "environment": [
                {"name": "DB_PASSWORD", "value": canary},
                {"name": "SESSION_SALT", "value": random_value},
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "DB_HOST", "value": "orders-db.cluster-abc123xyz.us-east-1.rds.amazonaws.com"},
            ],
        }],
    )["taskDefinition"]["taskDefinitionArn"]
    account.service("shop", "shop-api", arn, {})
    idle = account.ec2.create_vpc(CidrBlock="10.42.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "idle"}]}])["Vpc"]["VpcId"]

    s3 = account.client("s3")
    kms = account.client("kms")
    key = kms.create_key(Description="audit test")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/audit-test", TargetKeyId=key)
    open_bucket, locked_bucket = f"audit-open-{account_id}", f"audit-locked-{account_id}"
    s3.create_bucket(Bucket=open_bucket)
    s3.create_bucket(Bucket=locked_bucket)
    s3.put_bucket_encryption(
        Bucket=locked_bucket,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}}]},
    )
    s3.put_bucket_policy(Bucket=locked_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{locked_bucket}", f"arn:aws:s3:::{locked_bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]}))

    ssm = account.client("ssm")
    ssm.put_parameter(Name="/shop/db-password", Value=canary, Type="String")
    ssm.put_parameter(Name="/shop/api-key", Value=canary, Type="SecureString")
    ssm.put_parameter(Name="/shop/signing-key", Value=canary, Type="SecureString", KeyId="alias/audit-test")
    ssm.put_parameter(Name="/shop/log-level", Value="info", Type="String")

    iam = account.client("iam")
    iam.create_user(UserName="dana")
    iam.create_login_profile(UserName="dana", Password="Not-a-real-password-3!")
    iam.create_user(UserName="ci-bot")
    iam.create_access_key(UserName="ci-bot")
    return {"idle_vpc": idle, "open_bucket": open_bucket, "locked_bucket": locked_bucket, "task_definition": arn}


def ghost_service(session, endpoint):
    account = Account(session, endpoint)
    arn = account.ecs.register_task_definition(family="ghost", containerDefinitions=[{"name": "g", "image": "x", "memory": 128}])["taskDefinition"]["taskDefinitionArn"]
    account.ecs.create_cluster(clusterName="ghosts")
    account.ecs.create_service(cluster="ghosts", serviceName="ghost", taskDefinition=arn, desiredCount=0)
    # A readable neighbour with a plaintext token, which must still be reported.
    token = account.ecs.register_task_definition(family="neighbour", containerDefinitions=[{
        "name": "n", "image": "x", "memory": 128, "environment": [{"name": "API_TOKEN", "value": "not-a-real-token-5"}],
    }])["taskDefinition"]["taskDefinitionArn"]
    account.ecs.create_service(cluster="ghosts", serviceName="neighbour", taskDefinition=token, desiredCount=0)
    account.client("ssm").put_parameter(Name="/ghosts/api-token", Value="not-a-real-token-5", Type="SecureString")
    account.ecs.deregister_task_definition(taskDefinition=arn)
    account.ecs.delete_task_definitions(taskDefinitions=[arn])
    account.client("rds").create_db_cluster(
        DBClusterIdentifier="plain-db", Engine="aurora-postgresql", MasterUsername="u", MasterUserPassword="not-a-real-password-4", StorageEncrypted=False,
    )
    return {"task_definition": arn}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["prowler-misses", "ghost-service"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--canary")
    parser.add_argument("--random")
    args = parser.parse_args()
    session, _ = session_for(args.endpoint, args.account, args.region)
    if args.what == "ghost-service":
        json.dump(ghost_service(session, args.endpoint), sys.stdout)
    else:
        json.dump(prowler_misses(session, args.endpoint, args.account, args.canary, args.random), sys.stdout)


if __name__ == "__main__":
    main()
