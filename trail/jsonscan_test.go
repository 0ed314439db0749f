package trail

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// The scanner accepts exactly what encoding/json accepts as one value.
func TestSkipValueAgreesWithEncodingJSON(t *testing.T) {
	inputs := []string{
		`{}`, `[]`, `{"a":1}`, `{"a":[1,2.5,-0.1e+3,true,false,null,"x"]}`, `{"a" : { "b" : [ ] } }`,
		`"\u00e9\n\"\\\/"`, `{"k":"\ud83d\ude00"}`, `0`, `-0`, `1E9`, `{"a":1,}`, `{"a"}`, `{a:1}`,
		`[1,]`, `[01]`, `[1.]`, `[.5]`, `[1e]`, `[-]`, `["\x"]`, `["\u12"]`, "[\"\x01\"]", `[tru]`,
		`[nul]`, `{"a":1}}`, `{"a":1`, `{"a":"b`, `["a" "b"]`, `{"a":1 "b":2}`, `[1 2]`, `[+1]`,
		`{"a":NaN}`, `[1e+]`, `{"":""}`, `[[[[[]]]]]`, `{"a":[{"b":{"c":[null]}}]}`,
	}
	// Strings longer than the scanner's eight-byte steps, with a quote,
	// backslash, control character or non-ASCII byte at every offset.
	for _, special := range []string{`\"`, `\\`, `\n`, `\u0041`, `\x`, "\t", "\x1f", "é", "\x7f", `"`} {
		for at := 0; at < 20; at++ {
			inputs = append(inputs, `"`+strings.Repeat("a", at)+special+strings.Repeat("b", 20-at)+`"`)
		}
	}
	for _, in := range inputs {
		// A trailing space ends a number at the top level, as in a stream.
		b := []byte(in + " ")
		end, err := skipValue(b, skipSpace(b, 0), 0)
		if err == nil && skipSpace(b, end) != len(b) {
			err = errors.New("trailing data")
		}
		if got, want := err == nil, json.Valid([]byte(in)); got != want {
			t.Errorf("%s: scanner valid = %v (%v), encoding/json %v", in, got, err, want)
		}
	}
}

// Records are cut out of a stream whatever its chunking, and a cut-off
// stream is an unexpected EOF.
func TestStreamReader(t *testing.T) {
	rec := `{"eventID":"a","n":[1,2.50,{"s":"x\"y"}],"t":true}`
	in := `{"Records":[` + rec + `, ` + rec + `],"x":{"y":[1,2]}}`
	for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
		sr := newStreamReader(r)
		var got []string
		if err := sr.expect('{', ""); err != nil {
			t.Fatal(err)
		}
		for first := true; ; first = false {
			more, err := sr.more('}', first)
			if err != nil {
				t.Fatal(err)
			}
			if !more {
				break
			}
			key, err := sr.key()
			if err != nil {
				t.Fatal(err)
			}
			if key != "Records" {
				if _, err := sr.value(); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := scanArray(sr, func(b []byte) error { got = append(got, string(b)); return nil }); err != nil {
				t.Fatal(err)
			}
		}
		if err := sr.end(); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != rec || got[1] != rec {
			t.Errorf("records = %q", got)
		}
	}
	sr := newStreamReader(iotest.OneByteReader(strings.NewReader(rec[:30])))
	if _, err := sr.value(); !errors.Is(err, errShort) {
		t.Errorf("cut-off value: error = %v, want unexpected EOF", err)
	}
}

// The scanner agrees with encoding/json on any input.
func FuzzSkipValue(f *testing.F) {
	for _, seed := range []string{`{"eventID":"a","n":[1,2.50,{"s":"x\"y"}],"t":true}`, `"abcdefghijklmnop\u00e9qrstu"`,
		"\"0123456789\x01abcdef\"", `[1,{"a":"b"},null]`, `{"a":1,}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		b := []byte(in + " ")
		end, err := skipValue(b, skipSpace(b, 0), 0)
		if err == nil && skipSpace(b, end) != len(b) {
			err = errors.New("trailing data")
		}
		if got, want := err == nil, json.Valid([]byte(in)); got != want {
			t.Errorf("%q: scanner valid = %v (%v), encoding/json %v", in, got, err, want)
		}
	})
}
