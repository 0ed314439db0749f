package trail

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
)

// This file holds a small validating JSON scanner: it finds where values
// begin and end without building them, so a record is checked and its
// fields located in one pass over its bytes, and records are cut out of a
// file stream without decoding them.

// errShort says the bytes end inside a value: more input may complete it.
var errShort = errors.New("unexpected EOF")

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// scanError is a syntax error at an offset of the scanned bytes.
type scanError struct {
	off int
	msg string
}

func (e *scanError) Error() string { return e.msg }

func syntaxErr(b []byte, i int, context string) error {
	if i >= len(b) {
		return errShort
	}
	return &scanError{off: i, msg: fmt.Sprintf("invalid character %s %s", quoteChar(b[i]), context)}
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue checks the JSON value starting at b[i] and returns the offset
// just after it. It returns errShort when b ends inside the value.
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return i, errShort
	}
	switch c := b[i]; {
	case c == '"':
		return skipString(b, i)
	case c == '{':
		return walkObject(b, i, depth+1, nil)
	case c == '[':
		return skipArray(b, i, depth+1)
	case c == 't':
		return skipLiteral(b, i, "true")
	case c == 'f':
		return skipLiteral(b, i, "false")
	case c == 'n':
		return skipLiteral(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(b, i)
	}
	return i, syntaxErr(b, i, "looking for beginning of value")
}

func skipLiteral(b []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) {
			return i + k, errShort
		}
		if b[i+k] != lit[k] {
			return i + k, syntaxErr(b, i+k, "in literal "+lit)
		}
	}
	return i + len(lit), nil
}

func skipNumber(b []byte, i int) (int, error) {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return i, errShort
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return i, syntaxErr(b, i, "in numeric literal")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) {
			return i, errShort
		}
		if b[i] < '0' || b[i] > '9' {
			return i, syntaxErr(b, i, "after decimal point in numeric literal")
		}
		i = digits(i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) {
			return i, errShort
		}
		if b[i] < '0' || b[i] > '9' {
			return i, syntaxErr(b, i, "in exponent of numeric literal")
		}
		i = digits(i)
	}
	// A number at the very end of the input may continue in more input.
	if i >= len(b) {
		return i, errShort
	}
	return i, nil
}

// plainStringByte marks the bytes a string may hold without a closer look.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipString checks the string starting at b[i] (a quote) and returns the
// offset after its closing quote.
func skipString(b []byte, i int) (int, error) {
	i++
	for {
		i = skipPlain(b, i)
		for i < len(b) && plainStringByte[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, errShort
		}
		switch b[i] {
		case '"':
			return i + 1, nil
		case '\\':
			i++
			if i >= len(b) {
				return i, errShort
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				i++
				for k := 0; k < 4; k++ {
					if i >= len(b) {
						return i, errShort
					}
					if !isHex(b[i]) {
						return i, syntaxErr(b, i, "in \\u hexadecimal character escape")
					}
					i++
				}
			default:
				return i, syntaxErr(b, i, "in string escape code")
			}
		default:
			return i, syntaxErr(b, i, "in string literal")
		}
	}
}

// skipPlain returns the offset of the first byte from b[i] on that is a
// quote, a backslash or a control character, reading eight bytes at a time,
// or where fewer than eight are left.
func skipPlain(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		q := x ^ (ones * '"')
		s := x ^ (ones * '\\')
		// A byte of v is flagged when it is zero (v-ones)&^v, or, for x,
		// below 0x20; the lowest flag is always a true one.
		if m := ((q - ones) &^ q) | ((s - ones) &^ s) | ((x - ones*0x20) &^ x); m&highs != 0 {
			return i + bits.TrailingZeros64(m&highs)/8
		}
	}
	return i
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// walkObject checks the object starting at b[i] and returns the offset
// after it; field, when set, is called with each key (with its quotes) and
// value.
func walkObject(b []byte, i, depth int, field func(key, val []byte)) (int, error) {
	if depth > maxDepth {
		return i, &scanError{off: i, msg: "exceeded max depth"}
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) {
			return i, errShort
		}
		if b[i] != '"' {
			return i, syntaxErr(b, i, "looking for beginning of object key string")
		}
		k, err := skipString(b, i)
		if err != nil {
			return k, err
		}
		key := b[i:k]
		i = skipSpace(b, k)
		if i >= len(b) {
			return i, errShort
		}
		if b[i] != ':' {
			return i, syntaxErr(b, i, "after object key")
		}
		i = skipSpace(b, i+1)
		v := i
		if i, err = skipValue(b, i, depth); err != nil {
			return i, err
		}
		if field != nil {
			field(key, b[v:i])
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, errShort
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, nil
		default:
			return i, syntaxErr(b, i, "after object key:value pair")
		}
	}
}

