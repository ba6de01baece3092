//go:build !unix

package devpg

import (
	"io/fs"
	"os/exec"
)

func setProcAttr(cmd *exec.Cmd) {}

func fileOwner(fi fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }
