package simulator

import (
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestAliasesRefusedMatchesModel derives from the service model the operations that take a key
// id or key ARN but no alias (their KeyId documentation names no alias, and they list
// InvalidArnException) and holds aliasesRefused to them.
func TestAliasesRefusedMatchesModel(t *testing.T) {
	raw, err := os.ReadFile(contractModel)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("service model %s not present", contractModel)
	}
	must(t, err)
	var model struct {
		Operations map[string]struct {
			Input  struct{ Shape string }
			Errors []struct{ Shape string }
		}
		Shapes map[string]struct {
			Members map[string]struct {
				Shape         string
				Documentation string
			}
		}
	}
	must(t, json.Unmarshal(raw, &model))
	tags := regexp.MustCompile(`<[^>]+>`)
	var want, got []string
	for op, o := range model.Operations {
		key, ok := model.Shapes[o.Input.Shape].Members["KeyId"]
		if !ok || key.Shape != "KeyIdType" || !slices.ContainsFunc(o.Errors, func(e struct{ Shape string }) bool { return e.Shape == "InvalidArnException" }) {
			continue
		}
		doc := tags.ReplaceAllString(key.Documentation, "")
		if !strings.Contains(doc, "Alias name:") {
			want = append(want, op)
		}
	}
	for op := range aliasesRefused {
		got = append(got, op)
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(want, got) {
		t.Errorf("aliasesRefused\n got %v\nwant %v", got, want)
	}
}
