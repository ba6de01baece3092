// Command credithub runs the credit hub: `credithub dev` for a local hub
// with seeded departmental databases and GraphiQL, `credithub serve` in
// production. Run `credithub help` for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// A hub's heap is small and short-lived (one request's rows and
	// answer); collecting at 200% growth instead of Go's default 100% cut
	// its CPU per request by a fifth under load (bench/README.md). The GOGC
	// variable still decides when set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "credithub:", err)
		os.Exit(1)
	}
}
