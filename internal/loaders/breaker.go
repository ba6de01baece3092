package loaders

import (
	"context"
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"credithub/datasources"
	"credithub/internal/obs"
)

// Breaker is a department's circuit breaker, shared by every request: after
// a run of failures it opens and batches fail at once with
// SOURCE_UNAVAILABLE instead of each waiting out the department's timeout;
// after Cooldown one probe batch goes through, and its success closes it.
type Breaker struct {
	Department string
	cb         *gobreaker.CircuitBreaker[struct{}]
	metrics    *obs.Metrics
}

// BreakerSettings tune the breakers.
type BreakerSettings struct {
	// Failures in a row that open the circuit (default 5).
	Failures uint32
	// Cooldown is how long it stays open before a probe (default 10s).
	Cooldown time.Duration
}

// errCircuitOpen is the cause of a batch refused by an open circuit.
var errCircuitOpen = errors.New("circuit open: the department failed repeatedly; retrying after the cool-down")

// NewBreaker returns the breaker of a department.
func NewBreaker(department string, s BreakerSettings, m *obs.Metrics) *Breaker {
	if s.Failures == 0 {
		s.Failures = 5
	}
	if s.Cooldown <= 0 {
		s.Cooldown = 10 * time.Second
	}
	b := &Breaker{Department: department, metrics: m}
	b.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        department,
		MaxRequests: 1,
		Timeout:     s.Cooldown,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= s.Failures },
		// Only outages count against a department; a bug in a query or a row
		// the hub cannot decode is not the department being down.
		IsSuccessful: func(err error) bool {
			var de *datasources.DecodeError
			return err == nil || errors.As(err, &de) || errors.Is(err, context.Canceled)
		},
		OnStateChange: func(_ string, _, to gobreaker.State) {
			if m != nil {
				m.CircuitState.WithLabelValues(department).Set(float64(to))
			}
		},
	})
	if m != nil {
		m.CircuitState.WithLabelValues(department).Set(0)
	}
	return b
}

// State is closed, half-open or open.
func (b *Breaker) State() string {
	if b == nil {
		return "closed"
	}
	return b.cb.State().String()
}

// Open reports whether batches are being refused.
func (b *Breaker) Open() bool { return b != nil && b.cb.State() == gobreaker.StateOpen }

// call runs one batch for a department: through its breaker, under its
// timeout, in a span, counted in the metrics.
func (l *Loaders) call(ctx context.Context, dep Department, loader string, keys int, run func(ctx context.Context) error) error {
	code := dep.Source.Department().Code
	ctx, span := obs.Tracer.Start(ctx, "department."+loader)
	span.SetAttributes(attribute.String("department", code), attribute.Int("keys", keys))
	defer span.End()
	ctx, cancel := context.WithTimeout(ctx, dep.Timeout)
	defer cancel()
	start := time.Now()
	var err error
	if dep.Breaker == nil {
		err = run(ctx)
	} else {
		_, err = dep.Breaker.cb.Execute(func() (struct{}, error) { return struct{}{}, run(ctx) })
	}
	outcome := "ok"
	switch {
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		outcome, err = "circuit_open", errCircuitOpen
	case err != nil:
		outcome = "error"
	}
	l.deps.Metrics.ObserveBatch(code, loader, keys, outcome, time.Since(start))
	if err != nil {
		span.SetStatus(codes.Error, outcome)
		return l.unavailable(ctx, code, err)
	}
	return nil
}
