#!/usr/bin/env python3
"""What the drift tests set up and read back with boto3, independently of holdfast.

    drift_fixtures.py bucket --endpoint URL --account ID --name NAME [--lifecycle-days N]
    drift_fixtures.py drop-lifecycle ... --name NAME
    drift_fixtures.py put-lifecycle ... --name NAME --lifecycle-days N
    drift_fixtures.py topic-queue ... --name NAME        prints {"topic": ARN, "queue": URL}
    drift_fixtures.py receive ... --queue URL            prints the SNS envelopes received
    drift_fixtures.py metric ... --namespace NS --name METRIC --dimension K=V ...
    drift_fixtures.py get-object ... --bucket B --key K  prints the object, or nothing
"""

import argparse
import json
import sys
import time

from seed import session_for


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["bucket", "drop-lifecycle", "put-lifecycle", "topic-queue", "receive", "metric", "get-object"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--name")
    parser.add_argument("--lifecycle-days", type=int)
    parser.add_argument("--queue")
    parser.add_argument("--namespace")
    parser.add_argument("--dimension", action="append", default=[])
    parser.add_argument("--bucket")
    parser.add_argument("--key")
    args = parser.parse_args()
    session, _ = session_for(args.endpoint, args.account, args.region)
    client = lambda name: session.client(name, endpoint_url=args.endpoint)

    if args.what in ("bucket", "put-lifecycle"):
        s3 = client("s3")
        if args.what == "bucket":
            s3.create_bucket(Bucket=args.name)
        if args.lifecycle_days:
            rule = {"ID": "archive", "Status": "Enabled", "Filter": {}, "Transitions": [{"Days": args.lifecycle_days, "StorageClass": "GLACIER"}]}
            s3.put_bucket_lifecycle_configuration(Bucket=args.name, LifecycleConfiguration={"Rules": [rule]})
    elif args.what == "drop-lifecycle":
        client("s3").delete_bucket_lifecycle(Bucket=args.name)
    elif args.what == "topic-queue":
        sns, sqs = client("sns"), client("sqs")
        topic = sns.create_topic(Name=args.name)["TopicArn"]
        queue = sqs.create_queue(QueueName=args.name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        json.dump({"topic": topic, "queue": queue}, sys.stdout)
    elif args.what == "receive":
        sqs = client("sqs")
        bodies = []
        while True:
            messages = sqs.receive_message(QueueUrl=args.queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if not messages:
                break
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=args.queue, ReceiptHandle=message["ReceiptHandle"])
        json.dump(bodies, sys.stdout)
    elif args.what == "metric":
        dimensions = [{"Name": key, "Value": value} for key, value in (item.split("=", 1) for item in args.dimension)]
        now = time.time()
        stats = client("cloudwatch").get_metric_statistics(
            Namespace=args.namespace,
            MetricName=args.name,
            Dimensions=dimensions,
            StartTime=now - 3600,
            EndTime=now + 60,
            Period=60,
            Statistics=["Maximum", "SampleCount"],
        )["Datapoints"]
        json.dump([{"Maximum": point["Maximum"], "SampleCount": point["SampleCount"]} for point in stats], sys.stdout)
    elif args.what == "get-object":
        try:
            sys.stdout.write(client("s3").get_object(Bucket=args.bucket, Key=args.key)["Body"].read().decode())
        except client("s3").exceptions.NoSuchKey:
            pass


if __name__ == "__main__":
    main()
