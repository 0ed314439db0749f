package trailcmd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/trail"
)

const datasets = "../../../shared/datasets/cloudtrail"

var now = time.Date(2024, 5, 8, 12, 0, 0, 0, time.UTC)

func testIO() (*cmdutil.IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, &out, &errOut
}

// run executes cmd on the space-separated argv, silencing cobra's own output.
func run(cmd *cobra.Command, argv string) error {
	cmd.SetArgs(strings.Fields(argv))
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	return cmd.Execute()
}

func dataset(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(datasets, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("dataset %s not available", name)
	}
	return dir
}

func TestNewCmdImport(t *testing.T) {
	tests := []struct {
		argv     string
		want     ImportOptions
		wantFlag bool
	}{
		{argv: "a.json dir", want: ImportOptions{DataDir: ".kmsim", Paths: []string{"a.json", "dir"}}},
		{argv: "--data /tmp/x logs", want: ImportOptions{DataDir: "/tmp/x", Paths: []string{"logs"}}},
		{argv: "", wantFlag: true},
	}
	for _, tt := range tests {
		t.Run(tt.argv, func(t *testing.T) {
			ios, _, _ := testIO()
			var got *ImportOptions
			err := run(NewCmdImport(&cmdutil.Factory{IO: ios}, func(o *ImportOptions) error { got = o; return nil }), tt.argv)
			if tt.wantFlag {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestNewCmdReport(t *testing.T) {
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		argv     string
		want     ReportOptions
		wantFlag string
	}{
		{argv: "key-usage", want: ReportOptions{DataDir: ".kmsim", Name: "key-usage", Output: "table"}},
		{argv: "denied --since 7d --key k1 --account 1 --region r --principal p -o csv",
			want: ReportOptions{DataDir: ".kmsim", Name: "denied", Output: "csv",
				Scope: trail.Scope{Key: "k1", From: now.Add(-7 * 24 * time.Hour), Account: "1", Region: "r", Principal: "p"}}},
		{argv: "lifecycle --from 2024-05-01 --to 2024-05-02T00:00:00Z",
			want: ReportOptions{DataDir: ".kmsim", Name: "lifecycle", Output: "table", Scope: trail.Scope{From: day, To: day.Add(24 * time.Hour)}}},
		{argv: "nope", wantFlag: "unknown report"},
		{argv: "grants --since 7d --from 2024-05-01", wantFlag: "only one of --since and --from"},
		{argv: "grants --since yesterday", wantFlag: "invalid --since"},
		{argv: "grants --from 2024-05-02 --to 2024-05-01", wantFlag: "--from must be before --to"},
		{argv: "grants -o xml", wantFlag: "invalid --output"},
	}
	for _, tt := range tests {
		t.Run(tt.argv, func(t *testing.T) {
			ios, _, _ := testIO()
			var got *ReportOptions
			cmd := NewCmdReport(&cmdutil.Factory{IO: ios}, func(o *ReportOptions) error { got = o; return nil })
			err := run(cmd, tt.argv)
			if tt.wantFlag != "" {
				if !cmdutil.IsFlagError(err) || !strings.Contains(err.Error(), tt.wantFlag) {
					t.Fatalf("error = %v, want a usage error with %q", err, tt.wantFlag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO, got.Now = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func init() { nowFunc = func() time.Time { return now } }

func TestNewCmdDetect(t *testing.T) {
	tests := []struct {
		argv     string
		want     DetectOptions
		wantFlag string
	}{
		{argv: "", want: DetectOptions{DataDir: ".kmsim", Output: "table"}},
		{argv: "--fail-on high --rules r --output json --region eu-west-1",
			want: DetectOptions{DataDir: ".kmsim", RulesDir: "r", FailOn: trail.SeverityHigh, Output: "json", Scope: trail.Scope{Region: "eu-west-1"}}},
		{argv: "--fail-on urgent", wantFlag: "invalid --fail-on"},
	}
	for _, tt := range tests {
		t.Run(tt.argv, func(t *testing.T) {
			ios, _, _ := testIO()
			var got *DetectOptions
			err := run(NewCmdDetect(&cmdutil.Factory{IO: ios}, func(o *DetectOptions) error { got = o; return nil }), tt.argv)
			if tt.wantFlag != "" {
				if !cmdutil.IsFlagError(err) || !strings.Contains(err.Error(), tt.wantFlag) {
					t.Fatalf("error = %v, want a usage error with %q", err, tt.wantFlag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO, got.Now = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestNewCmdExport(t *testing.T) {
	tests := []struct {
		argv     string
		want     ExportOptions
		wantFlag string
	}{
		{argv: "--out x", want: ExportOptions{DataDir: ".kmsim", OutDir: "x", Format: "cloudtrail"}},
		{argv: "--out x --format parquet --since 1d", want: ExportOptions{DataDir: ".kmsim", OutDir: "x", Format: "parquet",
			Scope: trail.Scope{From: now.Add(-24 * time.Hour)}}},
		{argv: "", wantFlag: "--out is required"},
		{argv: "--out x --format csv", wantFlag: "invalid --format"},
	}
	for _, tt := range tests {
		t.Run(tt.argv, func(t *testing.T) {
			ios, _, _ := testIO()
			var got *ExportOptions
			err := run(NewCmdExport(&cmdutil.Factory{IO: ios}, func(o *ExportOptions) error { got = o; return nil }), tt.argv)
			if tt.wantFlag != "" {
				if !cmdutil.IsFlagError(err) || !strings.Contains(err.Error(), tt.wantFlag) {
					t.Fatalf("error = %v, want a usage error with %q", err, tt.wantFlag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO, got.Now = nil, nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options = %+v, want %+v", *got, tt.want)
			}
		})
	}
}

func TestNewCmdPrune(t *testing.T) {
	tests := []struct {
		argv     string
		want     time.Time
		wantFlag string
	}{
		{argv: "--before 2024-01-01", want: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{argv: "--before 2024-01-01T10:00:00+02:00", want: time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)},
		{argv: "--before 90d", want: now.Add(-90 * 24 * time.Hour)},
		{argv: "", wantFlag: "--before is required"},
		{argv: "--before soon", wantFlag: "invalid --before"},
	}
	for _, tt := range tests {
		t.Run(tt.argv, func(t *testing.T) {
			ios, _, _ := testIO()
			var got *PruneOptions
			err := run(NewCmdPrune(&cmdutil.Factory{IO: ios}, func(o *PruneOptions) error { got = o; return nil }), tt.argv)
			if tt.wantFlag != "" {
				if !cmdutil.IsFlagError(err) || !strings.Contains(err.Error(), tt.wantFlag) {
					t.Fatalf("error = %v, want a usage error with %q", err, tt.wantFlag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Before.Equal(tt.want) {
				t.Errorf("Before = %v, want %v", got.Before, tt.want)
			}
		})
	}
}

func TestImportRun(t *testing.T) {
	data := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"Records":[{"eventID":"x","eventTime":"2024-01-01T00:00:00Z"},{"eventID":"y"}]}`), 0o644)
	tests := []struct {
		name                string
		paths               []string
		wantOut, wantErrOut string
		wantErr             string
	}{
		{"dataset", []string{dataset(t, "stratus-red-team-detonation-logs")},
			"35 files, 310 records imported, 0 duplicates skipped, 0 errors", "", ""},
		{"again", []string{dataset(t, "stratus-red-team-detonation-logs")},
			"35 files, 0 records imported, 310 duplicates skipped, 0 errors", "", ""},
		{"bad file", []string{bad}, "1 files, 0 records imported, 0 duplicates skipped, 1 errors",
			"error: " + bad + ": record 1: trail: invalid record: eventTime is missing\n", "1 of 1 files could not be imported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, out, errOut := testIO()
			err := ImportRun(context.Background(), &ImportOptions{IO: ios, DataDir: data, Paths: tt.paths})
			if (err == nil) != (tt.wantErr == "") || err != nil && err.Error() != tt.wantErr {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
			if !strings.HasPrefix(out.String(), tt.wantOut) || errOut.String() != tt.wantErrOut {
				t.Errorf("stdout %q, want prefix %q; stderr %q, want %q", out, tt.wantOut, errOut, tt.wantErrOut)
			}
		})
	}
}

// seeded returns a data directory holding the KMS guide's examples.
func seeded(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ios, _, _ := testIO()
	if err := ImportRun(context.Background(), &ImportOptions{IO: ios, DataDir: dir, Paths: []string{dataset(t, "aws-kms-docs-examples")}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReportRun(t *testing.T) {
	dir := seeded(t)
	tests := []struct {
		name     string
		opts     ReportOptions
		wantRows []string // substrings of stdout
		wantErr  string
	}{
		{"lifecycle csv", ReportOptions{Name: "lifecycle", Output: "csv"},
			[]string{"time,operation,key,principal,error,parameters,eventID\n", ",ScheduleKeyDeletion,", ",EnableKeyRotation,"}, ""},
		{"grants by key", ReportOptions{Name: "grants", Output: "table", Scope: trail.Scope{Region: "us-west-2"}},
			[]string{"time", "RetireGrant"}, ""},
		{"no trail", ReportOptions{Name: "denied", Output: "table"}, nil, "no trail in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, out, _ := testIO()
			tt.opts.IO, tt.opts.DataDir = ios, dir
			if tt.wantErr != "" {
				tt.opts.DataDir = t.TempDir()
			}
			err := ReportRun(context.Background(), &tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wantRows {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestDetectRun(t *testing.T) {
	dir := seeded(t)
	tests := []struct {
		name       string
		failOn     trail.Severity
		wantRules  []string
		wantExit3  bool
		wantOutput string
	}{
		{"no gate", 0, []string{"kms-key-disabled-or-deletion", "kms-custom-key-store-changed", "kms-key-policy-changed"}, false, "json"},
		{"gate high", trail.SeverityHigh, nil, true, "table"},
		{"gate critical", trail.SeverityCritical, nil, false, "csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, out, _ := testIO()
			err := DetectRun(context.Background(), &DetectOptions{IO: ios, DataDir: dir, FailOn: tt.failOn, Output: tt.wantOutput})
			var fe *cmdutil.FindingsError
			if got := errors.As(err, &fe); got != tt.wantExit3 || (err != nil && !got) {
				t.Fatalf("error = %v, want a FindingsError: %v", err, tt.wantExit3)
			}
			for _, r := range tt.wantRules {
				if !strings.Contains(out.String(), r) {
					t.Errorf("stdout lacks rule %s:\n%s", r, out)
				}
			}
		})
	}
}

func TestExportAndPruneRun(t *testing.T) {
	dir := seeded(t)
	ios, out, _ := testIO()
	exp := t.TempDir()
	if err := ExportRun(context.Background(), &ExportOptions{IO: ios, DataDir: dir, OutDir: exp, Format: "jsonl"}); err != nil {
		t.Fatal(err)
	}
	if want := "exported 50 records to 1 files under " + exp + "\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	out.Reset()
	if err := PruneRun(context.Background(), &PruneOptions{IO: ios, DataDir: dir, Before: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "deleted ") || out.String() == "deleted 0 events before 2015-01-01T00:00:00Z\n" {
		t.Errorf("stdout %q", out)
	}
}
