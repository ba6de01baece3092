package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuUse is the CPU time used so far by the Go program under test and by
// PostgreSQL.
type cpuUse struct{ proc, pg time.Duration }

// cpuMeter reads the CPU time used so far.
type cpuMeter func() (cpuUse, error)

var errNotMeasured = errors.New("not measured")

// clockTick is Linux's USER_HZ, the unit of /proc/PID/stat's times.
const clockTick = 10 * time.Millisecond

// procMeter measures the process pid (the hub) and PostgreSQL.
func procMeter(pid int) cpuMeter {
	return func() (cpuUse, error) {
		p, err := procCPU(pid)
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

// procCPU returns a process's user and system time from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name is in parentheses and may hold spaces: the fields
	// after it start with the state (field 3); utime and stime are 14, 15.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// pgDatabasePrefix, when set (-pg-cpu-prefix), restricts postgresCPU to
// the backends serving databases of that prefix: on a server shared with
// other people's work, the benchmark's own sessions.
var pgDatabasePrefix string

// postgresCPU sums the CPU time of every process named postgres (the
// server and its backends: the benchmark's sessions, and anybody else's),
// or only the backends of pgDatabasePrefix's databases.
func postgresCPU() (time.Duration, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0, err
	}
	var sum time.Duration
	found := false
	for _, d := range dirs {
		comm, err := os.ReadFile(d + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		if pgDatabasePrefix != "" {
			// A backend's title: "postgres: 15/main: USER DATABASE HOST(PORT) STATE".
			title, err := os.ReadFile(d + "/cmdline")
			f := strings.Fields(strings.ReplaceAll(string(title), "\x00", " "))
			if err != nil || len(f) < 4 || !strings.HasPrefix(f[3], pgDatabasePrefix) {
				continue
			}
		}
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		t, err := procCPU(pid)
		if err != nil {
			continue // it exited meanwhile
		}
		sum += t
		found = true
	}
	if !found {
		return 0, errors.New("no postgres process visible (is PostgreSQL on another machine?)")
	}
	return sum, nil
}
