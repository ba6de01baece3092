package devpg

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// maxSockDirLen keeps "<dir>/.s.PGSQL.NNNNN.lock" well below the ~100 byte
// limit of unix socket paths.
const maxSockDirLen = 80

// osUser is the account initdb and pg_ctl run as when we are root.
type osUser struct {
	name     string
	uid, gid int
	runuser  string // path of runuser; empty: use su
	su       string
}

// cluster is a private PostgreSQL cluster managed with initdb and pg_ctl.
type cluster struct {
	bin      binDir
	dataDir  string
	portFile string // remembers the last port, next to the data dir
	logFile  string // server log, next to the data dir
	sockDir  string // unix socket directory; empty: server default
	runAs    *osUser
	log      *slog.Logger
}

func startPrivate(ctx context.Context, o Options) (*Server, error) {
	cands := findCandidates(os.Getenv("PATH"), searchPatterns)
	if len(cands) == 0 {
		return nil, ErrNoBinaries
	}
	dataDir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, fmt.Errorf("devpg: data directory %q: %w", o.DataDir, err)
	}
	c := &cluster{log: o.Logger}
	if os.Geteuid() == 0 {
		if c.runAs, err = lookupPostgresUser(); err != nil {
			return nil, err
		}
	}
	if err := c.placeDataDir(ctx, dataDir); err != nil {
		return nil, err
	}
	if c.bin, err = c.chooseBinaries(ctx, cands); err != nil {
		return nil, err
	}
	if err := c.initIfNeeded(ctx); err != nil {
		return nil, err
	}

	// A previous run that crashed may have left the cluster running: adopt it.
	if srv, err := c.adopt(ctx); srv != nil || err != nil {
		return srv, err
	}
	return c.start(ctx)
}

