// Copyright 2025 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package mldsa

// Portable replacements for crypto/internal/constanttime, which relies on
// compiler intrinsics that are not available outside the standard library.
var constanttime ctHelpers

type ctHelpers struct{}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Select returns x if v != 0 and y if v == 0.
func (ctHelpers) Select(v, x, y int) int {
	m := -b2i(v != 0) // all ones when v != 0
	return m&x | ^m&y
}

func (ctHelpers) ByteEq(x, y uint8) int { return b2i(x == y) }

func (ctHelpers) Eq(x, y int32) int { return b2i(x == y) }

func (ctHelpers) LessOrEq(x, y int) int { return b2i(x <= y) }
