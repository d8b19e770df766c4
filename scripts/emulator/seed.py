#!/usr/bin/env python3
"""Builds accounts in the moto emulator with boto3, independently of holdfast's code.

    seed.py z360 --endpoint URL --account ID [--canary VALUE] [--bucket-suffix -SUFFIX]
    seed.py bulk --endpoint URL --account ID --services N --parameters N [--canary VALUE]

Each account is reached through STS AssumeRole into that account id (moto keeps the
state of each account apart), so tests running in parallel each get their own. Prints
the credentials for the account as JSON, for the test to hand to holdfast.
"""

import argparse
import datetime
import json
import pathlib
import sys

import boto3

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import z360_account as z  # noqa: E402


def session_for(endpoint, account, region):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing")
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/holdfast-test", RoleSessionName="seed")["Credentials"]
    session = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )
    return session, {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


class Account:
    def __init__(self, session, endpoint):
        self.client = lambda name: session.client(name, endpoint_url=endpoint)
        self.ecs = self.client("ecs")
        self.ec2 = self.client("ec2")
        self._network = None

    def network(self):
        """A default subnet and a security group for awsvpc services (moto answers 500
        without a group). The default VPC is used, so no VPC is added to the account."""
        if self._network is None:
            vpc = self.ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
            subnet = self.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
            group = self.ec2.create_security_group(GroupName="services", Description="services", VpcId=vpc)["GroupId"]
            self._network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group], "assignPublicIp": "DISABLED"}}
        return self._network

    def task_definition(self, family, revision, environment, execution_role):
        """Registers revisions until `revision` exists, so the live numbers match the seeds."""
        arn = None
        for _ in range(revision):
            arn = self.ecs.register_task_definition(
                family=family,
                requiresCompatibilities=["FARGATE"],
                networkMode="awsvpc",
                cpu=str(z.TASK_CPU),
                memory=str(z.TASK_MEMORY),
                executionRoleArn=execution_role,
                containerDefinitions=[{
                    "name": family.rsplit("-", 1)[-1],
                    "image": f"{z.ACCOUNT_ID}.dkr.ecr.{z.REGION}.amazonaws.com/{family}:latest",
                    "essential": True,
                    "environment": [{"name": key, "value": value} for key, value in sorted(environment.items())],
                }],
            )["taskDefinition"]["taskDefinitionArn"]
        return arn

    def service(self, cluster, name, task_definition, tags):
        self.ecs.create_service(
            cluster=cluster,
            serviceName=name,
            taskDefinition=task_definition,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=self.network(),
            tags=[{"key": key, "value": value} for key, value in tags.items()],
        )


