"""A long-lived sender of PythonSourcePushE2ETest, using Debian's python3-prometheus-client.

usage: python_source_worker.py GATEWAY INSTANCE SECONDS GAUGE
       python_source_worker.py check      imports the client and exits

Counts for SECONDS while calling push_to_gateway (PUT of the registry's running totals) with
grouping_key={'instance': INSTANCE} every 0.2 s, as a service does that pushes on a timer; pushes
once more at the end, then prints what it counted: "counted <jobs> <observations> <sum>".
"""
import random
import sys
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, push_to_gateway

if sys.argv[1] == 'check':
    sys.exit(0)
gateway, instance, seconds, gauge = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
registry = CollectorRegistry()
jobs = Counter('py_src_jobs', 'Jobs done.', ['kind'], registry=registry)
duration = Histogram('py_src_duration_seconds', 'Job duration.', buckets=(0.1, 1, 10), registry=registry)
in_flight = Gauge('py_src_in_flight', 'Jobs running.', registry=registry)
in_flight.set(gauge)
rng = random.Random(instance + str(time.time()))


def push():
    push_to_gateway(gateway, job='sourced', registry=registry, grouping_key={'instance': instance}, timeout=10)


counted, observations, total = 0, 0, 0.0
push()  # a restarted process's first push shows its totals back at zero
deadline = time.monotonic() + seconds
while time.monotonic() < deadline:
    n = rng.randint(1, 3)
    jobs.labels('batch').inc(n)
    counted += n
    for _ in range(n):
        value = rng.choice((0.05, 0.5, 5.0))
        duration.observe(value)
        observations += 1
        total += value
    push()
    time.sleep(0.2)
push()
print('counted', counted, observations, repr(total))
