"""The long-lived sender of GatewayRestartPythonE2ETest, using Debian's python3-prometheus-client.

usage: python_source_across_restarts.py ADDRESS_FILE INSTANCE SECONDS
       python_source_across_restarts.py check      imports the client and exits

Counts for SECONDS while calling push_to_gateway (PUT of the registry's running totals) with
grouping_key={'instance': INSTANCE} every 0.1 s, to the HOST:PORT the test keeps in ADDRESS_FILE:
the gateway is killed and restarted meanwhile, on another port. A push that fails is simply not
retried: the next one carries the newer totals. At the end it pushes until one push succeeds (at
most 60 s), then prints "counted <jobs> <observations> <sum> <failed pushes>".
"""
import random
import sys
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, push_to_gateway

if sys.argv[1] == 'check':
    sys.exit(0)
address_file, instance, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
registry = CollectorRegistry()
jobs = Counter('restart_jobs', 'Jobs done.', registry=registry)
duration = Histogram('restart_duration_seconds', 'Job duration.', buckets=(0.1, 1, 10), registry=registry)
rng = random.Random(instance)


def push():
    with open(address_file) as f:
        gateway = f.read().strip()
    push_to_gateway(gateway, job='restarted', registry=registry, grouping_key={'instance': instance}, timeout=5)


counted, observations, total, failed = 0, 0, 0.0, 0
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    n = rng.randint(1, 3)
    jobs.inc(n)
    counted += n
    for _ in range(n):
        value = rng.choice((0.05, 0.5, 5.0))
        duration.observe(value)
        observations += 1
        total += value
    try:
        push()
    except Exception:
        failed += 1
    time.sleep(0.1)
give_up = time.monotonic() + 60
while True:
    try:
        push()
        break
    except Exception:
        if time.monotonic() > give_up:
            raise
        time.sleep(0.2)
print('counted', counted, observations, repr(total), failed)
