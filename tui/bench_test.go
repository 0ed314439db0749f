package tui_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kmsim/kmsim/trail"
	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/common"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
)

// BenchmarkKeysImportedTrail lists the keys with the imported data sets as the trail: the world's
// keys and a query for every key the trail names.
func BenchmarkKeysImportedTrail(b *testing.B) {
	if _, err := os.Stat(datasets); err != nil {
		b.Skipf("no data sets: %v", err)
	}
	dir := b.TempDir()
	store, err := trail.Open(filepath.Join(dir, "kmsim.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := store.Import(b.Context(), []string{datasets}, trail.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	store.Close()
	svc := tui.NewService(tuitest.World(b), dir)
	for b.Loop() {
		if _, err := svc.Keys(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSavePlan finds who may save a proposal for alias/app-data (two decisions per credential).
func BenchmarkSavePlan(b *testing.B) {
	svc := tui.NewService(tuitest.World(b), b.TempDir())
	k := appData(b, svc)
	for b.Loop() {
		if _, err := svc.SavePlan(b.Context(), k, []byte(appDataAccountOnly)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSaveInProcess saves alias/app-data's policy with no server on the data directory: each
// save starts a simulator on it, sends the signed PutKeyPolicy and stops it.
func BenchmarkSaveInProcess(b *testing.B) {
	svc := tui.NewService(tuitest.World(b), b.TempDir())
	k := appData(b, svc)
	for b.Loop() {
		res, err := svc.SavePolicy(b.Context(), k, tuitest.AdminARN, []byte(appDataAccountOnly))
		if err != nil || !res.Saved {
			b.Fatalf("%+v, %v", res, err)
		}
	}
}

func appData(b *testing.B, svc tui.Service) common.Key {
	ks, err := svc.WorldKeys(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range ks {
		if k.ID == tuitest.AppDataKey {
			return k
		}
	}
	b.Fatal("no alias/app-data")
	return common.Key{}
}
