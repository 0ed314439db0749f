package evaluator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kmsim/kmsim/rego"
)

func TestCases(t *testing.T) {
	cases := MustLoadCases("testdata/cases")
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	e := New(WithNow(func() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) }))
	seen := map[string]bool{}
	for _, tc := range cases {
		name := tc.File + "/" + tc.Note
		if seen[name] {
			t.Errorf("duplicate case note %q", name)
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if tc.WantDecision == "" && tc.WantErrorCode == "" {
				t.Fatal("case has no expectation (want_decision or want_error_code)")
			}
			if tc.WantDecision != "" && tc.WantErrorCode != "" {
				t.Fatal("case has both want_decision and want_error_code")
			}
			req := tc.Request()
			d, err := e.Decide(context.Background(), req)
			if tc.WantErrorCode != "" {
				if err == nil {
					t.Fatalf("want error %s, got decision %+v", tc.WantErrorCode, d)
				}
				if !containsCode(err, tc.WantErrorCode) {
					t.Fatalf("want error code %s, got %v", tc.WantErrorCode, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Effect != tc.WantDecision {
				t.Errorf("decision = %s (%s), want %s\nmatched: %+v", d.Effect, d.Reason, tc.WantDecision, d.Matched)
			}
			if tc.WantReason != "" && d.Reason != tc.WantReason {
				t.Errorf("reason = %q, want %q", d.Reason, tc.WantReason)
			}
			if d.Effect == Allowed && d.Reason != "" {
				t.Errorf("allowed decision with reason %q", d.Reason)
			}
			if tc.WantMatched != nil {
				if err := checkMatched(d.Matched, tc.WantMatched); err != nil {
					t.Error(err)
				}
			}
			switch {
			case tc.WantGrant == "none" && d.Grant != "":
				t.Errorf("allowed by grant %q, want no grant", d.Grant)
			case tc.WantGrant != "" && tc.WantGrant != "none" && d.Grant != tc.WantGrant:
				t.Errorf("grant = %q, want %q", d.Grant, tc.WantGrant)
			}
			if tc.WantMissing != nil && !slices.Equal(d.MissingContext, tc.WantMissing) {
				t.Errorf("missing context = %q, want %q", d.MissingContext, tc.WantMissing)
			}
		})
	}
}

func containsCode(err error, code string) bool {
	var pe *rego.Error
	return errors.As(err, &pe) && pe.Code == code
}

// checkMatched requires a one-to-one correspondence between matched statements and wants.
func checkMatched(got []Statement, want []WantStatement) error {
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, s := range got {
			if !used[i] && w.Matches(s) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return fmt.Errorf("matched %+v lacks %+v", got, w)
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("matched %+v, want exactly %d statements %+v", got, len(want), want)
	}
	return nil
}
