"""Parses an OpenMetrics exposition with Debian's python3-prometheus-client, the strict reference parser
(it rejects a missing '# EOF', bad escapes, unsorted buckets, counters without _total, ...), and prints
what it read as JSON: {"families": [[name, type, help], ...], "samples": [[name, {labels}, value], ...]}.

usage: openmetrics_samples.py FILE
"""
import json
import math
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def go_float(value):
    # JSON has no infinities; spell them as Prometheus does
    value = float(value)
    if math.isinf(value):
        return '+Inf' if value > 0 else '-Inf'
    return repr(value)


with open(sys.argv[1], encoding='utf-8') as exposition:
    families = list(text_string_to_metric_families(exposition.read()))

print(json.dumps({
    'families': [[f.name, f.type, f.documentation] for f in families],
    'samples': [[s.name, s.labels, go_float(s.value)] for f in families for s in f.samples],
}))
