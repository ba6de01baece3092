// Package devpg finds or starts the PostgreSQL server that `credithub dev`
// talks to, so that a newcomer can run the project with one command on a
// fresh machine that has only Go and PostgreSQL's binaries installed: no
// database to create, no roles to set up, no service to configure.
//
// [Ensure] decides in this order:
//
//  1. DATABASE_URL is set: that server is used, and it must answer. devpg
//     never starts a server of its own in that case; an unreachable
//     DATABASE_URL is an error that names it.
//  2. Otherwise the default URL
//     (postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) is tried
//     for about a second. If a server answers there and accepts user
//     postgres without a password, it is used.
//  3. Otherwise devpg starts a private cluster from the initdb and pg_ctl
//     binaries found on the machine (see [FindBinaries]): data directory
//     .data/pg under the current working directory (the repository root;
//     .data/ is git-ignored), a free port on 127.0.0.1, trust
//     authentication, superuser postgres. [Server.Stop] stops it again.
//     The next run reuses the data directory, so seeded data survives, and
//     prefers the port it used last time (remembered in .data/pg.port).
//     The server log is .data/pg.log. A cluster left running by a crashed
//     run is adopted instead of started twice.
//
// A system-wide PostgreSQL that rejects the default URL (for example
// Debian's packaged cluster, which asks for a password over TCP) is left
// alone: the private cluster runs beside it on another port.
//
// When no binaries are found, the error says what to install
// (Debian/Ubuntu: sudo apt-get install postgresql; macOS: brew install
// postgresql@16) or to set DATABASE_URL; see [ErrNoBinaries].
//
// # Running as root
//
// PostgreSQL refuses to run as root. When the process runs as root (as in
// many containers), devpg runs initdb and pg_ctl as the "postgres" OS user
// (via runuser, or su when runuser is absent), makes the data directory
// owned by that user with mode 0700, and puts the server's unix socket in
// /tmp. If that user cannot reach the data directory (for example because
// the repository lives under /root, which is mode 0700), the cluster is
// placed under os.TempDir() instead, in a directory named after a hash of
// the absolute data directory path, and the location is logged; such a
// directory may not survive a reboot. Without a "postgres" OS user, Ensure
// returns an error saying so.
package devpg
