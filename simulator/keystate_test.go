package simulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// keyStateReference is ../shared/reference/key-states.json, the guide's key state table.
type keyStateReference struct {
	KeyStates  []string `json:"key_states"`
	Operations map[string]struct {
		States map[string]struct {
			Result     string   `json:"result"`
			Exceptions []string `json:"exceptions"`
		} `json:"states"`
	} `json:"operations"`
}

func loadKeyStateReference(t *testing.T) *keyStateReference {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "shared", "reference", "key-states.json"))
	if err != nil {
		t.Skipf("reference table not available: %v", err)
	}
	var ref keyStateReference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	return &ref
}

// TestKeyStateTable checks every cell of kmsim's key state table against the guide's:
// 42 operations × 8 states.
func TestKeyStateTable(t *testing.T) {
	ref := loadKeyStateReference(t)
	if !slices.Equal(ref.KeyStates, keyStates[:]) {
		t.Fatalf("key states %v, reference %v", keyStates, ref.KeyStates)
	}
	if len(ref.Operations)+len(opsNewerThanGuide) != len(keyStateTable) {
		t.Errorf("table has %d operations, reference %d plus %d newer", len(keyStateTable), len(ref.Operations), len(opsNewerThanGuide))
	}
	for op, row := range ref.Operations {
		ours, found := keyStateTable[op]
		if !found {
			t.Errorf("%s: missing from the table", op)
			continue
		}
		for col, state := range keyStates {
			cell := row.States[state]
			got := ours[col]
			exc := outcomeExceptions[got]
			switch cell.Result {
			case "succeeds":
				if got != ok {
					t.Errorf("%s in %s: reference succeeds, kmsim fails with %s", op, state, exc)
				}
			case "fails":
				if got == ok || !slices.Contains(cell.Exceptions, exc) {
					t.Errorf("%s in %s: reference fails with %v, kmsim gives %q", op, state, cell.Exceptions, exc)
				}
			case "conditional":
				if got != ok && !slices.Contains(cell.Exceptions, exc) {
					t.Errorf("%s in %s: reference conditional on %v, kmsim gives %q", op, state, cell.Exceptions, exc)
				}
			case "not_applicable":
				if got != notApplicable {
					t.Errorf("%s in %s: reference N/A, kmsim %d", op, state, got)
				}
			default:
				t.Errorf("%s in %s: unknown result %q", op, state, cell.Result)
			}
		}
	}
}
