#!/usr/bin/env python3
"""Reads an emulated account with boto3 and prints what an apply should have changed.

    verify.py z360 --endpoint URL --account ID [--bucket-suffix -SUFFIX] [--canary VALUE]

Independent of holdfast's reader, so tests check holdfast's writes against someone
else's reads. Secret values are never printed: only whether each parameter holds the
value the seed put in the task definitions.
"""

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import z360_account as z  # noqa: E402
from seed import session_for  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["z360"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--bucket-suffix", default="")
    parser.add_argument("--canary")
    args = parser.parse_args()
    session, _ = session_for(args.endpoint, args.account, z.REGION)
    client = lambda name: session.client(name, endpoint_url=args.endpoint)  # noqa: E731
    facts = {"clusters": {}, "services": {}, "aurora": {}, "buckets": {}, "parameters": {}, "flow_logs": {}, "flow_log_details": {}}

    ecs = client("ecs")
    for app, env, suffix, _, services in z.CLUSTERS:
        cluster = z.cluster_name(app, env, suffix)
        described = ecs.describe_clusters(clusters=[cluster])["clusters"][0]
        facts["clusters"][cluster] = sorted(described.get("capacityProviders", []))
        for service, service_suffix, _ in services:
            name = z.service_name(app, env, service, service_suffix)
            found = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
            definition = ecs.describe_task_definition(taskDefinition=found["taskDefinition"])["taskDefinition"]
            container = definition["containerDefinitions"][0]
            facts["services"][f"{app}-{env}-{service}"] = {
                "strategy": sorted([item["capacityProvider"], item.get("weight", 0), item.get("base", 0)] for item in found.get("capacityProviderStrategy") or []),
                "task_definition": f"{definition['family']}:{definition['revision']}",
                "environment": sorted(pair["name"] for pair in container.get("environment", [])),
                "secrets": {secret["name"]: secret["valueFrom"] for secret in container.get("secrets", [])},
            }

    rds = client("rds")
    for identifier, _ in z.AURORA:
        cluster = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
        scaling = cluster.get("ServerlessV2ScalingConfiguration", {})
        facts["aurora"][identifier] = {"min": scaling.get("MinCapacity"), "max": scaling.get("MaxCapacity"), "encrypted": cluster.get("StorageEncrypted")}

    s3 = client("s3")
    existing = {bucket["Name"] for bucket in s3.list_buckets()["Buckets"]}
    # Seeded buckets are reported under their z360 names, without the test's suffix.
    names = [(name, name + args.bucket_suffix) for name, _ in z.BUCKETS] + [(f"z360-security-logs-{args.account}",) * 2]
    for key, name in names:
        if name not in existing:
            facts["buckets"][key] = None
            continue
        try:
            rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
        except s3.exceptions.ClientError:
            # moto answers "not found" for a bucket never configured (an apply killed
            # between CreateBucket and PutBucketEncryption); AWS would report SSE-S3.
            rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": None}}
        try:
            lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        except s3.exceptions.ClientError:
            lifecycle = []
        facts["buckets"][key] = {
            "algorithm": rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
            "kms_key": rule["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID"),
            "bucket_key": rule.get("BucketKeyEnabled", False),
            "lifecycle": {item["ID"]: sorted([transition["Days"], transition["StorageClass"]] for transition in item.get("Transitions", [])) for item in lifecycle},
        }

    ssm = client("ssm")
    for env in ("staging", "beta"):
        for variable, leaf in (("REVERB_APP_KEY", "app-key"), ("REVERB_APP_SECRET", "app-secret")):
            name = f"/z360/{env}/reverb/{leaf}"
            try:
                parameter = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
            except ssm.exceptions.ParameterNotFound:
                facts["parameters"][name] = None
                continue
            expected = args.canary if (args.canary and variable == "REVERB_APP_SECRET") else z.REVERB[env][variable]
            described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}])["Parameters"][0]
            facts["parameters"][name] = {"type": parameter["Type"], "key": described.get("KeyId"), "value_is_the_seeded_one": parameter["Value"] == expected}

    ec2 = client("ec2")
    for vpc in ec2.describe_vpcs()["Vpcs"]:
        name = next((tag["Value"] for tag in vpc.get("Tags", []) if tag["Key"] == "Name"), "default" if vpc.get("IsDefault") else vpc["VpcId"])
        logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc["VpcId"]]}])["FlowLogs"]
        facts["flow_logs"][name] = sorted([log.get("LogDestination"), log.get("TrafficType")] for log in logs)
        facts["flow_log_details"][name] = sorted(
            [
                {
                    "destination": log.get("LogDestination") or log.get("LogGroupName"),
                    "traffic": log.get("TrafficType"),
                    "interval": log.get("MaxAggregationInterval"),
                    "format": log.get("LogFormat"),
                    "role": log.get("DeliverLogsPermissionArn"),
                }
                for log in logs
            ],
            key=lambda log: json.dumps(log, sort_keys=True),
        )

    try:
        facts["lock"] = ssm.get_parameter(Name="/holdfast/apply-lock")["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        facts["lock"] = None

    aliases = {alias["AliasName"]: alias.get("TargetKeyId") for alias in client("kms").list_aliases()["Aliases"]}
    facts["phi_key_arn"] = f"arn:aws:kms:{z.REGION}:{args.account}:key/{aliases['alias/z360-phi']}" if aliases.get("alias/z360-phi") else None

    facts["security"] = security(client, args.account, aliases)
    json.dump(facts, sys.stdout, indent=1, sort_keys=True)


def security(client, account, aliases):
    """The HIPAA half of the sprint, read with boto3."""
    found = {}
    cloudtrail = client("cloudtrail")
    trails = cloudtrail.describe_trails(trailNameList=["z360-cloudtrail"])["trailList"]
    found["trail"] = None if not trails else {
        "multi_region": trails[0].get("IsMultiRegionTrail"),
        "validation": trails[0].get("LogFileValidationEnabled"),
        "global_events": trails[0].get("IncludeGlobalServiceEvents"),
        "bucket": trails[0].get("S3BucketName"),
        "prefix": trails[0].get("S3KeyPrefix"),
        "logging": cloudtrail.get_trail_status(Name="z360-cloudtrail")["IsLogging"],
    }
    guardduty = client("guardduty")
    detectors = guardduty.list_detectors()["DetectorIds"]
    if detectors:
        detector = guardduty.get_detector(DetectorId=detectors[0])
        found["detector"] = {
            "status": detector["Status"],
            "frequency": detector.get("FindingPublishingFrequency"),
            "features": {feature["Name"]: feature["Status"] for feature in detector.get("Features", [])},
        }
    else:
        found["detector"] = None
    try:
        client("securityhub").describe_hub()
        found["security_hub"] = True
    except Exception:  # noqa: BLE001 - any refusal means it is not enabled
        found["security_hub"] = False
    config = client("config")
    recorders = config.describe_configuration_recorders()["ConfigurationRecorders"]
    statuses = {status["name"]: status["recording"] for status in config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]}
    found["recorders"] = [{
        "all_supported": recorder["recordingGroup"].get("allSupported"),
        "global": recorder["recordingGroup"].get("includeGlobalResourceTypes"),
        "recording": statuses.get(recorder["name"]),
    } for recorder in recorders]
    found["channels"] = [{"bucket": channel.get("s3BucketName"), "prefix": channel.get("s3KeyPrefix")} for channel in config.describe_delivery_channels()["DeliveryChannels"]]
    kms = client("kms")
    key = aliases.get("alias/z360-phi")
    found["phi_key_rotation"] = kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] if key else None
    s3 = client("s3")
    bucket = f"z360-security-logs-{account}"
    try:
        found["logs_public_access_block"] = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except s3.exceptions.ClientError:
        found["logs_public_access_block"] = None
    try:
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
        found["logs_policy"] = {statement.get("Sid"): statement for statement in statements}
    except s3.exceptions.ClientError:
        found["logs_policy"] = None
    elbv2 = client("elbv2")
    found["load_balancers"] = sorted(balancer["LoadBalancerName"] for balancer in elbv2.describe_load_balancers()["LoadBalancers"])
    return found


if __name__ == "__main__":
    main()
