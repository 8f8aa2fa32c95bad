// A grpc-go client of the gateway that has no generated code: it learns the API through server
// reflection (v1alpha, what grpc-go 1.33 knows), as grpcurl does, then pushes with dynamic
// messages, streams, checks health and reads a refusal's message.
//
// Usage: gwclient HOST:PORT [CA_FILE USER PASSWORD]
//
// With CA_FILE, USER and PASSWORD the connection is TLS (trusting CA_FILE), and every call but the
// health check carries USER's credentials in the authorization metadata; first, one push without.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health/grpc_health_v1"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
)

const service = "aggregationgateway.v1.AggregationGateway"

// compactJSON is the message as protojson writes it, without the spaces protojson adds at random
// (on purpose, so that nobody relies on its exact output).
func compactJSON(message proto.Message) string {
	out, _ := protojson.Marshal(message)
	var compact bytes.Buffer
	if err := json.Compact(&compact, out); err != nil {
		return string(out)
	}
	return compact.String()
}

// dynamicCodec marshals dynamic messages: the codec of grpc-go 1.33 goes through the older
// golang/protobuf, which cannot.
type dynamicCodec struct{}

func (dynamicCodec) Marshal(v interface{}) ([]byte, error) { return proto.Marshal(v.(proto.Message)) }
func (dynamicCodec) Unmarshal(data []byte, v interface{}) error {
	return proto.Unmarshal(data, v.(proto.Message))
}
func (dynamicCodec) Name() string { return "proto" }

// basicAuth puts HTTP basic credentials into a call's authorization metadata, over TLS only.
type basicAuth struct{ user, password string }

func (b basicAuth) GetRequestMetadata(ctx context.Context, uri ...string) (map[string]string, error) {
	token := base64.StdEncoding.EncodeToString([]byte(b.user + ":" + b.password))
	return map[string]string{"authorization": "Basic " + token}, nil
}
func (basicAuth) RequireTransportSecurity() bool { return true }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Println("FAILED:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	transport := grpc.WithInsecure()
	var withCredentials []grpc.CallOption
	if len(args) > 1 {
		tls, err := credentials.NewClientTLSFromFile(args[1], "")
		if err != nil {
			return err
		}
		transport = grpc.WithTransportCredentials(tls)
		withCredentials = append(withCredentials, grpc.PerRPCCredentials(basicAuth{args[2], args[3]}))
	}
	conn, err := grpc.DialContext(ctx, args[0], transport, grpc.WithBlock())
	if err != nil {
		return err
	}
	defer conn.Close()

	health, err := grpc_health_v1.NewHealthClient(conn).Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: service})
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	fmt.Println("health", health.Status)

	reflection, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx, withCredentials...)
	if err != nil {
		return err
	}
	if err := reflection.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}); err != nil {
		return err
	}
	listed, err := reflection.Recv()
	if err != nil {
		return err
	}
	for _, s := range listed.GetListServicesResponse().GetService() {
		fmt.Println("service", s.Name)
	}
	if err := reflection.Send(&rpb.ServerReflectionRequest{
		MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: service}}); err != nil {
		return err
	}
	described, err := reflection.Recv()
	if err != nil {
		return err
	}
	reflection.CloseSend()
	set := &descriptorpb.FileDescriptorSet{}
	for _, raw := range described.GetFileDescriptorResponse().GetFileDescriptorProto() {
		file := &descriptorpb.FileDescriptorProto{}
		if err := proto.Unmarshal(raw, file); err != nil {
			return err
		}
		set.File = append(set.File, file)
	}
	files, err := protodesc.NewFiles(set)
	if err != nil {
		return err
	}
	found, err := files.FindDescriptorByName(service)
	if err != nil {
		return err
	}
	methods := found.(protoreflect.ServiceDescriptor).Methods()
	push, pushStream := methods.ByName("Push"), methods.ByName("PushStream")
	dynamic := append([]grpc.CallOption{grpc.ForceCodec(dynamicCodec{})}, withCredentials...)
	request := func(json string) (*dynamicpb.Message, error) {
		message := dynamicpb.NewMessage(push.Input())
		return message, protojson.Unmarshal([]byte(json), message)
	}

	one, err := request(`{"groupingLabels": {"job": "go"}, "families": [{"name": "go_total", "type": "COUNTER",
		"metric": [{"counter": {"value": 2}}]}]}`)
	if err != nil {
		return err
	}
	if len(withCredentials) > 0 {
		err := conn.Invoke(ctx, "/"+service+"/Push", one, dynamicpb.NewMessage(push.Output()), grpc.ForceCodec(dynamicCodec{}))
		anonymous := status.Convert(err)
		fmt.Printf("anonymous %s: %s\n", anonymous.Code(), anonymous.Message())
	}
	for i := 0; i < 2; i++ {
		reply := dynamicpb.NewMessage(push.Output())
		if err := conn.Invoke(ctx, "/"+service+"/Push", one, reply, dynamic...); err != nil {
			return fmt.Errorf("push: %w", err)
		}
		fmt.Println("push", compactJSON(reply))
	}

	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true}, "/"+service+"/PushStream", dynamic...)
	if err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		if err := stream.SendMsg(one); err != nil {
			return err
		}
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	reply := dynamicpb.NewMessage(pushStream.Output())
	if err := stream.RecvMsg(reply); err != nil {
		return fmt.Errorf("stream: %w", err)
	}
	fmt.Println("stream", compactJSON(reply))

	bad, err := request(`{"groupingLabels": {"job": "go"}, "families": [{"name": "bad_total", "type": "COUNTER",
		"metric": [{"label": [{"name": "x", "value": "bad%41name é"}], "counter": {"value": -1}}]}]}`)
	if err != nil {
		return err
	}
	err = conn.Invoke(ctx, "/"+service+"/Push", bad, dynamicpb.NewMessage(push.Output()), dynamic...)
	refusal := status.Convert(err)
	fmt.Printf("refused %s: %s\n", refusal.Code(), refusal.Message())
	return nil
}
