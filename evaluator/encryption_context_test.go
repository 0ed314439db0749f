package evaluator

import "testing"

// TestEncryptionContextSpellings: a pair given under two spellings of the prefix is read the same
// way every time (map order must not decide a grant's constraint).
func TestEncryptionContextSpellings(t *testing.T) {
	ctx := map[string][]string{
		"kms:EncryptionContext:Dept": {"a"},
		"KMS:encryptioncontext:Dept": {"b"},
		"kms:encryptioncontext:Team": {"c"},
	}
	for range 50 {
		ec := encryptionContext(ctx, nil, true)
		if ec["Dept"] != "b" || ec["Team"] != "c" || len(ec) != 2 {
			t.Fatalf("encryption context %v, want Dept=b (from the first key in order) and Team=c", ec)
		}
	}
}
