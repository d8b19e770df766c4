#!/usr/bin/env python3
"""Accounts the import tests build with boto3, independently of holdfast: the shapes a
first import found hard.

    import_fixtures.py console-logging --endpoint URL --account ID --suffix S
        a log bucket with the policy the AWS console writes (not holdfast's statements),
        a trail and a Config recorder delivering to it, and a VPC's flow logs to it
    import_fixtures.py unmodelled-lifecycle ... --suffix S
        a bucket whose lifecycle rule moves noncurrent versions and expires delete markers
    import_fixtures.py cluster ... --name NAME --min A --max B
        an Aurora Serverless v2 cluster made after the import
    import_fixtures.py lifecycle ... --name BUCKET     prints the bucket's lifecycle rules
"""

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from seed import session_for  # noqa: E402


def console_logging(client, account, bucket):
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}"},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{account}/*", "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
            {"Sid": "AWSConfigBucketPermissionsCheck", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}"},
            {"Sid": "AWSConfigBucketDelivery", "Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"}, "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{account}/Config/*"},
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    client("cloudtrail").create_trail(Name="console-trail", S3BucketName=bucket, IsMultiRegionTrail=True)
    client("cloudtrail").start_logging(Name="console-trail")
    config = client("config")
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{account}:role/config-recorder",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "logged"}])
    ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{bucket}")


def unmodelled_lifecycle(client, bucket):
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "versions", "Status": "Enabled", "Filter": {"Prefix": ""},
        "Expiration": {"ExpiredObjectDeleteMarker": True},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        "NoncurrentVersionTransitions": [{"NoncurrentDays": 7, "StorageClass": "GLACIER_IR"}],
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }]})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["console-logging", "unmodelled-lifecycle", "cluster", "lifecycle"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--suffix", default="")
    parser.add_argument("--name")
    parser.add_argument("--min", type=float)
    parser.add_argument("--max", type=float)
    args = parser.parse_args()
    session, _ = session_for(args.endpoint, args.account, args.region)
    client = lambda name: session.client(name, endpoint_url=args.endpoint)  # noqa: E731
    if args.what == "console-logging":
        console_logging(client, args.account, f"console-logs{args.suffix}")
    elif args.what == "unmodelled-lifecycle":
        unmodelled_lifecycle(client, f"versioned{args.suffix}")
    elif args.what == "cluster":
        client("rds").create_db_cluster(DBClusterIdentifier=args.name, Engine="aurora-postgresql", EngineVersion="16.4", MasterUsername="later",
                                        MasterUserPassword="not-a-real-password-2", ServerlessV2ScalingConfiguration={"MinCapacity": args.min, "MaxCapacity": args.max})
    elif args.what == "lifecycle":
        print(json.dumps(client("s3").get_bucket_lifecycle_configuration(Bucket=args.name)["Rules"], sort_keys=True))


if __name__ == "__main__":
    main()
