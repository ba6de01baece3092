package auth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"credithub/auth"
	"credithub/datasources/dstest"
	"credithub/internal/hubdb"
)

func entry(i int) hubdb.QueryLogRow {
	return hubdb.QueryLogRow{
		RequestID: fmt.Sprintf("req-%d", i), Subject: "u", Org: "market", Kind: "department", TokenID: "t",
		Purpose: "LAW_ENFORCEMENT", Operation: "Q", QueryHash: "h", Persons: []string{"ref"},
		PersonsMasked: []string{"230102********1234"}, Entities: []string{}, Fields: []string{"Person.idNumber"},
	}
}

// Writers racing on the log (as several hub instances do) still build one
// gapless chain that verifies.
func TestQueryLogConcurrentWriters(t *testing.T) {
	t.Parallel()
	db := dstest.Open(t, hubdb.Setup, nil)
	ql := &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog()}
	const writers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := ql.Append(context.Background(), entry(i)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n, err := ql.Verify(context.Background())
	if err != nil || n != writers*each {
		t.Fatalf("Verify = %d, %v; want %d rows intact", n, err, writers*each)
	}
}

// BenchmarkQueryLogAppend measures the log's write rate through the locked
// head, with as many concurrent writers as GOMAXPROCS × -cpu allows
// (bench/README.md).
func BenchmarkQueryLogAppend(b *testing.B) {
	db := dstest.Open(b, hubdb.Setup, nil)
	db.SetMaxOpenConns(32)
	ql := &auth.QueryLog{Store: hubdb.New(db.DB).QueryLog()}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := ql.Append(context.Background(), entry(i)); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}
