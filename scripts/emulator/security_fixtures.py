#!/usr/bin/env python3
"""What the security-service tests set up and read back with boto3, independently of holdfast.

    security_fixtures.py orphan-key --endpoint URL --account ID --alias A   a disabled key tagged holdfast:alias = A, no alias; prints its id
    security_fixtures.py alb --endpoint URL --account ID --name NAME [--protected] [--targets N]
    security_fixtures.py alb-protect ... --name NAME             turns deletion protection on
    security_fixtures.py protection ... --name NAME              prints {"protected": bool}
    security_fixtures.py load-balancers ...                      prints the names that exist
    security_fixtures.py bucket-with-policy ... --name B --policy JSON
    security_fixtures.py policy ... --name B                     prints the policy text, or nothing
    security_fixtures.py stop-logging ... --name TRAIL
    security_fixtures.py trail-status ... --name TRAIL           prints {"logging": bool}
    security_fixtures.py detector ... --frequency F --feature NAME=STATUS ...   prints the id
    security_fixtures.py get-detector ...                        prints status, frequency, features
    security_fixtures.py key ... --alias A                       prints {"id", "state"} of the alias's key
"""

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from seed import Account, seed_orphaned_alb, session_for  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["orphan-key", "alb", "alb-protect", "protection", "load-balancers", "bucket-with-policy", "policy", "stop-logging", "trail-status", "detector", "get-detector", "key"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--name")
    parser.add_argument("--protected", action="store_true")
    parser.add_argument("--targets", type=int, default=0)
    parser.add_argument("--policy")
    parser.add_argument("--frequency")
    parser.add_argument("--feature", action="append", default=[])
    parser.add_argument("--alias")
    args = parser.parse_args()
    session, _ = session_for(args.endpoint, args.account, args.region)
    client = lambda name: session.client(name, endpoint_url=args.endpoint)  # noqa: E731

    if args.what == "orphan-key":
        kms = client("kms")
        key = kms.create_key(Description="left by an interrupted apply", Tags=[{"TagKey": "holdfast:alias", "TagValue": args.alias}])["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=key)
        print(key)
    elif args.what == "alb":
        print(seed_orphaned_alb(Account(session, args.endpoint), protected=args.protected, name=args.name, targets=args.targets))
    elif args.what == "alb-protect":
        elbv2 = client("elbv2")
        arn = elbv2.describe_load_balancers(Names=[args.name])["LoadBalancers"][0]["LoadBalancerArn"]
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}])
    elif args.what == "protection":
        elbv2 = client("elbv2")
        arn = elbv2.describe_load_balancers(Names=[args.name])["LoadBalancers"][0]["LoadBalancerArn"]
        attributes = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        print(json.dumps({"protected": any(item["Key"] == "deletion_protection.enabled" and item["Value"] == "true" for item in attributes)}))
    elif args.what == "load-balancers":
        print(json.dumps(sorted(balancer["LoadBalancerName"] for balancer in client("elbv2").describe_load_balancers()["LoadBalancers"])))
    elif args.what == "bucket-with-policy":
        s3 = client("s3")
        s3.create_bucket(Bucket=args.name)
        s3.put_bucket_encryption(Bucket=args.name, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        s3.put_bucket_policy(Bucket=args.name, Policy=args.policy)
    elif args.what == "policy":
        s3 = client("s3")
        try:
            sys.stdout.write(s3.get_bucket_policy(Bucket=args.name)["Policy"])
        except s3.exceptions.ClientError:
            pass
    elif args.what == "stop-logging":
        client("cloudtrail").stop_logging(Name=args.name)
    elif args.what == "trail-status":
        print(json.dumps({"logging": client("cloudtrail").get_trail_status(Name=args.name)["IsLogging"]}))
    elif args.what == "detector":
        features = [{"Name": name, "Status": status} for name, status in (item.split("=", 1) for item in args.feature)]
        print(client("guardduty").create_detector(Enable=True, FindingPublishingFrequency=args.frequency, Features=features)["DetectorId"])
    elif args.what == "get-detector":
        guardduty = client("guardduty")
        detector = guardduty.get_detector(DetectorId=guardduty.list_detectors()["DetectorIds"][0])
        features = {feature["Name"]: feature["Status"] for feature in detector.get("Features", [])}
        print(json.dumps({"status": detector["Status"], "frequency": detector.get("FindingPublishingFrequency"), "features": features}))
    elif args.what == "key":
        metadata = client("kms").describe_key(KeyId=args.alias)["KeyMetadata"]
        print(json.dumps({"id": metadata["KeyId"], "state": metadata["KeyState"]}))


if __name__ == "__main__":
    main()
