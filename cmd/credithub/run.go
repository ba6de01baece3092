package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"credithub/app"
	"credithub/devpg"
	"credithub/server"
)

const usage = `credithub — the credit hub of Heihe's market supervision

  credithub dev   [--addr 127.0.0.1:8080] [--entities 2000] [--seed 1]
                  create, migrate and seed the local databases, then serve
                  with GraphiQL (a private PostgreSQL is started under .data/
                  when DATABASE_URL is unset and none answers locally)
  credithub serve serve from the configured databases (production)
  credithub pg url
                  print the URL of a PostgreSQL that answers: DATABASE_URL,
                  the local server, or a private one started under .data/
  credithub pg stop
                  stop the private PostgreSQL, if one runs
  credithub seed  [--entities N] [--seed S]
                  create, migrate and seed the local databases, then exit

Configuration is read from the environment (README: "Configuration").
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	logger := server.Logger(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	switch args[0] {
	case "dev":
		return runDev(ctx, args[1:], getenv, stdout, logger, true)
	case "seed":
		return runDev(ctx, args[1:], getenv, stdout, logger, false)
	case "serve":
		cfg, err := app.FromEnv(getenv)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, stdout, logger)
	case "pg":
		return runPG(ctx, args[1:], getenv, stdout, logger)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// runDev is `credithub dev` (serve=true) and `credithub seed`.
func runDev(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger, serveAfter bool) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	entities := fs.Int("entities", 2000, "synthetic entities to seed into empty databases")
	seed := fs.Uint64("seed", 1, "seed of the synthetic data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *entities < 10 || *entities > 1_000_000 {
		return fmt.Errorf("--entities must be between 10 and 1000000")
	}
	pg, err := devpg.Ensure(ctx, devpg.Options{Logger: logger, Getenv: getenv})
	if err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := pg.Stop(stopCtx); err != nil {
			logger.Error("stopping the private PostgreSQL", "err", err)
		}
	}()
	env := func(k string) string {
		switch k {
		case "DATABASE_URL":
			return pg.URL
		case "CREDITHUB_DEV":
			if v := getenv(k); v != "" {
				return v
			}
			return "true"
		case "CREDITHUB_ADDR":
			return *addr
		}
		return getenv(k)
	}
	cfg, err := app.FromEnv(env)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := app.Prepare(ctx, cfg, app.SeedOptions{Entities: *entities, Seed: *seed}, logger); err != nil {
		return err
	}
	logger.Info("local databases ready", "took", time.Since(start).Round(time.Millisecond).String(), "private_postgres", pg.Private)
	if !serveAfter {
		return nil
	}
	return serve(ctx, cfg, stdout, logger)
}

// serve runs the hub until ctx ends, then drains in-flight requests.
func serve(ctx context.Context, cfg app.Config, stdout io.Writer, logger *slog.Logger) error {
	a, err := app.Open(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "credithub listening on http://%s/ (GraphiQL: %v)\n", ln.Addr(), cfg.Development)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining in-flight requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutCtx)
}

// runPG lets scripts share the dev command's way of finding PostgreSQL.
func runPG(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	if len(args) != 1 {
		return errors.New("usage: credithub pg url|stop")
	}
	switch args[0] {
	case "url":
		// The private server, if started, keeps running for the caller; the
		// caller stops it with `credithub pg stop`.
		pg, err := devpg.Ensure(ctx, devpg.Options{Logger: logger, Getenv: getenv})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, pg.URL)
		return nil
	case "stop":
		pg, err := devpg.Ensure(ctx, devpg.Options{Logger: logger, Getenv: func(string) string { return "" }, DefaultURL: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable"})
		if err != nil {
			return err
		}
		return pg.Stop(ctx)
	}
	return fmt.Errorf("unknown pg command %q", args[0])
}
