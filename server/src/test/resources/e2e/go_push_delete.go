// One run of ClientGolangE2ETest, built against Debian's golang-github-prometheus-client-golang-dev.
//
// usage: go_push_delete GATEWAY_URL push     pushes go_jobs_total 3 for job go_batch, instance w1 (PUT)
//        go_push_delete GATEWAY_URL delete   Delete() for the same group; fails unless the answer is 202
package main

import (
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
)

func main() {
	gateway, action := os.Args[1], os.Args[2]
	pusher := push.New(gateway, "go_batch").Grouping("instance", "w1")
	var err error
	switch action {
	case "push":
		jobs := prometheus.NewCounter(prometheus.CounterOpts{Name: "go_jobs_total", Help: "Jobs done."})
		jobs.Add(3)
		err = pusher.Collector(jobs).Push()
	case "delete":
		err = pusher.Delete()
	default:
		err = fmt.Errorf("unknown action %q", action)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, action+":", err)
		os.Exit(1)
	}
}