// skipArray checks the array starting at b[i] and returns the offset after
// it.
func skipArray(b []byte, i, depth int) (int, error) {
	if depth > maxDepth {
		return i, &scanError{off: i, msg: "exceeded max depth"}
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = skipValue(b, i, depth); err != nil {
			return i, err
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, errShort
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case ']':
			return i + 1, nil
		default:
			return i, syntaxErr(b, i, "after array element")
		}
	}
}

// unquoteKey returns a key's text: without its quotes, and unescaped in
// the rare case it has escapes.
func unquoteKey(key []byte) string {
	inner := key[1 : len(key)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner)
	}
	var s string
	if json.Unmarshal(key, &s) != nil {
		return string(inner)
	}
	return s
}

// streamReader cuts JSON values out of a stream without decoding them.
type streamReader struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte of buf
	base int64 // stream offset of buf[0]
	eof  bool
	err  error // a read error other than EOF
}

func newStreamReader(r io.Reader) *streamReader {
	return &streamReader{r: r, buf: make([]byte, 0, 1<<20)}
}

// offset is the stream offset of the next unread byte.
func (s *streamReader) offset() int64 { return s.base + int64(s.pos) }

// fill reads more input, keeping the unread bytes; it reports whether
// any arrived.
func (s *streamReader) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:])
		s.base += int64(s.pos)
		s.buf, s.pos = s.buf[:n], 0
	}
	if len(s.buf) == cap(s.buf) {
		s.buf = append(s.buf, make([]byte, cap(s.buf))...)[:len(s.buf)]
	}
	for {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = err
		}
		if n > 0 || s.eof || s.err != nil {
			return n > 0
		}
	}
}

// peek skips whitespace and returns the next byte; ok is false at the end
// of the input.
func (s *streamReader) peek() (c byte, ok bool, err error) {
	for {
		s.pos = skipSpace(s.buf, s.pos)
		if s.pos < len(s.buf) {
			return s.buf[s.pos], true, nil
		}
		if !s.fill() {
			return 0, false, s.err
		}
	}
}

// expect consumes the byte c after optional whitespace.
func (s *streamReader) expect(c byte, context string) error {
	got, ok, err := s.peek()
	if err != nil {
		return err
	}
	if !ok {
		return errShort
	}
	if got != c {
		return s.syntaxErr(context)
	}
	s.pos++
	return nil
}

func (s *streamReader) syntaxErr(context string) error {
	return fmt.Errorf("%w (at byte %d)", syntaxErr(s.buf, s.pos, context), s.offset())
}

// value returns the next JSON value, after optional whitespace. Its bytes
// are valid until the next call.
func (s *streamReader) value() ([]byte, error) {
	if _, ok, err := s.peek(); err != nil {
		return nil, err
	} else if !ok {
		return nil, errShort
	}
	for {
		end, err := skipValue(s.buf, s.pos, 0)
		if err == nil {
			v := s.buf[s.pos:end]
			s.pos = end
			return v, nil
		}
		if !errors.Is(err, errShort) {
			var se *scanError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("%w (at byte %d)", err, s.base+int64(se.off))
			}
			return nil, err
		}
		if !s.fill() {
			if s.err != nil {
				return nil, s.err
			}
			return nil, errShort
		}
	}
}

// key reads an object key and its colon.
func (s *streamReader) key() (string, error) {
	c, ok, err := s.peek()
	if err != nil {
		return "", err
	}
	if !ok {
		return "", errShort
	}
	if c != '"' {
		return "", s.syntaxErr("looking for beginning of object key string")
	}
	k, err := s.value()
	if err != nil {
		return "", err
	}
	key := unquoteKey(k)
	return key, s.expect(':', "after object key")
}

// more reports whether another element follows in the array or object
// being read, consuming the comma; closer is ']' or '}', consumed at the
// end. first is true before the first element.
func (s *streamReader) more(closer byte, first bool) (bool, error) {
	c, ok, err := s.peek()
	if err != nil {
		return false, err
	}
	if !ok {
		return false, errShort
	}
	if c == closer {
		s.pos++
		return false, nil
	}
	if first {
		return true, nil
	}
	if c != ',' {
		ctx := "after array element"
		if closer == '}' {
			ctx = "after object key:value pair"
		}
		return false, s.syntaxErr(ctx)
	}
	s.pos++
	return true, nil
}

// end fails unless only whitespace is left.
func (s *streamReader) end() error {
	_, ok, err := s.peek()
	if err != nil {
		return err
	}
	if ok {
		return s.syntaxErr("after top-level value")
	}
	return nil
}
