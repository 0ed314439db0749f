package trail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// template is one real record with the positions of its eventID and
// eventTime values, so copies with other values are cheap to make.
type template struct {
	raw        []byte
	id, when   string
	shiftSince time.Time
}

// loadTemplates reads the invictus records as templates for a corpus.
func loadTemplates(t testing.TB) []template {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dataset(t, "invictus-sigma-aws"), "*.json"))
	var out []template
	for _, f := range files {
		for _, raw := range readRecords(t, f) {
			var h struct{ EventID, EventTime string }
			if err := json.Unmarshal(raw, &h); err != nil {
				t.Fatal(err)
			}
			when, err := time.Parse(time.RFC3339, h.EventTime)
			if err != nil {
				t.Fatal(err)
			}
			var c bytes.Buffer
			json.Compact(&c, raw)
			out = append(out, template{raw: c.Bytes(), id: h.EventID, when: h.EventTime, shiftSince: when})
		}
	}
	return out
}

// corpusRecord writes record number n of a corpus: template n modulo their
// count, with a fresh eventID and its time moved forward by a minute for
// every round through the templates.
func corpusRecord(w io.Writer, tpl []template, n int) {
	tp := &tpl[n%len(tpl)]
	id := fmt.Sprintf("%08x-%04x-4000-8000-%012x", n, n%0xffff, n)
	when := tp.shiftSince.Add(time.Duration(n/len(tpl)) * time.Minute).Format(time.RFC3339)
	rec := bytes.Replace(tp.raw, []byte(`"eventID":"`+tp.id+`"`), []byte(`"eventID":"`+id+`"`), 1)
	rec = bytes.Replace(rec, []byte(`"eventTime":"`+tp.when+`"`), []byte(`"eventTime":"`+when+`"`), 1)
	w.Write(rec)
}

// writeCorpus writes records [from, from+n) as {"Records":[...]} files of
// perFile records each under dir, gzipped when gz is set, and returns the
// bytes written before compression.
func writeCorpus(t testing.TB, dir string, tpl []template, from, n, perFile int, gz bool) int64 {
	t.Helper()
	var total int64
	for start := from; start < from+n; start += perFile {
		name := filepath.Join(dir, fmt.Sprintf("corpus_%09d.json", start))
		if gz {
			name += ".gz"
		}
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		var w io.Writer = f
		var zw *gzip.Writer
		if gz {
			zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
			w = zw
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		cw := &countingWriter{w: bw}
		io.WriteString(cw, `{"Records":[`)
		for i := start; i < min(start+perFile, from+n); i++ {
			if i > start {
				cw.Write([]byte{','})
			}
			corpusRecord(cw, tpl, i)
		}
		io.WriteString(cw, "]}\n")
		bw.Flush()
		if zw != nil {
			zw.Close()
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		total += cw.n
	}
	return total
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
