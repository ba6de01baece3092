// Package obs is the hub's observability: Prometheus metrics (served at
// /metrics), OpenTelemetry traces (a span per request and per department
// batch; off unless configured) and the SQL tags that let a department's DBA
// see who sent a statement.
package obs

import (
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the hub's Prometheus metrics, on a registry of their own.
type Metrics struct {
	Registry *prometheus.Registry

	Requests        *prometheus.CounterVec
	RequestDuration *prometheus.HistogramVec
	DeptQueries     *prometheus.CounterVec
	DeptDuration    *prometheus.HistogramVec
	CircuitState    *prometheus.GaugeVec
	BatchSize       *prometheus.HistogramVec
	QueryLogWrites  *prometheus.CounterVec
	QueryLogWait    prometheus.Histogram
	RateLimited     prometheus.Counter
	Refused         *prometheus.CounterVec
	AdmissionWait   prometheus.Histogram
	RecordPages     *prometheus.CounterVec
	EntityPages     *prometheus.CounterVec

	opsMu sync.Mutex
	ops   map[string]bool
}

// maxOperations bounds the operation names used as label values: names
// come from clients, and an unbounded label is a memory leak.
const maxOperations = 200

// NewMetrics registers the hub's metrics and the Go runtime's.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: r,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "credithub_requests_total", Help: "GraphQL requests by operation and outcome (ok, error, refused).",
		}, []string{"operation", "outcome"}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "credithub_request_duration_seconds", Help: "GraphQL request latency by operation.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"operation"}),
		DeptQueries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "credithub_department_queries_total", Help: "Batches sent to a department's database, by outcome (ok, error, circuit_open).",
		}, []string{"department", "outcome"}),
		DeptDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "credithub_department_query_duration_seconds", Help: "Latency of a department's batches.",
			Buckets: []float64{.001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 3},
		}, []string{"department"}),
		CircuitState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "credithub_department_circuit_state", Help: "A department's circuit breaker: 0 closed, 1 half-open, 2 open.",
		}, []string{"department"}),
		BatchSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "credithub_loader_batch_size", Help: "Keys per dataloader batch, by department and question.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500},
		}, []string{"department", "loader"}),
		QueryLogWrites: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "credithub_query_log_writes_total", Help: "Query log rows written before personal data left (ok) or not (failed: data withheld).",
		}, []string{"outcome"}),
		QueryLogWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "credithub_query_log_wait_seconds", Help: "How long an answer with personal data waited for its query-log row's batch to commit.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, .5, 1, 3},
		}),
		RateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "credithub_rate_limited_total", Help: "Requests refused for a spent budget.",
		}),
		Refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "credithub_refused_total", Help: "Requests refused before execution, by reason (a query limit, the safelist).",
		}, []string{"reason"}),
		AdmissionWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "credithub_admission_wait_seconds", Help: "How long an admitted GraphQL request waited for a turn (CREDITHUB_MAX_IN_FLIGHT); those that waited in vain are credithub_refused_total{reason=\"OVERLOADED\"}.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		RecordPages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "credithub_record_pages_total", Help: "Pages of credit records answered, by how they were written: one_pass (internal/hotlist) or gqlgen (a selection or an openness decision the one pass leaves to gqlgen).",
		}, []string{"path"}),
		EntityPages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "credithub_entity_pages_total", Help: "Pages of market entities answered, by how they were written: one_pass (internal/hotlist) or gqlgen (a field with a resolver of its own, or an openness decision the one pass leaves to gqlgen).",
		}, []string{"path"}),
		ops: map[string]bool{},
	}
	r.MustRegister(m.Requests, m.RequestDuration, m.DeptQueries, m.DeptDuration, m.CircuitState, m.BatchSize,
		m.QueryLogWrites, m.QueryLogWait, m.RateLimited, m.Refused, m.AdmissionWait, m.RecordPages, m.EntityPages)
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

var safeName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// Operation returns the label value for an operation name: the name when it
// is a plain identifier and among the first maxOperations seen, else
// "other" (or "anonymous").
func (m *Metrics) Operation(name string) string {
	if name == "" {
		return "anonymous"
	}
	if !safeName.MatchString(name) {
		return "other"
	}
	m.opsMu.Lock()
	defer m.opsMu.Unlock()
	if m.ops[name] || len(m.ops) < maxOperations {
		m.ops[name] = true
		return name
	}
	return "other"
}

// ObserveRequest records one GraphQL request.
func (m *Metrics) ObserveRequest(operation, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	op := m.Operation(operation)
	m.Requests.WithLabelValues(op, outcome).Inc()
	m.RequestDuration.WithLabelValues(op).Observe(d.Seconds())
}

// ObserveBatch records one batch sent to a department.
func (m *Metrics) ObserveBatch(department, loader string, keys int, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.DeptQueries.WithLabelValues(department, outcome).Inc()
	if outcome != "circuit_open" {
		m.DeptDuration.WithLabelValues(department).Observe(d.Seconds())
	}
	m.BatchSize.WithLabelValues(department, loader).Observe(float64(keys))
}

// QueryLogWrite records a query-log write (ok) or a failed one (data
// withheld), and how long the answer waited for it.
func (m *Metrics) QueryLogWrite(ok bool, wait time.Duration) {
	if m == nil {
		return
	}
	m.QueryLogWait.Observe(wait.Seconds())
	if ok {
		m.QueryLogWrites.WithLabelValues("ok").Inc()
	} else {
		m.QueryLogWrites.WithLabelValues("failed").Inc()
	}
}

// Refusal records a request refused before it ran, by reason.
func (m *Metrics) Refusal(reason string) {
	if m == nil {
		return
	}
	m.Refused.WithLabelValues(reason).Inc()
	if reason == "RATE_LIMITED" {
		m.RateLimited.Inc()
	}
}

// AdmissionWaited records how long an admitted request waited for its turn.
func (m *Metrics) AdmissionWaited(d time.Duration) {
	if m == nil {
		return
	}
	m.AdmissionWait.Observe(d.Seconds())
}

// RecordPage records how a page of credit records was written.
func (m *Metrics) RecordPage(onePass bool) {
	if m != nil {
		m.RecordPages.WithLabelValues(pagePath(onePass)).Inc()
	}
}

// EntityPage records how a page of market entities was written.
func (m *Metrics) EntityPage(onePass bool) {
	if m != nil {
		m.EntityPages.WithLabelValues(pagePath(onePass)).Inc()
	}
}

func pagePath(onePass bool) string {
	if onePass {
		return "one_pass"
	}
	return "gqlgen"
}
