"""A pusher of SecurePeersE2ETest: Debian's python3-prometheus-client over HTTPS with basic auth.

usage: python_secure_push.py GATEWAY_URL CA_FILE USER PASSWORD VALUE

push_to_gateway with the client's own basic_auth_handler; urllib's HTTPS is told to trust the
test's CA, as an operator would install their CA.
"""
import ssl
import sys
import urllib.error

from prometheus_client import CollectorRegistry, Counter, push_to_gateway
from prometheus_client.exposition import basic_auth_handler

gateway, ca_file, user, password, value = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
ssl._create_default_https_context = lambda: ssl.create_default_context(cafile=ca_file)


def auth_handler(url, method, timeout, headers, data):
    return basic_auth_handler(url, method, timeout, headers, data, user, password)


registry = CollectorRegistry()
Counter('py_secure_jobs', 'Jobs done.', registry=registry).inc(value)
try:
    push_to_gateway(gateway, job='python', registry=registry, handler=auth_handler, timeout=10)
    print('pushed')
except urllib.error.HTTPError as e:
    print('refused', e.code, e.headers.get('WWW-Authenticate'))
