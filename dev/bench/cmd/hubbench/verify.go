package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// verifyPages is how many S2 pages verify compares (spread over the pages).
const verifyPages = 5

// verify checks, before anything is measured, that the baseline answers
// exactly what the hub answers: otherwise the comparison means nothing.
func verify(ctx context.Context, h *hubClient, b *baseline, scenarios []string, usccs, pages []string) error {
	var buf bytes.Buffer
	for _, s := range scenarios {
		switch s {
		case "S1":
			for _, u := range usccs {
				if _, err := h.post(ctx, s1Body(h.s1, u), &buf); err != nil {
					return fmt.Errorf("hub S1 %s: %w", u, err)
				}
				want := slices.Clone(buf.Bytes())
				got, err := b.s1(ctx, u)
				if err != nil {
					return fmt.Errorf("baseline S1 %s: %w", u, err)
				}
				if err := sameData(want, got); err != nil {
					return fmt.Errorf("S1 %s: the baseline's answer differs from the hub's: %w", u, err)
				}
			}
		case "S2":
			for i := 0; i < verifyPages && i < len(pages); i++ {
				p := pages[i*len(pages)/min(verifyPages, len(pages))]
				if _, err := h.post(ctx, s2Body(p), &buf); err != nil {
					return fmt.Errorf("hub S2 after %q: %w", p, err)
				}
				want := slices.Clone(buf.Bytes())
				got, err := b.s2(ctx, p)
				if err != nil {
					return fmt.Errorf("baseline S2 after %q: %w", p, err)
				}
				if err := sameData(want, got); err != nil {
					return fmt.Errorf("S2 after %q: the baseline's answer differs from the hub's: %w", p, err)
				}
			}
		}
	}
	return nil
}

// sameData compares the data of two GraphQL answers and names the first
// place where they differ.
func sameData(hub, base []byte) error {
	var a, b struct {
		Data any `json:"data"`
	}
	for _, x := range []struct {
		src []byte
		dst *struct {
			Data any `json:"data"`
		}
	}{{hub, &a}, {base, &b}} {
		dec := json.NewDecoder(bytes.NewReader(x.src))
		dec.UseNumber()
		if err := dec.Decode(x.dst); err != nil {
			return err
		}
	}
	return diff("data", a.Data, b.Data)
}

func diff(path string, a, b any) error {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: hub %s, baseline %s", path, show(a), show(b))
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			av, aok := x[k]
			bv, bok := y[k]
			if aok != bok {
				return fmt.Errorf("%s.%s: present in the hub's answer: %v, in the baseline's: %v", path, k, aok, bok)
			}
			if err := diff(path+"."+k, av, bv); err != nil {
				return err
			}
		}
		return nil
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("%s: hub has %s, baseline %s", path, show(a), show(b))
		}
		for i := range x {
			if err := diff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if a != b {
		return fmt.Errorf("%s: hub %s, baseline %s", path, show(a), show(b))
	}
	return nil
}

func show(v any) string {
	switch x := v.(type) {
	case []any:
		return fmt.Sprintf("a list of %d", len(x))
	case map[string]any:
		return fmt.Sprintf("an object of %d fields", len(x))
	}
	b, _ := json.Marshal(v)
	return string(b)
}
