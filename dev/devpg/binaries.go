package devpg

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
)

// ErrNoBinaries is returned (possibly wrapped) when initdb and pg_ctl cannot
// be found. Its message tells the user what to install.
var ErrNoBinaries = errors.New(`PostgreSQL server binaries (initdb and pg_ctl) not found in $PATH, /usr/lib/postgresql/*/bin, /usr/local/pgsql/bin, /opt/homebrew/opt/postgresql@*/bin or /usr/local/opt/postgresql@*/bin.
Install PostgreSQL and run again (a private cluster is then started under .data/pg):
  Debian/Ubuntu: sudo apt-get install postgresql   (binaries land in /usr/lib/postgresql/<version>/bin)
  macOS:         brew install postgresql@16        (binaries land in $(brew --prefix)/opt/postgresql@16/bin)
or set DATABASE_URL to an existing server, e.g.
  export DATABASE_URL='postgres://user:password@host:5432/dbname?sslmode=disable'`)

// searchPatterns are the places looked at after $PATH, in order. Each
// pattern's matches are tried highest version first.
var searchPatterns = []string{
	"/usr/lib/postgresql/*/bin",
	"/usr/local/pgsql/bin",
	"/opt/homebrew/opt/postgresql@*/bin",
	"/usr/local/opt/postgresql@*/bin",
}

// binDir is a directory holding both initdb and pg_ctl.
type binDir struct {
	initdb, pgctl string
}

// FindBinaries locates initdb and pg_ctl: $PATH first, then
// /usr/lib/postgresql/*/bin (highest version), /usr/local/pgsql/bin,
// /opt/homebrew/opt/postgresql@*/bin, /usr/local/opt/postgresql@*/bin.
// Both must live in the same directory, so that they come from the same
// PostgreSQL version. When nothing is found the error is [ErrNoBinaries].
func FindBinaries() (initdb, pgctl string, err error) {
	c := findCandidates(os.Getenv("PATH"), searchPatterns)
	if len(c) == 0 {
		return "", "", ErrNoBinaries
	}
	return c[0].initdb, c[0].pgctl, nil
}

// findCandidates lists every directory holding both binaries, in order of
// preference: pathEnv's directories in order, then each pattern's matches
// by descending version.
func findCandidates(pathEnv string, patterns []string) []binDir {
	var dirs []string
	for _, d := range filepath.SplitList(pathEnv) {
		if d == "" {
			d = "."
		}
		dirs = append(dirs, d)
	}
	for _, p := range patterns {
		m, _ := filepath.Glob(p)
		slices.SortStableFunc(m, func(a, b string) int { return compareVersions(b, a) })
		dirs = append(dirs, m...)
	}
	var out []binDir
	seen := map[string]bool{}
	for _, d := range dirs {
		abs, err := filepath.Abs(d)
		if err != nil || seen[abs] {
			continue
		}
		seen[abs] = true
		i, p := filepath.Join(abs, exe("initdb")), filepath.Join(abs, exe("pg_ctl"))
		if isExecutable(i) && isExecutable(p) {
			out = append(out, binDir{initdb: i, pgctl: p})
		}
	}
	return out
}

func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	return runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0
}

var digitsRE = regexp.MustCompile(`[0-9]+`)

// compareVersions compares the numbers embedded in two paths
// ("/usr/lib/postgresql/9.6/bin" < "/usr/lib/postgresql/15/bin"); paths
// without numbers sort lowest.
func compareVersions(a, b string) int {
	na, nb := numbers(a), numbers(b)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			if na[i] < nb[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(na) < len(nb):
		return -1
	case len(na) > len(nb):
		return 1
	}
	return 0
}

func numbers(s string) []int {
	var out []int
	for _, m := range digitsRE.FindAllString(filepath.ToSlash(s), -1) {
		n, err := strconv.Atoi(m)
		if err == nil {
			out = append(out, n)
		}
	}
	return out
}
