package trail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func TestResultWrite(t *testing.T) {
	res := &Result{
		Columns: []string{"eventName", "n", "errorCode", "record"},
		Rows: [][]any{
			{"Encrypt", int64(12), nil, map[string]any{"a": "x<y"}},
			{"GenerateDataKey", 1.5, "AccessDeniedException", []any{"p,q", "line\nbreak"}},
		},
	}
	tests := []struct {
		format string
		want   string
	}{
		{FormatTable, "" +
			"eventName        n    errorCode              record\n" +
			"Encrypt          12   NULL                   {\"a\":\"x<y\"}\n" +
			"GenerateDataKey  1.5  AccessDeniedException  [\"p,q\",\"line\\nbreak\"]\n"},
		{FormatJSON, `[
  {
    "eventName": "Encrypt",
    "n": 12,
    "errorCode": null,
    "record": {
      "a": "x<y"
    }
  },
  {
    "eventName": "GenerateDataKey",
    "n": 1.5,
    "errorCode": "AccessDeniedException",
    "record": [
      "p,q",
      "line\nbreak"
    ]
  }
]
`},
		{FormatYAML, `- eventName: Encrypt
  n: 12
  errorCode: null
  record:
    a: x<y
- eventName: GenerateDataKey
  n: 1.5
  errorCode: AccessDeniedException
  record:
    - p,q
    - |-
      line
      break
`},
		{FormatCSV, "" +
			"eventName,n,errorCode,record\n" +
			"Encrypt,12,,\"{\"\"a\"\":\"\"x<y\"\"}\"\n" +
			"GenerateDataKey,1.5,AccessDeniedException,\"[\"\"p,q\"\",\"\"line\\nbreak\"\"]\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := res.Write(&buf, tt.format); err != nil {
				t.Fatal(err)
			}
			if buf.String() != tt.want {
				t.Errorf("Write(%s):\n%s\nwant:\n%s", tt.format, buf.String(), tt.want)
			}
		})
	}
	if err := res.Write(&bytes.Buffer{}, "xml"); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Write(xml) error = %v, want ErrUnknownFormat", err)
	}
}

func TestResultWriteEmpty(t *testing.T) {
	res := &Result{Columns: []string{"a", "b"}, Rows: [][]any{}}
	for format, want := range map[string]string{
		FormatTable: "a  b\n",
		FormatJSON:  "[]\n",
		FormatCSV:   "a,b\n",
	} {
		var buf bytes.Buffer
		if err := res.Write(&buf, format); err != nil {
			t.Fatal(err)
		}
		if buf.String() != want {
			t.Errorf("Write(%s) = %q, want %q", format, buf.String(), want)
		}
	}
}

// Query turns DuckDB values into JSON-friendly ones.
func TestQueryValues(t *testing.T) {
	s, _ := openTestStore(t)
	res, err := s.Query(context.Background(), `SELECT
		TIMESTAMP '2024-05-01 12:30:00.5' AS ts,
		DATE '2024-05-01' AS d,
		TIME '13:14:15' AS tm,
		'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID AS u,
		170141183460469231731687303715884105727::HUGEINT AS big,
		sum(x) AS small_sum,
		1.25::DECIMAL(5,2) AS dec,
		[1, 2] AS list,
		{'k': 'v', 'n': 1} AS struct,
		MAP {'m': 1} AS map,
		'\x41'::BLOB AS blob,
		'{"z": [true, null]}'::JSON AS js,
		NULL AS nothing
		FROM (VALUES (1), (2)) t(x)`)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := res.Write(&got, FormatJSON); err != nil {
		t.Fatalf("Write(json): %v", err)
	}
	var obj []map[string]any
	if err := json.Unmarshal(got.Bytes(), &obj); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"ts": "2024-05-01T12:30:00.5Z", "d": "2024-05-01", "tm": "13:14:15",
		"u": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "big": 1.7014118346046923e+38, "small_sum": 3.0,
		"dec": 1.25, "list": []any{1.0, 2.0}, "struct": map[string]any{"k": "v", "n": 1.0},
		"map": map[string]any{"m": 1.0}, "blob": "QQ==", "js": map[string]any{"z": []any{true, nil}},
		"nothing": nil,
	}
	gotJSON, _ := json.Marshal(obj[0])
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("values:\n got %s\nwant %s", gotJSON, wantJSON)
	}
	// Column order is kept in JSON output.
	if !bytes.HasPrefix(bytes.TrimSpace(got.Bytes()), []byte("[\n  {\n    \"ts\": ")) {
		t.Errorf("json does not start with the first column:\n%s", got.String())
	}
	if err := res.Write(&bytes.Buffer{}, FormatTable); err != nil {
		t.Errorf("Write(table): %v", err)
	}
}
