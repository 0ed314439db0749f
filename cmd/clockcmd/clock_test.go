package clockcmd

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
)

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"90m", 90 * time.Minute, false},
		{"36h", 36 * time.Hour, false},
		{"30d", 30 * 24 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"-1h", 0, true},
		{"xd", 0, true},
		{"soon", 0, true},
	}
	for _, tc := range cases {
		got, err := ParseDuration(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestNewCmd(t *testing.T) {
	cases := []struct {
		args    []string
		want    Options
		wantErr bool
	}{
		{[]string{}, Options{DataDir: ".kmsim"}, false},
		{[]string{"--advance", "30d", "--data", "/d"}, Options{DataDir: "/d", Advance: "30d"}, false},
		{[]string{"--set", "2027-01-01T00:00:00Z"}, Options{DataDir: ".kmsim", Set: "2027-01-01T00:00:00Z"}, false},
		{[]string{"--advance", "1h", "--set", "2027-01-01T00:00:00Z"}, Options{}, true},
		{[]string{"--advance", "later"}, Options{}, true},
		{[]string{"--set", "tomorrow"}, Options{}, true},
	}
	for _, tc := range cases {
		var got *Options
		f := &cmdutil.Factory{IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
		cmd := NewCmd(f, func(o *Options) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		err := cmd.Execute()
		if tc.wantErr {
			if err == nil || !cmdutil.IsFlagError(err) {
				t.Errorf("%v: want a usage error, got %v", tc.args, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if got.DataDir != tc.want.DataDir || got.Advance != tc.want.Advance || got.Set != tc.want.Set {
			t.Errorf("%v: options %+v, want %+v", tc.args, *got, tc.want)
		}
	}
}

// TestRunAgainstServer advances a real server's clock through the admin endpoint.
func TestRunAgainstServer(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	f := cmdutil.NewFactory()
	f.IO = &cmdutil.IOStreams{In: strings.NewReader(""), Out: &logs, ErrOut: &logs}
	ready, stop, done := make(chan string, 1), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- serve.Run(context.Background(), &serve.Options{Factory: f, Addr: "127.0.0.1:0", DataDir: dir, Ready: func(a string) { ready <- a }, Stop: stop})
	}()
	<-ready
	defer func() { close(stop); <-done }()

	read := func(o *Options) time.Time {
		t.Helper()
		var out bytes.Buffer
		o.IO, o.DataDir = &cmdutil.IOStreams{Out: &out}, dir
		if err := Run(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		now, err := time.Parse(time.RFC3339, strings.TrimSpace(out.String()))
		if err != nil {
			t.Fatal(err)
		}
		return now
	}
	before := read(&Options{})
	after := read(&Options{Advance: "30d"})
	if d := after.Sub(before); d < 30*24*time.Hour || d > 30*24*time.Hour+time.Minute {
		t.Fatalf("advanced by %v", d)
	}
	target := after.Add(48 * time.Hour).Truncate(time.Second)
	if got := read(&Options{Set: target.Format(time.RFC3339)}); !got.Equal(target) && got.Sub(target) > time.Second {
		t.Fatalf("set to %v, reads %v", target, got)
	}
	if err := Run(context.Background(), &Options{IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}}, DataDir: dir, Set: "2001-01-01T00:00:00Z"}); err == nil {
		t.Fatal("the clock moved backwards")
	}
	if err := Run(context.Background(), &Options{IO: &cmdutil.IOStreams{Out: &bytes.Buffer{}}, DataDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no kmsim server holds") {
		t.Fatalf("without a server: %v", err)
	}
}
