#!/usr/bin/env python3
"""Changes one thing in an emulated account with boto3, as a person or another tool would.

    poke.py set-max-acu   --endpoint URL --account ID CLUSTER ACUS
    poke.py hold-lock     --endpoint URL --account ID HOLDER
"""

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import z360_account as z  # noqa: E402
from seed import session_for  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["set-max-acu", "hold-lock"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--account", required=True)
    parser.add_argument("arguments", nargs="*")
    args = parser.parse_intermixed_args()
    session, _ = session_for(args.endpoint, args.account, z.REGION)
    client = lambda name: session.client(name, endpoint_url=args.endpoint)  # noqa: E731
    if args.what == "set-max-acu":
        cluster, acus = args.arguments
        client("rds").modify_db_cluster(DBClusterIdentifier=cluster, ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": float(acus)}, ApplyImmediately=True)
    elif args.what == "hold-lock":
        (holder,) = args.arguments
        client("ssm").put_parameter(Name="/holdfast/apply-lock", Type="String", Value=holder, Overwrite=False)


if __name__ == "__main__":
    main()
