// The client_golang program of ClientGolangE2ETest, built against Debian's golang-github-prometheus-client-golang-dev.
//
// usage: go_push_delete GATEWAY_URL push     pushes go_jobs_total 3 for job go_batch, instance w1 (PUT)
//        go_push_delete GATEWAY_URL delete   Delete() for the same group; fails unless the answer is 202
//        go_push_delete GATEWAY_URL source INSTANCE PUSHES
//            a long-lived sender: PUSHES times, counts i more jobs (i = 1, 2, ...) and Push()es its
//            registry's running totals for job go_service, instance INSTANCE, each push sent twice
//            (as a retry after a lost answer would)
//        go_push_delete GATEWAY_URL delete-source INSTANCE   Delete() for job go_service, that instance
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"
)

func main() {
	gateway, action := os.Args[1], os.Args[2]
	var err error
	switch action {
	case "push":
		jobs := prometheus.NewCounter(prometheus.CounterOpts{Name: "go_jobs_total", Help: "Jobs done."})
		jobs.Add(3)
		err = push.New(gateway, "go_batch").Grouping("instance", "w1").Collector(jobs).Push()
	case "delete":
		err = push.New(gateway, "go_batch").Grouping("instance", "w1").Delete()
	case "source":
		err = source(gateway, os.Args[3], os.Args[4])
	case "delete-source":
		err = push.New(gateway, "go_service").Grouping("instance", os.Args[3]).Delete()
	default:
		err = fmt.Errorf("unknown action %q", action)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, action+":", err)
		os.Exit(1)
	}
}

func source(gateway, instance, times string) error {
	pushes, err := strconv.Atoi(times)
	if err != nil {
		return err
	}
	registry := prometheus.NewRegistry()
	jobs := prometheus.NewCounter(prometheus.CounterOpts{Name: "go_src_jobs_total", Help: "Jobs done."})
	inFlight := prometheus.NewGauge(prometheus.GaugeOpts{Name: "go_src_in_flight", Help: "Jobs running."})
	registry.MustRegister(jobs, inFlight)
	pusher := push.New(gateway, "go_service").Grouping("instance", instance).Gatherer(registry)
	for i := 1; i <= pushes; i++ {
		jobs.Add(float64(i))
		inFlight.Set(float64(i))
		for copy := 0; copy < 2; copy++ {
			if err := pusher.Push(); err != nil {
				return err
			}
		}
	}
	return nil
}
