package sqldb

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"
)

// A server still starting up is waited for; any other answer of its own
// ends the wait, and an error that is not the server's is no refusal.
func TestIsRefusal(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pq.Error{Code: "57P03"}, false},
		{fmt.Errorf("ping: %w", &pq.Error{Code: "57P03"}), false},
		{&pq.Error{Code: "28P01"}, true},
		{fmt.Errorf("ping: %w", &pq.Error{Code: "3D000"}), true},
		{errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), false},
		{nil, false},
	} {
		if got := IsRefusal(c.err); got != c.want {
			t.Errorf("IsRefusal(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
