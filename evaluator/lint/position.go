package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Pos is a 1-based line and column (in characters) in a linted file.
type Pos struct{ Line, Col int }

// node is a JSON value with the position it was read from, so findings about a policy element
// (addressed by JSON pointer) can point at the right place in the file.
type node struct {
	kind   byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	pos    Pos  // where the value starts
	keyPos Pos  // where the member name starts, for object members
	hasKey bool
	str    string // string value, number literal, "true"/"false"
	keys   []string
	fields map[string]*node
	elems  []*node
}

func (n *node) field(k string) *node {
	if n == nil || n.kind != 'o' {
		return nil
	}
	return n.fields[k]
}

// list returns the string elements of a string-or-array-of-strings value.
func (n *node) list() []*node {
	switch {
	case n == nil:
		return nil
	case n.kind == 'a':
		return n.elems
	}
	return []*node{n}
}

// at returns the member's key position when it has one, else the value's.
func (n *node) at() Pos {
	if n.hasKey {
		return n.keyPos
	}
	return n.pos
}

// flatten moves every position in the tree to p: used for policies embedded as JSON strings,
// where findings point at the string in the outer file.
func (n *node) flatten(p Pos) {
	if n == nil {
		return
	}
	n.pos = p
	if n.hasKey {
		n.keyPos = p
	}
	for _, c := range n.fields {
		c.flatten(p)
	}
	for _, c := range n.elems {
		c.flatten(p)
	}
}

// lookup resolves a JSON pointer. Segments that do not match a member are joined with the next one,
// because rego's pointers do not escape "/" inside condition keys such as aws:RequestTag/Project.
// It returns the deepest node it reached.
func (n *node) lookup(ptr string) *node {
	if ptr == "" || ptr == "/" {
		return n
	}
	segs := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(segs[i], "~1", "/"), "~0", "~")
	}
	cur := n
	for i := 0; i < len(segs) && cur != nil; {
		switch cur.kind {
		case 'o':
			var next *node
			j := i
			for k := segs[i]; j < len(segs); {
				if c, ok := cur.fields[k]; ok {
					next = c
					break
				}
				j++
				if j < len(segs) {
					k += "/" + segs[j]
				}
			}
			if next == nil {
				return cur
			}
			cur, i = next, j+1
		case 'a':
			idx, err := strconv.Atoi(segs[i])
			if err != nil || idx < 0 || idx >= len(cur.elems) {
				return cur
			}
			cur, i = cur.elems[idx], i+1
		default:
			return cur
		}
	}
	return cur
}

// value converts the tree to plain Go values for json.Marshal.
func (n *node) value() any {
	switch n.kind {
	case 'o':
		m := make(map[string]any, len(n.fields))
		for k, v := range n.fields {
			m[k] = v.value()
		}
		return m
	case 'a':
		out := make([]any, len(n.elems))
		for i, e := range n.elems {
			out[i] = e.value()
		}
		return out
	case 's':
		return n.str
	case 'n':
		return json.Number(n.str)
	case 'b':
		return n.str == "true"
	}
	return nil
}

// lineIndex maps byte offsets to line and column.
type lineIndex struct {
	data   []byte
	starts []int
}

func newLineIndex(data []byte) *lineIndex {
	li := &lineIndex{data: data, starts: []int{0}}
	for i, b := range data {
		if b == '\n' {
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

func (li *lineIndex) pos(off int) Pos {
	if off > len(li.data) {
		off = len(li.data)
	}
	line := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off }) - 1
	col := utf8.RuneCount(li.data[li.starts[line]:off]) + 1
	return Pos{Line: line + 1, Col: col}
}

// SyntaxError is a JSON or YAML syntax error at a position.
type SyntaxError struct {
	Pos Pos
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg) }

// parseJSON reads one JSON value into a positioned tree, walking the tokens of a json.Decoder and
// recording the input offset at which each value starts.
func parseJSON(data []byte) (*node, *lineIndex, error) {
	li := newLineIndex(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := &jsonWalker{dec: dec, data: data, li: li}
	n, err := w.value()
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = w.fail(errors.New("trailing data after the JSON value"))
		}
	}
	if err != nil {
		return nil, li, err
	}
	return n, li, nil
}

type jsonWalker struct {
	dec  *json.Decoder
	data []byte
	li   *lineIndex
}