// adopt returns the cluster's server if one is already running in the data
// directory, and nil, nil if none is.
func (c *cluster) adopt(ctx context.Context) (*Server, error) {
	port, ok := c.runningPort(ctx)
	if !ok {
		return nil, nil
	}
	url := adminURL(port)
	c.log.Info("private PostgreSQL cluster is already running (left by an earlier run?); reusing it", "url", url, "dir", c.dataDir)
	deadline := time.Now().Add(privateWait)
	for {
		err := pingOnce(ctx, url, time.Second)
		if err == nil {
			return c.server(url), nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// It may be on its way down (or its PID file stale while the
		// process lingers); then start it afresh.
		if p, ok := c.runningPort(ctx); !ok || p != port {
			c.log.Info("the running cluster went away; starting it again", "dir", c.dataDir)
			return nil, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("devpg: pg_ctl status reports a server running in %s, but it does not answer at %s: %w (if the PID in %s is not a PostgreSQL process, remove that file and run again)",
				c.dataDir, url, err, filepath.Join(c.dataDir, "postmaster.pid"))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (c *cluster) server(url string) *Server {
	return &Server{URL: url, Private: true, DataDir: c.dataDir, LogFile: c.logFile, stop: c.stop}
}

func adminURL(port int) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// lookupPostgresUser finds the OS user to run PostgreSQL as when we are root,
// and the tool to switch to it.
func lookupPostgresUser() (*osUser, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf(`devpg: running as root, and PostgreSQL refuses to run as root, but there is no "postgres" OS user to run it as (%v). Create one (e.g. sudo useradd --system --user-group --create-home --home-dir /var/lib/postgresql postgres; Debian's postgresql package creates it), run as a normal user, or set DATABASE_URL to an existing server`, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("devpg: cannot use uid %q / gid %q of the postgres OS user", u.Uid, u.Gid)
	}
	ou := &osUser{name: u.Username, uid: uid, gid: gid}
	ou.runuser = lookTool("runuser", "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")
	if ou.runuser == "" {
		ou.su = lookTool("su", "/bin/su", "/usr/bin/su")
		if ou.su == "" {
			return nil, errors.New(`devpg: running as root, and PostgreSQL refuses to run as root, but neither runuser nor su is available to switch to the "postgres" OS user; run as a normal user or set DATABASE_URL`)
		}
	}
	return ou, nil
}

func lookTool(name string, fallbacks ...string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, p := range fallbacks {
		if isExecutable(p) {
			return p
		}
	}
	return ""
}

// placeDataDir creates (or adopts) the data directory. As root it hands the
// directory to the postgres user, and when that user cannot reach it, it
// moves to a directory under os.TempDir() named after a hash of the path.
func (c *cluster) placeDataDir(ctx context.Context, dataDir string) error {
	created, err := c.prepareDir(dataDir)
	if err != nil {
		return err
	}
	if c.runAs != nil && !c.canAccess(ctx, dataDir) {
		if created {
			_ = os.Remove(dataDir)
		}
		sum := sha256.Sum256([]byte(dataDir))
		fallback := filepath.Join(os.TempDir(), "devpg-"+hex.EncodeToString(sum[:6]), filepath.Base(dataDir))
		c.log.Warn("the postgres OS user cannot reach the data directory, so the private cluster lives under the temp directory instead (it may not survive a reboot)",
			"wanted", dataDir, "using", fallback)
		if _, err := c.prepareDir(fallback); err != nil {
			return err
		}
		if !c.canAccess(ctx, fallback) {
			return fmt.Errorf("devpg: the postgres OS user can reach neither %s nor %s; make one of them traversable for it (chmod o+x on every parent), run as a normal user, or set DATABASE_URL", dataDir, fallback)
		}
		dataDir = fallback
	}
	c.dataDir = dataDir
	c.portFile = dataDir + ".port"
	c.logFile = dataDir + ".log"
	switch {
	case runtime.GOOS == "windows":
		c.sockDir = ""
	case c.runAs == nil && len(filepath.Dir(dataDir)) <= maxSockDirLen:
		c.sockDir = filepath.Dir(dataDir)
	default:
		// As root the repository's directories belong to root, so the
		// postgres user could not create its socket there.
		c.sockDir = "/tmp"
	}
	return nil
}

// prepareDir creates dir (mode 0700) and its parents (mode 0755), and as
// root makes dir owned by the postgres user.
func (c *cluster) prepareDir(dir string) (created bool, err error) {
	if err := mkdirAll0755(filepath.Dir(dir)); err != nil {
		return false, fmt.Errorf("devpg: create parent of the data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(dir, 0o700); err != nil {
			return false, fmt.Errorf("devpg: create data directory: %w", err)
		}
		created = true
	case err != nil:
		return false, fmt.Errorf("devpg: data directory: %w", err)
	case !fi.IsDir():
		return false, fmt.Errorf("devpg: data directory %s exists but is not a directory", dir)
	}
	if c.runAs != nil {
		if err := chownTree(dir, c.runAs.uid, c.runAs.gid); err != nil {
			return created, fmt.Errorf("devpg: hand %s to the postgres OS user: %w", dir, err)
		}
	}
	// PostgreSQL insists on 0700 or 0750.
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm() != 0o700 && fi.Mode().Perm() != 0o750 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return created, fmt.Errorf("devpg: data directory: %w", err)
		}
	}
	return created, nil
}

// mkdirAll0755 is os.MkdirAll that leaves every directory it creates with
// mode 0755 whatever the umask, so that another OS user can traverse it.
func mkdirAll0755(dir string) error {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range missing {
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	return nil
}

func chownTree(root string, uid, gid int) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if u, g, ok := fileOwner(fi); ok && u == uid && g == gid {
			return nil
		}
		return os.Lchown(path, uid, gid)
	})
}

