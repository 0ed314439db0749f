// Package keyspec implements the cryptography of every AWS KMS key spec: key
// generation, encryption, signing, MACs, key agreement and key encapsulation.
//
// The package is a pure library: it holds no state and performs no I/O. The
// simulator stores the private material returned by [Generate] (sealed) and
// passes it back on every operation.
//
// # Material formats
//
// Generate returns, per key spec:
//
//   - SYMMETRIC_DEFAULT: 32 raw bytes (an AES-256 key).
//   - HMAC_224/256/384/512: 28/32/48/64 raw bytes (key length equals the
//     bit size in the spec name, as in AWS KMS).
//   - RSA_2048/3072/4096: PKCS#8 DER (RFC 5208) of an RSA private key, e=65537.
//   - ECC_NIST_P256/P384/P521: PKCS#8 DER of an EC private key
//     (id-ecPublicKey, named curve), as produced by x509.MarshalPKCS8PrivateKey.
//   - ECC_SECG_P256K1: PKCS#8 DER; AlgorithmIdentifier id-ecPublicKey with
//     named curve secp256k1 (1.3.132.0.10), privateKey holding an RFC 5915
//     ECPrivateKey (version 1, 32-byte scalar, [1] uncompressed public key).
//   - ECC_NIST_EDWARDS25519: PKCS#8 DER (RFC 8410, id-Ed25519).
//   - SM2: PKCS#8 DER with id-ecPublicKey and named curve SM2
//     (1.2.156.10197.1.301), as produced by gmsm's smx509.MarshalPKCS8PrivateKey.
//   - ML_DSA_44/65/87: PKCS#8 DER, algorithm id-ml-dsa-44/65/87 (no
//     parameters), privateKey = ML-DSA-PrivateKey "seed" choice, i.e.
//     [0] IMPLICIT OCTET STRING of the 32-byte FIPS 204 seed ξ (RFC 9881).
//   - ML_KEM_512/768/1024: PKCS#8 DER, algorithm id-alg-ml-kem-512/768/1024
//     (no parameters), privateKey = ML-KEM-PrivateKey "seed" choice, i.e.
//     [0] IMPLICIT OCTET STRING of the 64-byte FIPS 203 seed d‖z.
//
// [PublicKey] returns a DER SubjectPublicKeyInfo as AWS GetPublicKey does.
//
// # Errors
//
// Every error returned for a caller mistake is an [*Error] whose Code names
// the AWS exception the simulator should raise. Other errors (corrupt
// material, entropy failure) are plain errors and map to an internal error.
package keyspec
