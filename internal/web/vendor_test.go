package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
)

// npmManifest is the part of npm/package.json and npm/package-lock.json the
// vendored copies answer to.
type npmManifest struct {
	Dependencies map[string]string   `json:"dependencies"`
	VendorFiles  map[string][]string `json:"vendorFiles"`
	Packages     map[string]struct {
		Version   string `json:"version"`
		Integrity string `json:"integrity"`
	} `json:"packages"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// The files the binary serves are byte for byte those of the packages the
// lockfile pins: a hand-edited copy, a stray file, a pin moved without
// running scripts/vendor-web, or a lockfile that no longer holds the
// version vendored, each fails here.
func TestVendoredAssetsArePinned(t *testing.T) {
	var pkg, lock npmManifest
	readJSON(t, "npm/package.json", &pkg)
	readJSON(t, "npm/package-lock.json", &lock)
	m, err := ReadManifest()
	if err != nil {
		t.Fatal(err)
	}
	const rerun = "; run scripts/vendor-web"

	listed := map[string]bool{"vendor/MANIFEST.json": true}
	vendored := map[string]bool{}
	for _, p := range m.Packages {
		vendored[p.Name] = true
		if pin := pkg.Dependencies[p.Name]; pin != p.Version {
			t.Errorf("%s %s is vendored, package.json pins %q"+rerun, p.Name, p.Version, pin)
		}
		locked := lock.Packages["node_modules/"+p.Name]
		if locked.Version != p.Version || locked.Integrity != p.Integrity {
			t.Errorf("%s: vendored %s (%s), the lockfile has %s (%s)"+rerun, p.Name, p.Version, p.Integrity, locked.Version, locked.Integrity)
		}
		var from []string
		for _, f := range p.Files {
			from = append(from, f.From)
			listed["vendor/"+f.To] = true
			a, ok := assets["vendor/"+f.To]
			if !ok {
				t.Errorf("%s is in the manifest but not embedded"+rerun, f.To)
				continue
			}
			sum := sha256.Sum256(a.data)
			if got := hex.EncodeToString(sum[:]); got != f.SHA256 || len(a.data) != f.Size {
				t.Errorf("%s is not %s's %s: sha256 %s (%d bytes), the package's is %s (%d bytes)"+rerun,
					f.To, p.Name+"@"+p.Version, f.From, got, len(a.data), f.SHA256, f.Size)
			}
		}
		if want := pkg.VendorFiles[p.Name]; strings.Join(from, " ") != strings.Join(want, " ") {
			t.Errorf("%s: vendored %v, package.json's vendorFiles names %v"+rerun, p.Name, from, want)
		}
	}
	for name, pin := range pkg.Dependencies {
		if strings.ContainsAny(pin, "^~<>=* ") {
			t.Errorf("package.json: %s %q is a range; pin an exact version", name, pin)
		}
	}
	for name := range pkg.VendorFiles {
		if !vendored[name] {
			t.Errorf("package.json's vendorFiles names %s, which is not vendored"+rerun, name)
		}
	}
	var stray []string
	for name := range assets {
		if strings.HasPrefix(name, "vendor/") && !listed[name] {
			stray = append(stray, name)
		}
	}
	sort.Strings(stray)
	if len(stray) > 0 {
		t.Errorf("files under assets/vendor/ that no pinned package holds: %v"+rerun, stray)
	}
}
