#!/usr/bin/env python3
"""Live-read benchmark: holdfast plan against Cloud Custodian on the same emulated account.

    bench_live.py --moto URL --proxy URL --holdfast BIN --custodian BIN [--sizes 100,1000,5000]
                  [--runs 3] [--concurrency N] [--sweep 4,8,16,32] [--no-custodian] [--out FILE]

For each size, resets the emulator (moto), seeds an account of about that many resources
with boto3 (straight to moto, not through the proxy), writes a desired state for it, then
times `holdfast plan` and `custodian run` through the latency proxy (scripts/bench-live
starts both). Calls are counted by the proxy, the same way for both tools; peak memory is
the child's maximum resident set (wait4). Prints a markdown table, and JSON with --out.

The account, per 1,000 resources: 400 ECS services in 4 clusters, 100 Aurora Serverless v2
clusters, 150 buckets with a lifecycle rule each, 300 SecureString parameters the desired
state checks for existence only, and 50 VPCs with flow logs; one in ten of each drifted.
"""

import argparse
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


def shape(size):
    """How many of each kind an account of `size` resources has."""
    services = size * 4 // 10
    return {
        "services": services,
        "clusters": max(1, services // 100),
        "aurora": max(1, size // 10),
        "buckets": max(1, size * 15 // 100),
        "parameters": max(1, size * 3 // 10),
        "vpcs": max(1, size // 20),
    }


def drifted(count):
    """How many of `count` resources the seed drifts: every tenth, from the first."""
    return (count + 9) // 10


def minimum_calls(counts):
    """The fewest calls AWS needs for what the desired state compares, by service.

    STS: GetCallerIdentity. ECS: ListClusters, DescribeClusters (100 a call), per cluster
    ListServices (100 a page) and DescribeServices (10 a call). RDS: DescribeDBClusters
    (100 a page). S3: ListBuckets with BucketRegion, then one lifecycle read per bucket.
    SSM: DescribeParameters filtered by name (50 a filter). EC2: DescribeVpcs (1,000 a
    page) and DescribeFlowLogs (200 VPC ids a filter). KMS: ListAliases, to compare the
    parameters' keys with alias/aws/ssm. And GetBucketTagging for each bucket the plan
    changes: the ownership note ("owned by CloudFormation stack ...") of a change needs it.
    """
    per_cluster = [counts["services"] // counts["clusters"]] * counts["clusters"]
    per_cluster[-1] += counts["services"] - sum(per_cluster)
    return {
        "sts": 1,
        "ecs": 1 + math.ceil(counts["clusters"] / 100) + sum(math.ceil(max(1, n) / 100) + math.ceil(n / 10) for n in per_cluster),
        "rds": math.ceil(counts["aurora"] / 100),
        "s3": 1 + counts["buckets"] + drifted(counts["buckets"]),
        "ssm": math.ceil(counts["parameters"] / 50),
        "ec2": math.ceil(counts["vpcs"] / 1000) + math.ceil(counts["vpcs"] / 200),
        "kms": 1,
    }


def emulator_minimum(counts):
    """The same minimum with moto's page sizes: it pages DescribeParameters by 10 (AWS by
    50), and answers ListServices and DescribeDBClusters in one page whatever their size."""
    minimum = minimum_calls(counts)
    chunks = [min(50, counts["parameters"] - start) for start in range(0, counts["parameters"], 50)]
    minimum["ssm"] = sum(math.ceil(chunk / 10) for chunk in chunks)
    per_cluster = [counts["services"] // counts["clusters"]] * counts["clusters"]
    per_cluster[-1] += counts["services"] - sum(per_cluster)
    minimum["ecs"] = 1 + math.ceil(counts["clusters"] / 100) + sum(1 + math.ceil(n / 10) for n in per_cluster)
    minimum["rds"] = 1
    return minimum


def seed(moto, counts):
    """Seeds the account straight into moto; one in ten of each kind drifts."""
    urllib.request.urlopen(urllib.request.Request(f"{moto}/moto-api/reset", method="POST")).read()
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    client = lambda service: session.client(service, endpoint_url=moto)  # noqa: E731
    ecs, rds, s3, ssm, ec2 = client("ecs"), client("rds"), client("s3"), client("ssm"), client("ec2")
    s3.create_bucket(Bucket="bench-flow-logs")
    for c in range(counts["clusters"]):
        cluster = f"bench{c:03d}-Cluster-x{c:04x}"
        ecs.create_cluster(clusterName=cluster, capacityProviders=["FARGATE", "FARGATE_SPOT"])
        definition = ecs.register_task_definition(family=f"bench{c:03d}-app", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 512}],
                                                  requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512")
        arn = definition["taskDefinition"]["taskDefinitionArn"]
        for s in range(c, counts["services"], counts["clusters"]):
            extra = {"launchType": "FARGATE"} if s % 10 == 0 else {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]}
            ecs.create_service(cluster=cluster, serviceName=f"bench-svc{s:05d}-Service-{s:04x}", taskDefinition=arn, desiredCount=1, **extra)
    for i in range(counts["aurora"]):
        rds.create_db_cluster(DBClusterIdentifier=f"bench-db-{i:05d}", Engine="aurora-postgresql", EngineVersion="16.4", MasterUsername="bench",
                              MasterUserPassword="bench-password-1", StorageEncrypted=True,
                              ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 8.0 if i % 10 == 0 else 4.0})
    for i in range(counts["buckets"]):
        name = f"bench-data-{i:05d}"
        s3.create_bucket(Bucket=name)
        days = 60 if i % 10 == 0 else 30
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [
            {"ID": "tiering", "Status": "Enabled", "Filter": {"Prefix": ""}, "Transitions": [{"Days": days, "StorageClass": "INTELLIGENT_TIERING"}]}]})
    for i in range(counts["parameters"]):
        ssm.put_parameter(Name=f"/bench/param-{i:05d}", Value=f"secret-{i}", Type="SecureString")
    vpcs = []
    for i in range(counts["vpcs"]):
        vpc = ec2.create_vpc(CidrBlock=f"10.{i // 250}.{i % 250}.0/24")["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": f"bench-net-{i:05d}"}])
        vpcs.append(vpc)
    with_logs = [vpc for i, vpc in enumerate(vpcs) if i % 10 != 0]
    for start in range(0, len(with_logs), 100):
        ec2.create_flow_logs(ResourceIds=with_logs[start:start + 100], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                             LogDestination="arn:aws:s3:::bench-flow-logs/flow-logs/")


