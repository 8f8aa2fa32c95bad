"""Calls the gateway's gRPC API with Debian's python3-grpcio (gRPC C-core), as the README shows.

Usage: grpc_push.py PROTO_DIR HOST:PORT

The messages come from a descriptor set that grpc_tools.protoc writes from the proto files: the
modules it would generate for io/prometheus/client/metrics.proto are named io.prometheus.client,
and "import io.prometheus" finds the standard library's io module first.
"""
import os
import sys
import tempfile

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_tools import protoc


def message_classes(proto_dir):
    out = os.path.join(tempfile.mkdtemp(), "gateway.binpb")
    well_known = os.path.join(os.path.dirname(protoc.__file__), "_proto")  # google/protobuf/timestamp.proto
    if protoc.main(["protoc", "-I" + proto_dir, "-I" + well_known, "--include_imports", "--descriptor_set_out=" + out,
                    "aggregationgateway/v1/gateway.proto"]) != 0:
        raise SystemExit("protoc failed")
    with open(out, "rb") as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    get_class = getattr(message_factory, "GetMessageClass", None)  # protobuf >= 4.22

    def cls(name):
        descriptor = pool.FindMessageTypeByName(name)
        return get_class(descriptor) if get_class else message_factory.MessageFactory(pool).GetPrototype(descriptor)

    return cls("aggregationgateway.v1.PushRequest"), cls("aggregationgateway.v1.PushResponse")


def main():
    proto_dir, target = sys.argv[1], sys.argv[2]
    PushRequest, PushResponse = message_classes(proto_dir)
    service = "/aggregationgateway.v1.AggregationGateway/"
    with grpc.insecure_channel(target) as channel:
        push = channel.unary_unary(service + "Push", request_serializer=PushRequest.SerializeToString,
                                   response_deserializer=PushResponse.FromString)
        push_stream = channel.stream_unary(service + "PushStream", request_serializer=PushRequest.SerializeToString,
                                           response_deserializer=PushResponse.FromString)

        def request(name, value, **labels):
            req = PushRequest(grouping_labels={"job": "python"})
            family = req.families.add(name=name, type=0)  # COUNTER
            metric = family.metric.add()
            metric.counter.value = value
            for label_name, label_value in labels.items():
                metric.label.add(name=label_name, value=label_value)
            return req

        # several calls on one connection: later header blocks refer to the first one's table entries
        for _ in range(3):
            reply = push(request("py_total", 2), timeout=10)
            print("push", reply.families, reply.series)
        reply = push(request("py_total", 4), timeout=10, compression=grpc.Compression.Gzip)
        print("push gzip", reply.families, reply.series)
        reply = push_stream(iter([request("py_stream_total", 1, i=str(i)) for i in range(5)]), timeout=10)
        print("stream", reply.families, reply.series)
        try:
            push(request("bad_total", -1, x="bad%41name é"), timeout=10)
            print("refused: no")
        except grpc.RpcError as e:
            print("refused", e.code().name, e.details())

        # grpc.health.v1.Health/Check: request {service: ""} is empty; reply {status: SERVING} is 08 01
        check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=lambda b: b,
                                    response_deserializer=lambda b: b)
        print("health", check(b"", timeout=10).hex())


if __name__ == "__main__":
    main()
