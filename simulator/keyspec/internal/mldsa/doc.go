// Copyright 2025 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package mldsa implements ML-DSA (FIPS 204) including signing and
// verification with an externally computed message representative μ.
//
// It is a copy of the Go 1.26 standard library's
// crypto/internal/fips140/mldsa (mldsa.go and field.go), adapted to build
// against public packages only (crypto/sha3, crypto/rand, crypto/subtle):
// the FIPS self-test and service-indicator hooks were removed and the
// constant-time intrinsics replaced by portable helpers. The public Go API
// has no ML-DSA package yet and cloudflare/circl does not expose μ-based
// signing, which AWS KMS needs for the EXTERNAL_MU message type.
package mldsa
