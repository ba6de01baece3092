package loadgen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is Linux's USER_HZ, the unit of /proc/PID/stat's times.
const clockTick = 10 * time.Millisecond

// ProcCPU returns a process's user and system time from /proc/PID/stat.
func ProcCPU(pid int) (time.Duration, error) {
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

// PostgresCPU sums the CPU time of PostgreSQL's processes now alive (see
// PostgresCPUByPID); a backend that exits takes its time with it, so a
// difference of two sums can fall when a pool closes connections.
func PostgresCPU(prefix string) (time.Duration, error) {
	m, err := PostgresCPUByPID(prefix)
	var sum time.Duration
	for _, t := range m {
		sum += t
	}
	return sum, err
}

// CPUSince is the CPU time used between two PostgresCPUByPID readings by
// the processes alive at the second: all of a process's time when it was
// not there at the first. Time of processes that exited in between is lost.
func CPUSince(before, after map[int]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range after {
		d += t - before[pid]
	}
	return d
}

// PostgresCPUByPID returns the CPU time of every process named postgres (the
// server and its backends: the benchmark's sessions, and anybody else's),
// or, when prefix is not empty, only of the backends serving databases
// whose names start with it: on a server shared with other people's work,
// the benchmark's own sessions.
func PostgresCPUByPID(prefix string) (map[int]time.Duration, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return nil, err
	}
	out := map[int]time.Duration{}
	for _, d := range dirs {
		comm, err := os.ReadFile(d + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		if prefix != "" {
			// A backend's title: "postgres: 15/main: USER DATABASE HOST(PORT) STATE".
			title, err := os.ReadFile(d + "/cmdline")
			f := strings.Fields(strings.ReplaceAll(string(title), "\x00", " "))
			if err != nil || len(f) < 4 || !strings.HasPrefix(f[3], prefix) {
				continue
			}
		}
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		t, err := ProcCPU(pid)
		if err != nil {
			continue // it exited meanwhile
		}
		out[pid] = t
	}
	if len(out) == 0 {
		return nil, errors.New("no postgres process visible (is PostgreSQL on another machine?)")
	}
	return out, nil
}

// LoadAverage returns the 1-minute load average from /proc/loadavg, as
// printed there ("" when it cannot be read).
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
