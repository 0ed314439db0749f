package trail

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// DeliveryWriter writes records the way CloudTrail delivers them to an S3 bucket: gzip
// {"Records":[…]} files named ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_RANDOM.json.gz under
// AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/, one file per account, Region and 5-minute
// window each time it flushes (CloudTrail, too, delivers several files per window). Any tool
// that reads CloudTrail's bucket layout — and `kmsim trail import` — reads the directory.
// Files appear whole (written aside, then renamed); records written since the last flush are
// lost if the process is killed, unlike the store's journal.
type DeliveryWriter struct {
	dir string
	rnd *rand.Rand

	mu      sync.Mutex
	pending map[deliveryWindow][]json.RawMessage
	stop    chan struct{}
	done    chan struct{}
}

// deliveryWindow is the file a record belongs to.
type deliveryWindow struct {
	account, region string
	start           time.Time
}

// NewDeliveryWriter writes under dir, flushing every interval (0: only on Flush and Close).
func NewDeliveryWriter(dir string, interval time.Duration) *DeliveryWriter {
	d := &DeliveryWriter{dir: dir, rnd: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		pending: map[deliveryWindow][]json.RawMessage{}, stop: make(chan struct{}), done: make(chan struct{})}
	go d.run(interval)
	return d
}

func (d *DeliveryWriter) run(interval time.Duration) {
	defer close(d.done)
	if interval <= 0 {
		<-d.stop
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			d.Flush()
		case <-d.stop:
			return
		}
	}
}

// Write queues rec for its account, Region and window.
func (d *DeliveryWriter) Write(rec *Record) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339, rec.EventTime)
	if err != nil {
		return fmt.Errorf("trail: delivery: event %s: %w", rec.EventID, err)
	}
	w := deliveryWindow{account: orUnknown(rec.RecipientAccountID), region: orUnknown(rec.AWSRegion), start: at.UTC().Truncate(5 * time.Minute)}
	d.mu.Lock()
	d.pending[w] = append(d.pending[w], raw)
	d.mu.Unlock()
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// Flush writes one file per window with queued records.
func (d *DeliveryWriter) Flush() error {
	d.mu.Lock()
	pending := d.pending
	d.pending = map[deliveryWindow][]json.RawMessage{}
	d.mu.Unlock()
	windows := make([]deliveryWindow, 0, len(pending))
	for w := range pending {
		windows = append(windows, w)
	}
	sort.Slice(windows, func(i, j int) bool { return windows[i].start.Before(windows[j].start) })
	for _, w := range windows {
		if err := d.writeFile(w, pending[w]); err != nil {
			return err
		}
	}
	return nil
}

func (d *DeliveryWriter) writeFile(w deliveryWindow, records []json.RawMessage) error {
	name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", w.account, w.region, w.start.Format("20060102T1504Z"), randomName(d.rnd))
	path := filepath.Join(d.dir, "AWSLogs", w.account, "CloudTrail", w.region, w.start.Format("2006"), w.start.Format("01"), w.start.Format("02"), name)
	tmp := filepath.Join(filepath.Dir(path), "."+name+".tmp")
	f, err := createExportFile(tmp, true)
	if err != nil {
		return err
	}
	f.w.WriteString(`{"Records":[`)
	for i, r := range records {
		if i > 0 {
			f.w.WriteByte(',')
		}
		f.w.Write(r)
	}
	f.w.WriteString("]}\n")
	if err := f.close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Close flushes what is queued and stops the periodic flush.
func (d *DeliveryWriter) Close() error {
	close(d.stop)
	<-d.done
	return d.Flush()
}

// Tee is a Recorder that hands each record to every recorder, returning the first error.
type Tee []Recorder

// Write writes rec to each recorder in turn.
func (t Tee) Write(rec *Record) error {
	var first error
	for _, r := range t {
		if err := r.Write(rec); err != nil && first == nil {
			first = err
		}
	}
	return first
}