def desired_state(folder, counts):
    """What a platform team would declare for the account: globs where names share a shape."""
    lines = [f'[account]\nid = "{ACCOUNT}"\nregion = "{REGION}"\n', '[ecs.strategies]\nspot = [{ provider = "FARGATE_SPOT", weight = 1 }]\n',
             '[[ecs.service]]\ncluster = "bench*-Cluster-*"\nservice = "bench-svc*"\nstrategy = "spot"\n',
             '[[aurora.cluster]]\nmatch = "bench-db-*"\nmin_acu = 0.5\nmax_acu = 4\n']
    for i in range(counts["buckets"]):
        lines.append(f'[[s3.bucket]]\nname = "bench-data-{i:05d}"\nlifecycle = [{{ id = "tiering", transitions = [{{ days = 30, class = "INTELLIGENT_TIERING" }}] }}]\n')
    for i in range(counts["parameters"]):
        lines.append(f'[[ssm.parameter]]\nname = "/bench/param-{i:05d}"\ntype = "SecureString"\n')
    lines.append('[[vpc.flow_logs]]\nvpc = "bench-net-*"\ndestination = "s3://bench-flow-logs/flow-logs/"\ntraffic = "ALL"\n')
    folder.mkdir(parents=True, exist_ok=True)
    folder.joinpath("bench.toml").write_text("\n".join(lines))


