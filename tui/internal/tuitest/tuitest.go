// Package tuitest holds what the TUI's tests share: the demo world with a temporary trail, a
// synchronous message driver, golden views, and a thin wrapper over teatest (whose API moves
// between pseudo-versions).
package tuitest

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/kmsim/kmsim/fixtures"
	"github.com/kmsim/kmsim/trail"
	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/common"
)

// Width and Height are the terminal size of golden views and teatest flows.
const (
	Width  = 100
	Height = 30
)

// Demo-world names the tests use.
const (
	Account      = "111122223333"
	AdminARN     = "arn:aws:iam::111122223333:user/admin"
	DeveloperARN = "arn:aws:iam::111122223333:user/developer"
	AppDataKey   = "1234abcd-12ab-34cd-56ef-1234567890ab"
	AppDataARN   = "arn:aws:kms:us-east-1:111122223333:key/" + AppDataKey
)

// Common returns a Common with the ASCII colour profile, so views are plain text.
func Common(t testing.TB) common.Common {
	t.Helper()
	lipgloss.SetColorProfile(termenv.Ascii)
	c := common.New(context.Background())
	c.SetSize(Width, Height)
	return c
}

// World loads the demo world.
func World(t testing.TB) *fixtures.World {
	t.Helper()
	w, err := fixtures.Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// Records are the events WriteTrail records: an allowed Encrypt by admin, a denied Decrypt by
// developer, and a DescribeKey by developer, a minute apart.
func Records() []trail.Record {
	base := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	rec := func(i int, who, user, akid, name, errCode, errMsg string) trail.Record {
		return trail.Record{
			EventVersion: "1.11",
			UserIdentity: &trail.UserIdentity{Type: "IAMUser", PrincipalID: "AIDA" + strings.ToUpper(user), ARN: who,
				AccountID: Account, AccessKeyID: akid, UserName: user},
			EventTime: base.Add(time.Duration(i) * time.Minute).Format(time.RFC3339), EventSource: "kms.amazonaws.com",
			EventName: name, AWSRegion: "us-east-1", SourceIPAddress: "127.0.0.1", UserAgent: "aws-cli/2.15.0",
			ErrorCode: errCode, ErrorMessage: errMsg,
			RequestParameters: map[string]any{"keyId": "alias/app-data"},
			RequestID:         fmt.Sprintf("00000000-0000-4000-8000-%012d", i), EventID: fmt.Sprintf("10000000-0000-4000-8000-%012d", i),
			ReadOnly: name == "DescribeKey", EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: Account,
			EventCategory: "Management",
			Resources:     []trail.Resource{{AccountID: Account, Type: "AWS::KMS::Key", ARN: AppDataARN}},
		}
	}
	return []trail.Record{
		rec(0, AdminARN, "admin", "AKIAIOSFODNN7EXAMPLE", "Encrypt", "", ""),
		rec(1, DeveloperARN, "developer", "AKIAI44QH8DHBEXAMPLE", "Decrypt", "AccessDeniedException",
			"User: "+DeveloperARN+" is not authorized to perform: kms:Decrypt on resource: "+AppDataARN+
				" because no identity-based policy allows the kms:Decrypt action"),
		rec(2, DeveloperARN, "developer", "AKIAI44QH8DHBEXAMPLE", "DescribeKey", "", ""),
	}
}

// WriteTrail records recs in dir/kmsim.duckdb through a trail.Writer, as the simulator does.
func WriteTrail(t testing.TB, dir string, recs []trail.Record) {
	t.Helper()
	store, err := trail.Open(filepath.Join(dir, "kmsim.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := trail.NewWriter(store, filepath.Join(dir, "trail.journal"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if err := w.Write(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
}

// Service is the real service on the demo world and a temporary trail holding Records.
func Service(t testing.TB) tui.Service {
	t.Helper()
	dir := t.TempDir()
	WriteTrail(t, dir, Records())
	return tui.NewService(World(t), dir)
}

// Drive sends msgs to update and runs the commands it returns, and the commands their messages
// return, synchronously, as the program would (timers and spinner frames are dropped).
func Drive(t testing.TB, update func(tea.Msg) tea.Cmd, msgs ...tea.Msg) {
	t.Helper()
	queue := append([]tea.Msg(nil), msgs...)
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 500 {
			t.Fatal("Drive: too many messages; a command loops")
		}
		msg := queue[0]
		queue = queue[1:]
		queue = append(queue, run(update(msg))...)
	}
}

// Messages runs cmd (an Init's, say) and returns the messages it produced, for Drive.
func Messages(cmd tea.Cmd) []tea.Msg { return run(cmd) }

// run executes cmd and returns the messages it produced, flattening batches.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	type result struct{ msg tea.Msg }
	done := make(chan result, 1)
	go func() { done <- result{cmd()} }()
	var msg tea.Msg
	select {
	case r := <-done:
		msg = r.msg
	case <-time.After(200 * time.Millisecond):
		// A timer (the trail's refresh tick): the program would deliver it later; tests do not wait.
		select {
		case r := <-done:
			msg = r.msg
		case <-time.After(30 * time.Second):
			return nil
		}
		if isTick(msg) {
			return nil
		}
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, run(c)...)
		}
		return out
	case spinner.TickMsg, tea.QuitMsg:
		return nil
	case nil:
		return nil
	}
	return []tea.Msg{msg}
}

