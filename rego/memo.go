package rego

import (
	"encoding/binary"
	"github.com/open-policy-agent/opa/v1/ast"
	"slices"
	"strings"
	"sync"
)

// A decision reads, of a request's context, only the condition keys its policies reference, and
// of the encryption context only what the grants' constraints compare; the rest is projected
// away before evaluation (see Engine.Decide). Decisions are remembered, and specialised, by
// keys that spell the facts they read in a canonical byte form: equal keys mean equal inputs,
// so a remembered decision is never a wrong one.

// keyBuf holds the byte keys of one decision.
type keyBuf struct{ b []byte }

var keyBufs = sync.Pool{New: func() any { return &keyBuf{b: make([]byte, 0, 1024)} }}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendKnown spells the facts of req that specialisation fixes: the caller, action, resource
// and grants (the policies are spelled as they are resolved).
func appendKnown(b []byte, req Request) []byte {
	c := req.Caller
	b = appendString(b, c.ARN)
	b = appendString(b, c.RoleARN)
	b = appendString(b, c.Account)
	b = appendString(b, c.Service)
	b = appendString(b, c.Federated)
	b = appendString(b, c.CanonicalUser)
	b = appendBool(b, c.Root)
	b = appendString(b, req.Action)
	b = appendString(b, req.Resource)
	b = appendString(b, req.ResourceAccount)
	b = binary.AppendUvarint(b, uint64(len(req.Grants)))
	for _, g := range req.Grants {
		b = appendString(b, g.ID)
		b = appendString(b, g.KeyARN)
		b = appendString(b, g.Grantee)
		b = binary.AppendUvarint(b, uint64(len(g.Operations)))
		for _, op := range g.Operations {
			b = appendString(b, op)
		}
		b = appendStringMap(b, g.EncryptionContextEquals)
		b = appendStringMap(b, g.EncryptionContextSubset)
	}
	return b
}

// appendStringMap spells a map, telling nil (no constraint) from empty.
func appendStringMap(b []byte, m map[string]string) []byte {
	b = appendBool(b, m != nil)
	b = binary.AppendUvarint(b, uint64(len(m)))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendString(appendString(b, k), m[k])
	}
	return b
}

// contextEntry is one condition key of a request, lower-cased, with its values.
type contextEntry struct {
	key    string
	values []string
}

// projectContext returns the entries of context whose lower-cased keys are in read (each key
// mapped to itself, as the entry's key), sorted by key, with defaults for the keys read (listed
// in readKeys) that context does not hold in any case; entries whose keys differ only in case
// are merged, and keys without values dropped.
func projectContext(context map[string][]string, defaults func(string) []string, read map[string]string, readKeys []string) []contextEntry {
	var out []contextEntry
	var presentBuf [16]string
	present := presentBuf[:0] // the keys read that context holds, values or not
	var lowerBuf [128]byte
	for k, vs := range context {
		lk, ok := read[k]
		if !ok {
			if lk, ok = read[string(appendLower(lowerBuf[:0], k))]; !ok {
				continue
			}
		}
		present = append(present, lk)
		if len(vs) > 0 {
			out = append(out, contextEntry{lk, vs})
		}
	}
	if defaults != nil {
		for _, k := range readKeys {
			if !slices.Contains(present, k) {
				if vs := defaults(k); len(vs) > 0 {
					out = append(out, contextEntry{k, vs})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b contextEntry) int { return strings.Compare(a.key, b.key) })
	for i := 1; i < len(out); i++ {
		if out[i].key == out[i-1].key {
			out[i-1].values = append(slices.Clip(out[i-1].values), out[i].values...)
			out = slices.Delete(out, i, i+1)
			i--
		}
	}
	return out
}

// appendLower appends s lower-cased as strings.ToLower does.
func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return append(b[:0], strings.ToLower(s)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func appendContext(b []byte, entries []contextEntry) []byte {
	b = binary.AppendUvarint(b, uint64(len(entries)))
	for _, e := range entries {
		b = appendString(b, e.key)
		b = binary.AppendUvarint(b, uint64(len(e.values)))
		for _, v := range e.values {
			b = appendString(b, v)
		}
	}
	return b
}

// projectEncryptionContext returns what the grants' constraints can read of the request's
// encryption context: all of it when a grant requires an exact match, else the pairs whose keys
// some grant requires (nil without grants).
func projectEncryptionContext(req Request) map[string]string {
	if len(req.Grants) == 0 {
		return nil
	}
	for _, g := range req.Grants {
		if g.EncryptionContextEquals != nil {
			if req.EncryptionContext == nil {
				return map[string]string{}
			}
			return req.EncryptionContext
		}
	}
	out := map[string]string{}
	for _, g := range req.Grants {
		for k := range g.EncryptionContextSubset {
			if v, ok := req.EncryptionContext[k]; ok {
				out[k] = v
			}
		}
	}
	return out
}

// hasKey reports whether context holds the lower-case key k, in any case.
func hasKey(context map[string][]string, k string) bool {
	if _, ok := context[k]; ok {
		return true
	}
	for ck := range context {
		if len(ck) == len(k) && strings.EqualFold(ck, k) {
			return true
		}
	}
	return false
}

// unknownPart is the part of a decision's input that specialisation leaves unknown: the
// projected context and encryption context (nil without grants).
type unknownPart struct {
	entries []contextEntry
	ec      map[string]string
}

// value renders the unknown part as input.context and input.encryption_context.
func (u unknownPart) value() ast.Object {
	in := ast.NewObject(ast.Item(termContext, entriesTerm(u.entries)))
	if u.ec != nil {
		in.Insert(termEncryptionCtx, stringMapTerm(u.ec))
	}
	return in
}
