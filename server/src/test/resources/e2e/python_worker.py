"""One short-lived worker of PythonClientPushE2ETest, using Debian's python3-prometheus-client.

usage: python_worker.py GATEWAY push AMOUNT OBSERVATION   pushes its share twice: push_to_gateway (PUT),
                                                           then pushadd_to_gateway (POST)
       python_worker.py GATEWAY delete                    delete_from_gateway for the same group
"""
import sys

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, Summary,
                               delete_from_gateway, push_to_gateway, pushadd_to_gateway)

gateway, action = sys.argv[1], sys.argv[2]
# a '/' in a grouping value makes the client send it as <name>@base64/<url-safe base64>
job = 'nightly/report'
grouping_key = {'region': 'eu/west'}

if action == 'delete':
    delete_from_gateway(gateway, job=job, grouping_key=grouping_key, timeout=10)
    sys.exit(0)

amount, observation = float(sys.argv[3]), float(sys.argv[4])
registry = CollectorRegistry()
Counter('py_jobs', 'Jobs done.', ['kind'], registry=registry).labels('batch').inc(amount)
Gauge('py_queue_depth', 'Items waiting.', registry=registry).set(amount)
Histogram('py_duration_seconds', 'Job duration.', buckets=(0.1, 1, 10), registry=registry).observe(observation)
Summary('py_payload_bytes', 'Payload size.', registry=registry).observe(amount)

push_to_gateway(gateway, job=job, registry=registry, grouping_key=grouping_key, timeout=10)
pushadd_to_gateway(gateway, job=job, registry=registry, grouping_key=grouping_key, timeout=10)
