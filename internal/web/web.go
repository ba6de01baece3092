// Package web holds the hub's browser pages and everything they load,
// embedded in the binary: a page never asks another host for a script, a
// style sheet or a font, so it works on a network that reaches nothing but
// the hub. The libraries are copies of npm packages at the versions pinned
// in npm/package-lock.json, put under assets/vendor/ by scripts/vendor-web
// with a manifest of their SHA-256 sums, which a test checks.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed assets
var assetFS embed.FS

// AssetsPrefix is the path under which Assets serves the embedded files.
const AssetsPrefix = "/assets/"

// asset is one embedded file with the validator browsers revalidate it by.
type asset struct {
	data []byte
	etag string
}

// assets are the embedded files by their path under assets/, read once.
var assets = func() map[string]asset {
	m := map[string]asset{}
	err := fs.WalkDir(assetFS, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := assetFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		m[strings.TrimPrefix(p, "assets/")] = asset{data: data, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		return nil
	})
	if err != nil {
		panic(err) // embedded files cannot fail to read
	}
	return m
}()

// Assets serves the embedded files under AssetsPrefix. Browsers keep them
// and revalidate by ETag (a hash of the content), so a new binary's files
// are picked up at once and an unchanged file costs a 304. Folders are not
// listed.
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, AssetsPrefix)
		a, ok := assets[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("ETag", a.etag)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.data))
	})
}

// Manifest is assets/vendor/MANIFEST.json, written by scripts/vendor-web:
// which file of which pinned package each vendored copy is.
type Manifest struct {
	Packages []VendoredPackage `json:"packages"`
}

// VendoredPackage is one npm package with the files copied from it.
type VendoredPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Integrity is the package tarball's hash as the lockfile records it.
	Integrity string         `json:"integrity"`
	Files     []VendoredFile `json:"files"`
}

// VendoredFile is one file copied from a package: From its path in the
// package, To its path under assets/vendor/.
type VendoredFile struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// ReadManifest returns the embedded vendor manifest.
func ReadManifest() (Manifest, error) {
	var m Manifest
	a, ok := assets["vendor/MANIFEST.json"]
	if !ok {
		return m, fmt.Errorf("assets/vendor/MANIFEST.json is missing: run scripts/vendor-web")
	}
	err := json.Unmarshal(a.data, &m)
	return m, err
}

// VendorPath returns the URL path of file (a base name such as
// "index.umd.js") of the vendored package name, at whatever version is
// vendored, so that pages need no edit when a pin moves. It panics on a
// file that is not vendored: pages are built at start, and a page that
// names a missing file is a bug the tests catch.
func VendorPath(name, file string) string {
	m, err := ReadManifest()
	if err != nil {
		panic(err)
	}
	for _, p := range m.Packages {
		for _, f := range p.Files {
			if p.Name == name && path.Base(f.To) == file {
				return AssetsPrefix + "vendor/" + f.To
			}
		}
	}
	panic(fmt.Sprintf("web: %s of %s is not vendored (internal/web/npm/package.json, vendorFiles)", file, name))
}

// setPageHeaders gives a page the headers that keep it to the hub: its
// scripts, styles and connections may come only from the hub (fonts and
// icons inline as data: URLs), it may not be framed, and it sends no
// referrer.
func setPageHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		// GraphiQL's components inject <style> elements.
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self' data:",
		// 'self' covers the WebSocket to the same host (ws: and wss:).
		"connect-src 'self'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; "))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}