// canAccess reports whether the postgres user can read, write and enter dir
// (which also requires every parent to be traversable).
func (c *cluster) canAccess(ctx context.Context, dir string) bool {
	_, err := c.run(ctx, "test", "-r", dir, "-a", "-w", dir, "-a", "-x", dir)
	return err == nil
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\)\s+([0-9]+(?:\.[0-9]+)*)`)

// chooseBinaries picks the first candidate, or, for an existing data
// directory, the first candidate of the version that created it.
func (c *cluster) chooseBinaries(ctx context.Context, cands []binDir) (binDir, error) {
	b, err := os.ReadFile(filepath.Join(c.dataDir, "PG_VERSION"))
	if err != nil {
		return cands[0], nil
	}
	want := strings.TrimSpace(string(b))
	var found []string
	for _, cand := range cands {
		out, _ := exec.CommandContext(ctx, cand.pgctl, "--version").Output()
		m := versionRE.FindSubmatch(out)
		if m == nil { // unknown version: let pg_ctl judge
			return cand, nil
		}
		if v := string(m[1]); v == want || strings.HasPrefix(v, want+".") {
			return cand, nil
		}
		found = append(found, fmt.Sprintf("%s in %s", m[1], filepath.Dir(cand.pgctl)))
	}
	return binDir{}, fmt.Errorf("devpg: the data directory %s was created by PostgreSQL %s, but only other versions were found (%s). Install PostgreSQL %s (Debian/Ubuntu: sudo apt-get install postgresql-%s; macOS: brew install postgresql@%s), or move %s away to start afresh (its data is lost unless you dump or pg_upgrade it)",
		c.dataDir, want, strings.Join(found, ", "), want, want, want, c.dataDir)
}

func (c *cluster) initIfNeeded(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(c.dataDir, "PG_VERSION")); err == nil {
		c.log.Info("reusing private PostgreSQL data directory", "dir", c.dataDir)
		return nil
	}
	entries, err := os.ReadDir(c.dataDir)
	if err != nil {
		return fmt.Errorf("devpg: data directory: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("devpg: %s is neither empty nor a PostgreSQL data directory (it has no PG_VERSION; perhaps an interrupted initdb left it); remove it and run again", c.dataDir)
	}
	c.log.Info("initializing private PostgreSQL cluster", "dir", c.dataDir, "initdb", c.bin.initdb)
	args := []string{"-D", c.dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8"}
	out, err := c.run(ctx, c.bin.initdb, append(args, "--locale=C.UTF-8")...)
	if err == nil {
		c.log.Debug("initdb done", "output", string(out))
		return nil
	}
	if ctx.Err() != nil {
		clearDir(c.dataDir)
		return ctx.Err()
	}
	c.log.Info("initdb with locale C.UTF-8 failed; retrying with locale C", "error", err)
	clearDir(c.dataDir)
	out2, err2 := c.run(ctx, c.bin.initdb, append(args, "--locale=C")...)
	if err2 != nil {
		clearDir(c.dataDir)
		return fmt.Errorf("devpg: initdb failed: %w\n%s\n(first attempt, with --locale=C.UTF-8: %v\n%s)", err2, lastLines(out2, 20), err, lastLines(out, 20))
	}
	c.log.Debug("initdb done", "output", string(out2))
	return nil
}

// clearDir empties dir after a failed initdb, so that the next attempt
// starts from an empty directory.
func clearDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// runningPort reports whether a server is running in the data directory and
// on which port (from postmaster.pid).
func (c *cluster) runningPort(ctx context.Context) (int, bool) {
	if _, err := c.run(ctx, c.bin.pgctl, "status", "-D", c.dataDir); err != nil {
		return 0, false
	}
	b, err := os.ReadFile(filepath.Join(c.dataDir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	if err != nil || port <= 0 {
		return 0, false
	}
	return port, true
}

// choosePort prefers the port remembered from the last run when it is free,
// else asks the kernel for a free one; it remembers the choice.
func (c *cluster) choosePort() (int, error) {
	port := 0
	if b, err := os.ReadFile(c.portFile); err == nil {
		if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && p > 0 && p < 65536 && portFree(p) {
			port = p
		}
	}
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("devpg: find a free port on 127.0.0.1: %w", err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	if err := os.WriteFile(c.portFile, []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
		c.log.Warn("cannot remember the port", "file", c.portFile, "error", err)
	}
	return port, nil
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func (c *cluster) start(ctx context.Context) (*Server, error) {
	port, err := c.choosePort()
	if err != nil {
		return nil, err
	}
	// pg_ctl, running as the postgres user, appends to the log file.
	f, err := os.OpenFile(c.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("devpg: log file: %w", err)
	}
	var logStart int64
	if fi, err := f.Stat(); err == nil {
		logStart = fi.Size()
	}
	f.Close()
	if c.runAs != nil {
		if err := os.Chown(c.logFile, c.runAs.uid, c.runAs.gid); err != nil {
			return nil, fmt.Errorf("devpg: log file: %w", err)
		}
	}

	serverOpts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1", port)
	if c.sockDir != "" {
		serverOpts += " -k " + shellQuote(c.sockDir) // pg_ctl hands -o to a shell
	}
	c.log.Info("starting private PostgreSQL cluster", "dir", c.dataDir, "port", port, "log", c.logFile)
	out, err := c.run(ctx, c.bin.pgctl, "start", "-w", "-t", "30", "-D", c.dataDir, "-l", c.logFile, "-o", serverOpts)
	if err != nil {
		if ctx.Err() != nil {
			c.stopQuietly()
			return nil, ctx.Err()
		}
		// Someone else (another `credithub dev`?) may have started it meanwhile.
		if p, ok := c.runningPort(ctx); ok && waitReady(ctx, adminURL(p), privateWait) == nil {
			c.log.Info("private PostgreSQL cluster was started concurrently; reusing it", "url", adminURL(p))
			return c.server(adminURL(p)), nil
		}
		return nil, fmt.Errorf("devpg: pg_ctl start failed: %w\n%s\nlast lines of %s:\n%s",
			err, strings.TrimSpace(string(out)), c.logFile, c.logTail(logStart, 20))
	}
	c.log.Debug("pg_ctl start done", "output", string(out))

	url := adminURL(port)
	if err := waitReady(ctx, url, privateWait); err != nil {
		c.stopQuietly()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("devpg: private PostgreSQL cluster started but does not answer at %s: %w\nlast lines of %s:\n%s",
			url, err, c.logFile, c.logTail(logStart, 20))
	}
	c.log.Info("private PostgreSQL cluster is ready", "url", url)
	return c.server(url), nil
}

func (c *cluster) stop(ctx context.Context) error {
	out, err := c.run(ctx, c.bin.pgctl, "stop", "-D", c.dataDir, "-m", "fast", "-w", "-t", "60")
	if err != nil {
		if ctx.Err() == nil {
			if _, running := c.runningPort(ctx); !running {
				return nil // already down
			}
		}
		return fmt.Errorf("devpg: pg_ctl stop -D %s failed: %w\n%s", c.dataDir, err, strings.TrimSpace(string(out)))
	}
	c.log.Info("stopped private PostgreSQL cluster", "dir", c.dataDir)
	return nil
}

// stopQuietly cleans up after a failed start.
func (c *cluster) stopQuietly() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.stop(ctx); err != nil {
		c.log.Warn("could not stop the private PostgreSQL cluster after a failed start", "error", err)
	}
}

// logTail returns the last n lines written to the log file since offset.
func (c *cluster) logTail(offset int64, n int) string {
	f, err := os.Open(c.logFile)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() < offset {
		offset = 0 // truncated meanwhile
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return "(" + err.Error() + ")"
	}
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	if s := lastLines(b, n); s != "" {
		return s
	}
	return "(empty)"
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// run runs a command, as the postgres OS user when we are root, and returns
// its combined output.
func (c *cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	switch {
	case c.runAs == nil:
		cmd = exec.CommandContext(ctx, name, args...)
	case c.runAs.runuser != "":
		cmd = exec.CommandContext(ctx, c.runAs.runuser, append([]string{"-u", c.runAs.name, "--", name}, args...)...)
	default:
		words := []string{shellQuote(name)}
		for _, a := range args {
			words = append(words, shellQuote(a))
		}
		cmd = exec.CommandContext(ctx, c.runAs.su, c.runAs.name, "-s", "/bin/sh", "-c", strings.Join(words, " "))
	}
	if c.runAs != nil {
		cmd.Dir = "/" // our working directory may be closed to the postgres user
	}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	// Keep the server out of our process group, so that a Ctrl-C aimed at
	// us does not reach it before Stop does.
	setProcAttr(cmd)
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s %s: %w", filepath.Base(name), firstWord(args), err)
	}
	return buf.Bytes(), err
}

func firstWord(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
