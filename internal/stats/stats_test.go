package stats

import "testing"

// Percentile interpolates between the closest ranks, as spreadsheets'
// PERCENTILE does: the median of an even count is the mean of the middle
// two.
func TestPercentile(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		p      float64
		want   float64
	}{
		{[]float64{3}, 0.5, 3},
		{[]float64{3}, 0.9, 3},
		{[]float64{1, 2}, 0.5, 1.5},
		{[]float64{1, 2, 3}, 0.5, 2},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9, 9.1},
		{[]float64{0, 0, 0, 10}, 0.9, 7},
		{[]float64{2, 2, 3, 3, 3, 5}, 0.5, 3},
	} {
		if got := Percentile(tc.values, tc.p); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tc.values, tc.p, got, tc.want)
		}
	}
}
