package main

import (
	"errors"
	"syscall"
	"time"

	"credithub/dev/bench/loadgen"
)

// cpuUse is the CPU time used so far by the Go program under test and by
// PostgreSQL.
type cpuUse struct{ proc, pg time.Duration }

// cpuMeter reads the CPU time used so far.
type cpuMeter func() (cpuUse, error)

var errNotMeasured = errors.New("not measured")

// procMeter measures the process pid (the hub) and PostgreSQL.
func procMeter(pid int) cpuMeter {
	return func() (cpuUse, error) {
		p, err := loadgen.ProcCPU(pid)
		if err != nil {
			return cpuUse{}, err
		}
		pg, err := postgresCPU()
		return cpuUse{p, pg}, err
	}
}

// selfMeter measures this process (running the baseline) and PostgreSQL.
func selfMeter() (cpuUse, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuUse{}, err
	}
	self := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	pg, err := postgresCPU()
	return cpuUse{self, pg}, err
}

// pgDatabasePrefix, when set (-pg-cpu-prefix), restricts postgresCPU to
// the backends serving databases of that prefix: on a server shared with
// other people's work, the benchmark's own sessions.
var pgDatabasePrefix string

// postgresCPU is the CPU time of every postgres process, or of
// pgDatabasePrefix's backends only (loadgen.PostgresCPU).
func postgresCPU() (time.Duration, error) { return loadgen.PostgresCPU(pgDatabasePrefix) }
