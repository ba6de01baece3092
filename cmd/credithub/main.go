// Command credithub runs the credit hub: `credithub dev` for a local hub
// with seeded departmental databases and GraphiQL, `credithub serve` in
// production. Run `credithub help` for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "credithub:", err)
		os.Exit(1)
	}
}