// start returns the offset of the next token: the decoder's offset past whitespace, ',' and ':'.
func (w *jsonWalker) start() int {
	off := int(w.dec.InputOffset())
	for off < len(w.data) {
		switch w.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (w *jsonWalker) fail(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off := int(se.Offset) // the decoder's offset when it met the offending byte
		return &SyntaxError{Pos: w.li.pos(off), Msg: "invalid JSON: " + se.Error()}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &SyntaxError{Pos: w.li.pos(len(w.data)), Msg: "invalid JSON: unexpected end of input"}
	}
	return &SyntaxError{Pos: w.li.pos(w.start()), Msg: "invalid JSON: " + err.Error()}
}

func (w *jsonWalker) value() (*node, error) {
	off := w.start()
	tok, err := w.dec.Token()
	if err != nil {
		return nil, w.fail(err)
	}
	n := &node{pos: w.li.pos(off)}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind, n.fields = 'o', map[string]*node{}
			for w.dec.More() {
				koff := w.start()
				kt, err := w.dec.Token()
				if err != nil {
					return nil, w.fail(err)
				}
				k, _ := kt.(string)
				c, err := w.value()
				if err != nil {
					return nil, err
				}
				c.keyPos, c.hasKey = w.li.pos(koff), true
				if _, dup := n.fields[k]; !dup {
					n.keys = append(n.keys, k)
				}
				n.fields[k] = c
			}
		case '[':
			n.kind = 'a'
			for w.dec.More() {
				c, err := w.value()
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, c)
			}
		default:
			return nil, w.fail(fmt.Errorf("unexpected %q", t))
		}
		if _, err := w.dec.Token(); err != nil { // closing delimiter
			return nil, w.fail(err)
		}
	case string:
		n.kind, n.str = 's', t
	case json.Number:
		n.kind, n.str = 'n', t.String()
	case bool:
		n.kind, n.str = 'b', strconv.FormatBool(t)
	case nil:
		n.kind = 'z'
	}
	return n, nil
}

// parseYAML reads a YAML document into a positioned tree. Short-form CloudFormation intrinsics
// (!Sub, !Ref, !GetAtt, !Join, ...) become their long form ({"Fn::Sub": ...}, {"Ref": ...}).
func parseYAML(data []byte) (*node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := err.Error()
		line := 1
		// yaml.v3 reports "yaml: line N: ..."
		if i := strings.Index(msg, "line "); i >= 0 {
			rest := msg[i+5:]
			if j := strings.IndexByte(rest, ':'); j > 0 {
				if n, err := strconv.Atoi(rest[:j]); err == nil {
					line = n
				}
			}
		}
		return nil, &SyntaxError{Pos: Pos{Line: line, Col: 1}, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &SyntaxError{Pos: Pos{1, 1}, Msg: "invalid YAML: empty document"}
	}
	return yamlNode(doc.Content[0], 0), nil
}

func yamlNode(y *yaml.Node, depth int) *node {
	if y.Kind == yaml.AliasNode && y.Alias != nil && depth < 100 {
		n := yamlNode(y.Alias, depth+1)
		n.pos = Pos{y.Line, y.Column}
		return n
	}
	n := &node{pos: Pos{y.Line, y.Column}}
	switch y.Kind {
	case yaml.MappingNode:
		n.kind, n.fields = 'o', map[string]*node{}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Value == "<<" && k.Tag == "!!merge" {
				continue
			}
			c := yamlNode(v, depth+1)
			c.keyPos, c.hasKey = Pos{k.Line, k.Column}, true
			if _, dup := n.fields[k.Value]; !dup {
				n.keys = append(n.keys, k.Value)
			}
			n.fields[k.Value] = c
		}
	case yaml.SequenceNode:
		n.kind = 'a'
		for _, c := range y.Content {
			n.elems = append(n.elems, yamlNode(c, depth+1))
		}
	case yaml.ScalarNode:
		switch y.Tag {
		case "!!int", "!!float":
			// Account ids and numbers: CloudFormation passes them on as strings, and the policy
			// grammar accepts strings wherever it accepts numbers.
			n.kind, n.str = 's', y.Value
		case "!!bool":
			n.kind, n.str = 'b', strings.ToLower(y.Value)
			if n.str != "true" && n.str != "false" {
				n.kind, n.str = 's', y.Value
			}
		case "!!null":
			n.kind = 'z'
		default:
			n.kind, n.str = 's', y.Value
		}
	default:
		n.kind = 'z'
	}
	if tag := y.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		// A short-form intrinsic: wrap the value as its long form.
		name := "Fn::" + tag[1:]
		if tag == "!Ref" {
			name = "Ref"
		}
		if tag == "!GetAtt" && n.kind == 's' {
			parts := strings.SplitN(n.str, ".", 2)
			arr := &node{kind: 'a', pos: n.pos}
			for _, p := range parts {
				arr.elems = append(arr.elems, &node{kind: 's', str: p, pos: n.pos})
			}
			n = arr
		}
		inner := n
		n = &node{kind: 'o', pos: inner.pos, fields: map[string]*node{name: inner}, keys: []string{name}}
	}
	return n
}