CUSTODIAN_POLICY = """\
# The same resources and attributes holdfast compares, read the way Cloud Custodian reads them:
# S3 augmentation limited to the lifecycle (Location and Tags it always reads).
policies:
  - name: ecs-services
    resource: aws.ecs-service
  - name: aurora-clusters
    resource: aws.rds-cluster
  - name: buckets
    resource: aws.s3
    query:
      - augment-keys: ['Lifecycle']
  - name: parameters
    resource: aws.ssm-parameter
  - name: vpcs
    resource: aws.vpc
    filters:
      - not:
        - type: flow-logs
          attrs:
            - TrafficType: ALL
            - FlowLogStatus: ACTIVE
"""


# As a Cloud Custodian user writes it without tuning: every S3 attribute is read (c7n's
# default augmentation, ten calls a bucket), as in the measurement issue 10 reports.
CUSTODIAN_DEFAULT_POLICY = CUSTODIAN_POLICY.replace("    query:\n      - augment-keys: ['Lifecycle']\n", "")


def proxy_counts(proxy, reset=False):
    if reset:
        urllib.request.urlopen(urllib.request.Request(f"{proxy}/__fault-proxy/reset", method="POST")).read()
        return None
    return json.loads(urllib.request.urlopen(f"{proxy}/__fault-proxy/counts").read())


def timed(command, env, stdout_path):
    """Runs a command; returns (seconds, peak resident KiB, exit code). The peak comes from
    GNU time, not wait4: a child forked from this Python process would report the
    parent's resident set as its own."""
    peak_file = stdout_path.with_suffix(".peak")
    with open(stdout_path, "wb") as stdout, open(stdout_path.with_suffix(".stderr"), "wb") as stderr:
        start = time.perf_counter()
        code = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(peak_file), *command], env=env, stdout=stdout, stderr=stderr).returncode
        elapsed = time.perf_counter() - start
    return elapsed, int(peak_file.read_text().split()[-1]), code


def by_service(counts):
    return {service: sum(operations.values()) for service, operations in counts["requests"].items()}