// isTick reports whether msg came from a timer the tests must not follow.
func isTick(msg tea.Msg) bool {
	return strings.HasSuffix(fmt.Sprintf("%T", msg), ".tickMsg")
}

// Keys turns a string into key messages: runes, with "enter", "esc", "tab", "up", "down", "left",
// "right", "ctrl+c", "ctrl+s" written as <enter> and so on.
func Keys(s string) []tea.Msg {
	named := map[string]tea.KeyType{"enter": tea.KeyEnter, "esc": tea.KeyEsc, "tab": tea.KeyTab, "up": tea.KeyUp,
		"down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "ctrl+c": tea.KeyCtrlC,
		"backspace": tea.KeyBackspace, "shift+tab": tea.KeyShiftTab, "ctrl+s": tea.KeyCtrlS}
	var out []tea.Msg
	for len(s) > 0 {
		if s[0] == '<' {
			if end := strings.IndexByte(s, '>'); end > 0 {
				if k, ok := named[s[1:end]]; ok {
					out = append(out, tea.KeyMsg{Type: k})
					s = s[end+1:]
					continue
				}
			}
		}
		r := []rune(s)[0]
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		s = s[len(string(r)):]
	}
	return out
}

// Golden compares view with testdata/<TestName>.golden; -update rewrites it.
func Golden(t *testing.T, view string) {
	t.Helper()
	golden.RequireEqual(t, []byte(view))
}

// Program runs m in teatest at Width×Height.
type Program struct {
	t  *testing.T
	tm *teatest.TestModel
}

// Start runs m as a program.
func Start(t *testing.T, m tea.Model) *Program {
	t.Helper()
	return &Program{t: t, tm: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(Width, Height))}
}

// Type sends keys written as for Keys.
func (p *Program) Type(s string) {
	for _, m := range Keys(s) {
		p.tm.Send(m)
	}
}

// Send sends a message.
func (p *Program) Send(m tea.Msg) { p.tm.Send(m) }

// WaitFor waits (at most 15s) until the screen output contains every one of texts.
func (p *Program) WaitFor(texts ...string) {
	p.t.Helper()
	teatest.WaitFor(p.t, p.tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}

// Quit presses ctrl+c and returns the final model.
func (p *Program) Quit() tea.Model {
	p.t.Helper()
	p.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	return p.tm.FinalModel(p.t, teatest.WithFinalTimeout(10*time.Second))
}