TRUST_ECS_TASKS = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
READ_Z360_SECRETS = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": "arn:aws:ssm:*:*:parameter/z360/*"}]})


def seed_aurora(account):
    """The four clusters as Copilot's addons stacks made them: in a subnet group and a
    security group, backed up, protected from deletion, each with one Serverless v2
    writer. Returns each cluster's writer endpoint."""
    rds = account.client("rds")
    ec2 = account.ec2
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [subnet["SubnetId"] for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])["Subnets"]]
    rds.create_db_subnet_group(DBSubnetGroupName=z.DB_SUBNET_GROUP, DBSubnetGroupDescription="z360 databases", SubnetIds=subnets[:2])
    group = ec2.create_security_group(GroupName="z360-db", Description="z360 databases", VpcId=default_vpc)["GroupId"]
    endpoints = {}
    for identifier, max_acu in z.AURORA:
        cluster = rds.create_db_cluster(
            DBClusterIdentifier=identifier,
            Engine="aurora-postgresql",
            EngineVersion="16.4",
            MasterUsername="z360",
            MasterUserPassword="not-a-real-password-1",
            StorageEncrypted=False,
            ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": max_acu},
            DBSubnetGroupName=z.DB_SUBNET_GROUP,
            VpcSecurityGroupIds=[group],
            Port=5432,
            BackupRetentionPeriod=7,
            DeletionProtection=True,
            EnableCloudwatchLogsExports=["postgresql"],
            CopyTagsToSnapshot=True,
            Tags=[{"Key": "team", "Value": "z360"}],
        )["DBCluster"]
        rds.create_db_instance(
            DBInstanceIdentifier=f"{identifier}-1",
            DBClusterIdentifier=identifier,
            Engine="aurora-postgresql",
            DBInstanceClass="db.serverless",
            PromotionTier=1,
        )
        endpoints[identifier] = cluster["Endpoint"]
    return endpoints


def seed_z360(session, endpoint, account_id, canary=None, bucket_suffix="", withhold_ssm_from=()):
    account = Account(session, endpoint)
    iam = account.client("iam")
    # First, so each service's DB_HOST names its cluster's endpoint as moto made it.
    endpoints = seed_aurora(account)
    for app, env, suffix, providers, services in z.CLUSTERS:
        cluster = z.cluster_name(app, env, suffix)
        extra = {"capacityProviders": providers} if providers else {}
        account.ecs.create_cluster(clusterName=cluster, tags=[{"key": "copilot-application", "value": app}, {"key": "copilot-environment", "value": env}], **extra)
        for service, service_suffix, revision in services:
            family = z.family(app, env, service)
            environment = z.environment(app, env, service, endpoints[z.aurora_for(app, env)])
            if canary and "REVERB_APP_SECRET" in environment:
                environment["REVERB_APP_SECRET"] = canary
            # The execution roles as the sprint left them: allowed to read /z360/* parameters.
            role = iam.create_role(RoleName=f"{family}-ExecutionRole", AssumeRolePolicyDocument=TRUST_ECS_TASKS)["Role"]["Arn"]
            if family not in withhold_ssm_from:
                iam.put_role_policy(RoleName=f"{family}-ExecutionRole", PolicyName="read-z360-secrets", PolicyDocument=READ_Z360_SECRETS)
            arn = account.task_definition(family, revision, environment, role)
            account.service(cluster, z.service_name(app, env, service, service_suffix), arn, z.service_tags(app, env, service))

    s3 = account.client("s3")
    for name, holds_objects in z.BUCKETS:
        name += bucket_suffix
        s3.create_bucket(Bucket=name)
        # AWS applies SSE-S3 to every bucket since 2023; moto needs to be told.
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        if holds_objects:
            s3.put_object(Bucket=name, Key="seed/object.txt", Body=b"z360")

    ec2 = account.ec2
    for _, name, cidr in z.VPCS:
        if name is None:
            continue  # moto gives every account a default VPC, as AWS does
        ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}])

    kms = account.client("kms")
    key = kms.create_key(Description=z.PHI_KEY_DESCRIPTION)["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/z360-phi", TargetKeyId=key)

    seed_orphaned_alb(account)
    seed_usage(account, bucket_suffix)


def seed_usage(account, bucket_suffix=""):
    """The usage of z360_account as CloudWatch metrics, where holdfast reads them: each
    cluster's hourly ACU for 14 days and its volume, each bucket's daily size and object
    count. The window holdfast reads ends at the last whole hour (or day); one more point
    at the current hour (or day), equal to the oldest, keeps what it reads the same should
    an hour (or midnight) pass before it reads."""
    cloudwatch = account.client("cloudwatch")
    now = datetime.datetime.now(datetime.timezone.utc)
    hour = now.replace(minute=0, second=0, microsecond=0)
    day = hour.replace(hour=0)
    for identifier, _ in z.AURORA:
        values = z.hourly_acu(identifier)
        points = [(hour - datetime.timedelta(hours=len(values) - index), value) for index, value in enumerate(values)] + [(hour, values[0])]
        data = [{"MetricName": "ServerlessDatabaseCapacity", "Dimensions": [{"Name": "DBClusterIdentifier", "Value": identifier}], "Timestamp": at, "Value": value, "Unit": "Count"} for at, value in points]
        data += [{"MetricName": "VolumeBytesUsed", "Dimensions": [{"Name": "DBClusterIdentifier", "Value": identifier}], "Timestamp": day - datetime.timedelta(days=back), "Value": float(z.VOLUME_BYTES[identifier]), "Unit": "Bytes"} for back in range(4)]
        for start in range(0, len(data), 500):
            cloudwatch.put_metric_data(Namespace="AWS/RDS", MetricData=data[start:start + 500])
    for name, (by_type, objects) in z.BUCKET_STORAGE.items():
        bucket = name + bucket_suffix
        data = []
        for back in range(4):
            at = day - datetime.timedelta(days=back)
            # Dimensions in the order S3 publishes them.
            data += [{"MetricName": "BucketSizeBytes", "Dimensions": [{"Name": "BucketName", "Value": bucket}, {"Name": "StorageType", "Value": storage_type}], "Timestamp": at, "Value": float(size), "Unit": "Bytes"} for storage_type, size in by_type.items()]
            data.append({"MetricName": "NumberOfObjects", "Dimensions": [{"Name": "BucketName", "Value": bucket}, {"Name": "StorageType", "Value": "AllStorageTypes"}], "Timestamp": at, "Value": float(objects), "Unit": "Count"})
        cloudwatch.put_metric_data(Namespace="AWS/S3", MetricData=data)


def seed_shared_flow_logs(account, group="/vpc/shared-flow", gib_a_day=30):
    """Three VPCs (`net-a`, `net-b`, `net-c`) whose flow logs all deliver to one CloudWatch
    Logs group, and 14 days of the group's IncomingBytes: `gib_a_day` for the three."""
    ec2 = account.ec2
    role = account.client("iam").create_role(RoleName="flow-logs", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    for name, cidr in [("net-a", "10.10.0.0/16"), ("net-b", "10.11.0.0/16"), ("net-c", "10.12.0.0/16")]:
        vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}])["Vpc"]["VpcId"]
        ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogGroupName=group, DeliverLogsPermissionArn=role)
    day = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    data = [{"MetricName": "IncomingBytes", "Dimensions": [{"Name": "LogGroupName", "Value": group}], "Timestamp": day - datetime.timedelta(days=back), "Value": float(gib_a_day * 1024 ** 3), "Unit": "Bytes"} for back in range(1, 15)]
    account.client("cloudwatch").put_metric_data(Namespace="AWS/Logs", MetricData=data)


def seed_orphaned_alb(account, protected=False, name=None, targets=0):
    """The orphaned Application Load Balancer, with a listener and a target group."""
    elbv2 = account.client("elbv2")
    alb_name, port, group_name, _ = z.ORPHANED_ALB
    ec2 = account.ec2
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [subnet["SubnetId"] for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    balancer = elbv2.create_load_balancer(Name=name or alb_name, Subnets=subnets, Type="application", Scheme="internet-facing")["LoadBalancers"][0]
    group_name = group_name if name is None else f"{name[:20]}-{group_name}"
    group = elbv2.create_target_group(Name=group_name, Protocol="HTTP", Port=port, VpcId=vpc, TargetType="ip")["TargetGroups"][0]
    elbv2.create_listener(LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTP", Port=port, DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
    if targets:
        elbv2.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[{"Id": f"10.0.0.{index + 10}", "Port": port} for index in range(targets)])
    if protected:
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"], Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}])
    return balancer["LoadBalancerArn"]


def seed_bulk(session, endpoint, account_id, services, parameters, canary=None):
    """Many services and parameters, to drive pagination."""
    account = Account(session, endpoint)
    account.ecs.create_cluster(clusterName="bulk-Cluster-pg1", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    arn = account.task_definition("bulk-app", 1, {"APP_SECRET": canary or "bulk-secret", "MODE": "bulk"}, f"arn:aws:iam::{account_id}:role/bulk")
    for index in range(services):
        account.service("bulk-Cluster-pg1", f"bulk-svc-{index:03d}-Service-x", arn, {"team": "bulk"})
    ssm = account.client("ssm")
    for index in range(parameters):
        ssm.put_parameter(Name=f"/bulk/param-{index:03d}", Type="SecureString", Value=canary or f"value-{index}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["z360", "bulk", "empty", "shared-flow-logs"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--region", default=z.REGION)
    parser.add_argument("--canary")
    parser.add_argument("--services", type=int, default=0)
    parser.add_argument("--parameters", type=int, default=0)
    parser.add_argument("--bucket-suffix", default="", help="bucket names are global: tests sharing an emulator add one")
    parser.add_argument("--withhold-ssm-from", action="append", default=[], help="a task family whose execution role may not read SSM")
    args = parser.parse_args()
    session, environment = session_for(args.endpoint, args.account, args.region)
    if args.what == "z360":
        seed_z360(session, args.endpoint, args.account, args.canary, args.bucket_suffix, args.withhold_ssm_from)
    elif args.what == "bulk":
        seed_bulk(session, args.endpoint, args.account, args.services, args.parameters, args.canary)
    elif args.what == "shared-flow-logs":
        seed_shared_flow_logs(Account(session, args.endpoint))
    json.dump(environment, sys.stdout)


if __name__ == "__main__":
    main()