def measure(name, command, env, proxy, runs, work):
    results = []
    for run in range(runs):
        proxy_counts(proxy, reset=True)
        elapsed, peak, code = timed(command, env, work / f"{name}-{run}.out")
        if code not in (0, 2):
            sys.exit(f"{name} exited {code}: {(work / f'{name}-{run}.stderr').read_text()[-2000:]}")
        counts = proxy_counts(proxy)
        results.append({"seconds": elapsed, "peak_kib": peak, "calls": counts["total"], "by_service": by_service(counts)})
    median = statistics.median(result["seconds"] for result in results)
    return {"median_seconds": median, "runs": [result["seconds"] for result in results], "peak_mib": max(result["peak_kib"] for result in results) / 1024,
            "calls": results[0]["calls"], "by_service": results[0]["by_service"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--moto", required=True)
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--holdfast", required=True)
    parser.add_argument("--custodian", required=True)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--custodian-runs", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=None, help="holdfast's --concurrency (its default when left out)")
    parser.add_argument("--sweep", default="", help="also time holdfast at these --concurrency values, e.g. 4,8,16,32,64")
    parser.add_argument("--no-custodian", action="store_true")
    parser.add_argument("--bare-proxy", help="a proxy without latency: the emulator's own share of the time")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--out")
    args = parser.parse_args()
    env = {**os.environ, **CREDENTIALS, "AWS_ENDPOINT_URL": args.proxy}
    env.pop("C7N_USE_STS_REGIONAL", None)
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-live-"))
    work.joinpath("policy.yml").write_text(CUSTODIAN_POLICY)
    work.joinpath("policy-default.yml").write_text(CUSTODIAN_DEFAULT_POLICY)
    rows = []
    for size in (int(value) for value in args.sizes.split(",")):
        counts = shape(size)
        started = time.perf_counter()
        seed(args.moto, counts)
        seeded = time.perf_counter() - started
        desired_state(work / f"desired-{size}", counts)
        holdfast = [args.holdfast, "plan", "--desired", str(work / f"desired-{size}"), "--format", "json"]
        if args.concurrency:
            holdfast += ["--concurrency", str(args.concurrency)]
        ours = measure(f"holdfast-{size}", holdfast, env, args.proxy, args.runs, work)
        sweep = {}
        for concurrency in (int(value) for value in args.sweep.split(",") if value):
            swept = measure(f"holdfast-{size}-c{concurrency}", holdfast + ["--concurrency", str(concurrency)], env, args.proxy, args.runs, work)
            sweep[concurrency] = swept["median_seconds"]
        custodian = [args.custodian, "run", "--cache-period", "0", "-s", str(work / f"custodian-{size}"), "-r", REGION, str(work / "policy.yml")]
        skipped = {"median_seconds": float("nan"), "runs": [], "peak_mib": float("nan"), "calls": 0, "by_service": {}}
        if args.no_custodian:
            theirs = theirs_default = skipped
        else:
            theirs = measure(f"custodian-{size}", custodian, env, args.proxy, args.custodian_runs, work)
            default = [args.custodian, "run", "--cache-period", "0", "-s", str(work / f"custodian-default-{size}"), "-r", REGION, str(work / "policy-default.yml")]
            theirs_default = measure(f"custodian-default-{size}", default, env, args.proxy, args.custodian_runs, work)
        bare = None
        if args.bare_proxy:
            bare = measure(f"holdfast-{size}-bare", holdfast, {**env, "AWS_ENDPOINT_URL": args.bare_proxy}, args.bare_proxy, args.runs, work)["median_seconds"]
        minimum = minimum_calls(counts)
        minimum_total = sum(minimum.values())
        on_emulator = emulator_minimum(counts)
        concurrency = args.concurrency or 16
        bound = minimum_total * args.latency_ms / 1000 / concurrency
        rows.append({"size": size, "shape": counts, "seeded_seconds": seeded, "holdfast": ours, "custodian": theirs, "minimum": minimum, "minimum_total": minimum_total,
                     "ideal_seconds": bound, "concurrency": concurrency, "sweep": sweep,
                     "custodian_default": theirs_default, "emulator_minimum": on_emulator, "emulator_minimum_total": sum(on_emulator.values()), "bare_seconds": bare})
        print(f"{size}: holdfast {ours['median_seconds']:.2f} s, {ours['calls']} calls, {ours['peak_mib']:.0f} MiB; "
              f"custodian {theirs['median_seconds']:.2f} s, {theirs['calls']} calls, {theirs['peak_mib']:.0f} MiB; minimum {minimum_total} calls", file=sys.stderr)
    print("| resources | holdfast | of which the emulator (0 ms) | calls | minimum on AWS / on moto | peak memory | Cloud Custodian, same attributes | calls | peak memory | Cloud Custodian, default S3 reads | calls | faster (same / default) | time / ideal |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        ours, theirs, default = row["holdfast"], row["custodian"], row["custodian_default"]
        bare = f"{row['bare_seconds']:.2f} s" if row["bare_seconds"] is not None else "-"
        print(f"| {row['size']:,} | {ours['median_seconds']:.2f} s | {bare} | {ours['calls']:,} | {row['minimum_total']:,} / {row['emulator_minimum_total']:,} | {ours['peak_mib']:.0f} MiB | "
              f"{theirs['median_seconds']:.1f} s | {theirs['calls']:,} | {theirs['peak_mib']:.0f} MiB | {default['median_seconds']:.1f} s | {default['calls']:,} | "
              f"{theirs['median_seconds'] / ours['median_seconds']:.1f}× / {default['median_seconds'] / ours['median_seconds']:.1f}× | "
              f"{ours['median_seconds'] / row['ideal_seconds']:.2f} |")
    for row in rows:
        print(f"\n{row['size']:,} resources {row['shape']}: holdfast by service {row['holdfast']['by_service']}, minimum on AWS {row['minimum']}, on moto {row['emulator_minimum']}; "
              f"Cloud Custodian by service {row['custodian']['by_service']}; holdfast runs {[round(value, 2) for value in row['holdfast']['runs']]}")
    for row in rows:
        if row["sweep"]:
            print(f"\n{row['size']:,} resources, holdfast median by --concurrency: " + ", ".join(f"{c}: {t:.2f} s" for c, t in row["sweep"].items()))
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
