package resolvers_test

import (
	"os"
	"testing"

	"credithub/internal/app/apptest"
)

func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }

func ids(edges any) []string {
	var out []string
	for _, e := range edges.([]any) {
		out = append(out, apptest.Get(e, "node", "id").(string))
	}
	return out
}
