// Package cluster runs several credithub instances behind HAProxy on one
// machine, as the README's "Several instances" describes and
// scripts/cluster starts them: its test drives three instances at once,
// kills one mid-run, and checks what must hold across them (the query
// log's chain, idempotency keys, the shared rate limit, warnings, the
// timed jobs).
package cluster

import (
	_ "embed"
	"strings"
)

//go:embed haproxy.cfg
var haproxyConfig string

// HAProxyConfig is dev/cluster/haproxy.cfg with its frontend on listen and
// its three servers at hubs, as scripts/cluster fills it in with sed.
func HAProxyConfig(listen string, hubs [3]string) string {
	return strings.NewReplacer("@LISTEN@", listen, "@HUB1@", hubs[0], "@HUB2@", hubs[1], "@HUB3@", hubs[2]).Replace(haproxyConfig)
}
