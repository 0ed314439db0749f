package tui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/kmsim/kmsim/cmd/cmdutil"
	"github.com/kmsim/kmsim/cmd/serve"
	"github.com/kmsim/kmsim/tui"
	"github.com/kmsim/kmsim/tui/internal/tuitest"
	"github.com/kmsim/kmsim/tui/pages/dryrun"
	"github.com/kmsim/kmsim/tui/pages/findings"
	trailpage "github.com/kmsim/kmsim/tui/pages/trail"
)

// startServer runs `kmsim serve` in this process on dir and a free port until the test ends.
func startServer(t *testing.T, dir string) string {
	t.Helper()
	var sink bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &sink, ErrOut: &sink}, LoadWorld: cmdutil.LoadWorld}
	ready, stop, done := make(chan string, 1), make(chan struct{}), make(chan error, 1)
	opts := &serve.Options{Factory: f, Addr: "127.0.0.1:0", DataDir: dir, Ready: func(a string) { ready <- a }, Stop: stop}
	go func() { done <- serve.Run(context.Background(), opts) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, sink.String())
	}
	t.Cleanup(func() {
		close(stop)
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return addr
}

// getKeyPolicy asks the server for the key's policy as the demo admin.
func getKeyPolicy(t *testing.T, addr, keyID string) string {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	c := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })})
	out, err := c.GetKeyPolicy(t.Context(), &kms.GetKeyPolicyInput{KeyId: aws.String(keyID)})
	if err != nil {
		t.Fatalf("GetKeyPolicy: %v", err)
	}
	return aws.ToString(out.Policy)
}

func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

// The dry run's save against a running server: PutKeyPolicy is signed with the acting principal's
// credentials and sent to the server that holds the data directory; the policy changes there (as
// GetKeyPolicy shows), the call is in the trail, and the key detail shows the saved policy. A
// proposal that would lock its caller out is refused by the lockout safety check and changes nothing.
func TestSaveThroughServer(t *testing.T) {
	t.Setenv("EDITOR", "")
	dir := t.TempDir()
	addr := startServer(t, dir)
	m := tui.New(tuitest.Common(t), tui.NewService(tuitest.World(t), dir))
	start(t, m)

	const proposal = appDataAccountOnly
	typeKeys(t, m, "/app-data<enter><enter>d")
	dr := m.Page(tui.DryRunPage).(*dryrun.Model)
	drive(t, m, dryrun.EditedMsg{ARN: tuitest.AppDataARN, Doc: []byte(proposal)})
	typeKeys(t, m, "s")
	if v := m.View(); !strings.Contains(v, "through  the kmsim server at "+addr) || !strings.Contains(v, "as       "+tuitest.AdminARN) {
		t.Fatalf("confirmation:\n%s", v)
	}
	typeKeys(t, m, "y")
	if s := dr.Saved(); s == nil || !s.Saved {
		t.Fatalf("saved %+v", dr.Saved())
	}
	if note, isErr := m.Status(); isErr || !strings.Contains(note, "saved") {
		t.Errorf("status %q (error %v)", note, isErr)
	}
	if got := getKeyPolicy(t, addr, tuitest.AppDataKey); !sameJSON(t, got, proposal) {
		t.Fatalf("GetKeyPolicy after the save:\n%s", got)
	}
	typeKeys(t, m, "q")
	if m.Active() != tui.KeyDetailPage {
		t.Fatalf("q: on %v", m.Active())
	}
	if v := m.View(); strings.Contains(v, "KMSKeyAdmins") || !strings.Contains(v, `"Sid": "Enable IAM User Permissions"`) {
		t.Errorf("the key detail does not show the saved policy:\n%s", v)
	}

	typeKeys(t, m, "d")
	drive(t, m, dryrun.EditedMsg{ARN: tuitest.AppDataARN, Doc: []byte(lockoutPolicy)})
	typeKeys(t, m, "s")
	if v := m.View(); !strings.Contains(v, "lock this principal out") {
		t.Errorf("no lockout warning:\n%s", v)
	}
	typeKeys(t, m, "y")
	s := dr.Saved()
	if s == nil || s.Saved || s.Code != "MalformedPolicyDocumentException" {
		t.Fatalf("lockout: saved %+v", s)
	}
	if v := m.View(); !strings.Contains(v, "with MalformedPolicyDocumentException:\nThe new key policy will not allow you to update") {
		t.Errorf("AWS's answer is not shown:\n%s", v)
	}
	if got := getKeyPolicy(t, addr, tuitest.AppDataKey); !sameJSON(t, got, proposal) {
		t.Fatalf("GetKeyPolicy after the refused save:\n%s", got)
	}

	res, err := tui.NewService(tuitest.World(t), dir).Query(t.Context(),
		"SELECT coalesce(errorCode, 'ok') AS outcome, callerArn FROM events WHERE eventName = 'PutKeyPolicy' ORDER BY 1 DESC")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, r[0].(string)+" "+r[1].(string))
	}
	want := []string{"ok " + tuitest.AdminARN, "MalformedPolicyDocumentException " + tuitest.AdminARN}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PutKeyPolicy calls in the trail: %q, want %q", got, want)
	}

	// The findings while the server holds the trail: the detections run through it, and the saved
	// policy change is one of them.
	typeKeys(t, m, "4")
	var changed bool
	for _, r := range m.Page(tui.FindingsPage).(*findings.Model).Rows() {
		changed = changed || (r.Code == "kms-key-policy-changed" && strings.Contains(r.Where, "user/admin on "+tuitest.AppDataARN))
	}
	if !changed || !strings.Contains(m.View(), "· 1 detections") {
		t.Errorf("no detection of the policy change:\n%s", m.View())
	}
	typeKeys(t, m, "<enter>") // the detection's events
	tr := m.Page(tui.TrailPage).(*trailpage.Model)
	if rows := tr.Rows(); m.Active() != tui.TrailPage || len(rows) != 1 || rows[0][1] != "PutKeyPolicy" || rows[0][4] != "" {
		t.Errorf("enter on the detection: on %v, rows %q\n%s", m.Active(), rows, m.View())
	}
}
