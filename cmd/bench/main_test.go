package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"-sizes", "17,5x33x9", "-threads", "2", "-repeat", "1", "-time", "1ms", "-json"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rows []map[string]any
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, out.String())
	}
	// Two shapes × (naive, naive-ikj, blocked on 1 and on 2 threads).
	if len(rows) != 8 {
		t.Fatalf("%d results; want 8", len(rows))
	}
	for _, r := range rows {
		for _, key := range []string{"impl", "m", "k", "n", "threads", "seconds", "gflops", "max_abs_err", "kernel"} {
			if _, ok := r[key]; !ok {
				t.Errorf("result %v lacks %q", r, key)
			}
		}
		if e := r["max_abs_err"].(float64); e > 1e-4 {
			t.Errorf("%v: max_abs_err %v; the product is wrong", r, e)
		}
		if r["seconds"].(float64) <= 0 || r["gflops"].(float64) <= 0 {
			t.Errorf("%v: non-positive time or rate", r)
		}
	}
	if rows[4]["m"].(float64) != 5 || rows[4]["k"].(float64) != 33 || rows[4]["n"].(float64) != 9 {
		t.Errorf("shape 5x33x9 read as %v", rows[4])
	}
}

func TestTable(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-sizes", "32", "-repeat", "1", "-time", "1ms", "-impl", "naive,blocked", "-threads", "1"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"kernel", "32x32x32", "At 32x32x32, blocked on 1 thread is", "than the naive loop", "-"} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "skipped") {
		t.Errorf("with one thread, a row says skipped:\n%s", s)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-sizes", "0"}, {"-sizes", "2x3"}, {"-sizes", "abc"}, {"-impl", "gonum"}, {"-threads", "0"}, {"-repeat", "0"}, {"extra"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 || !strings.HasPrefix(errb.String(), "bench: ") || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("bench %v: exit %d, stderr %q; want 2 and one line", args, code, errb.String())
		}
	}
}
