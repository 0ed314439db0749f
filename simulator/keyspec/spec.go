package keyspec

import "slices"

// Spec is an AWS KMS key spec (the KeySpec field of CreateKey).
type Spec string

// Key specs.
const (
	SymmetricDefault    Spec = "SYMMETRIC_DEFAULT"
	RSA2048             Spec = "RSA_2048"
	RSA3072             Spec = "RSA_3072"
	RSA4096             Spec = "RSA_4096"
	ECCNISTP256         Spec = "ECC_NIST_P256"
	ECCNISTP384         Spec = "ECC_NIST_P384"
	ECCNISTP521         Spec = "ECC_NIST_P521"
	ECCSECGP256K1       Spec = "ECC_SECG_P256K1"
	ECCNISTEdwards25519 Spec = "ECC_NIST_EDWARDS25519"
	HMAC224             Spec = "HMAC_224"
	HMAC256             Spec = "HMAC_256"
	HMAC384             Spec = "HMAC_384"
	HMAC512             Spec = "HMAC_512"
	SM2                 Spec = "SM2"
	MLDSA44             Spec = "ML_DSA_44"
	MLDSA65             Spec = "ML_DSA_65"
	MLDSA87             Spec = "ML_DSA_87"
	MLKEM512            Spec = "ML_KEM_512"
	MLKEM768            Spec = "ML_KEM_768"
	MLKEM1024           Spec = "ML_KEM_1024"
)

// Key usages.
const (
	UsageEncryptDecrypt         = "ENCRYPT_DECRYPT"
	UsageSignVerify             = "SIGN_VERIFY"
	UsageGenerateVerifyMAC      = "GENERATE_VERIFY_MAC"
	UsageKeyAgreement           = "KEY_AGREEMENT"
	UsageEncapsulateDecapsulate = "ENCAPSULATE_DECAPSULATE"
)

// Encryption algorithms.
const (
	AlgSymmetricDefault = "SYMMETRIC_DEFAULT"
	AlgRSAOAEPSHA1      = "RSAES_OAEP_SHA_1"
	AlgRSAOAEPSHA256    = "RSAES_OAEP_SHA_256"
	AlgSM2PKE           = "SM2PKE"
)

// Signing algorithms.
const (
	AlgRSAPSSSHA256    = "RSASSA_PSS_SHA_256"
	AlgRSAPSSSHA384    = "RSASSA_PSS_SHA_384"
	AlgRSAPSSSHA512    = "RSASSA_PSS_SHA_512"
	AlgRSAPKCS1SHA256  = "RSASSA_PKCS1_V1_5_SHA_256"
	AlgRSAPKCS1SHA384  = "RSASSA_PKCS1_V1_5_SHA_384"
	AlgRSAPKCS1SHA512  = "RSASSA_PKCS1_V1_5_SHA_512"
	AlgECDSASHA256     = "ECDSA_SHA_256"
	AlgECDSASHA384     = "ECDSA_SHA_384"
	AlgECDSASHA512     = "ECDSA_SHA_512"
	AlgEd25519SHA512   = "ED25519_SHA_512"
	AlgEd25519PHSHA512 = "ED25519_PH_SHA_512"
	AlgSM2DSA          = "SM2DSA"
	AlgMLDSASHAKE256   = "ML_DSA_SHAKE_256"
)

// MAC algorithms.
const (
	AlgHMACSHA224 = "HMAC_SHA_224"
	AlgHMACSHA256 = "HMAC_SHA_256"
	AlgHMACSHA384 = "HMAC_SHA_384"
	AlgHMACSHA512 = "HMAC_SHA_512"
)

// Key agreement and key encapsulation algorithms.
const (
	AlgECDH  = "ECDH"
	AlgMLKEM = "ML_KEM"
)

// Sign/Verify message types.
const (
	MessageRaw        = "RAW"
	MessageDigest     = "DIGEST"
	MessageExternalMu = "EXTERNAL_MU"
)

// DataKeyPairSpecs lists the KeyPairSpec values GenerateDataKeyPair accepts.
var DataKeyPairSpecs = []string{
	"RSA_2048", "RSA_3072", "RSA_4096",
	"ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
	"ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519",
	"ML_KEM_512", "ML_KEM_768", "ML_KEM_1024",
}

// Enum value sets used in request-validation messages. The HMAC order is the
// one AWS prints (recorded); the others follow the AWS API reference order.
var (
	allSpecs = []Spec{
		RSA2048, ECCNISTP384, ECCNISTP256, ECCNISTP521, HMAC384, RSA3072,
		ECCSECGP256K1, RSA4096, SymmetricDefault, HMAC256, HMAC224, HMAC512,
		ECCNISTEdwards25519, SM2, MLDSA44, MLDSA65, MLDSA87, MLKEM512, MLKEM768, MLKEM1024,
	}
	allEncryptionAlgorithms = []string{AlgSymmetricDefault, AlgRSAOAEPSHA1, AlgRSAOAEPSHA256, AlgSM2PKE}
	allSigningAlgorithms    = []string{
		AlgRSAPSSSHA256, AlgRSAPSSSHA384, AlgRSAPSSSHA512,
		AlgRSAPKCS1SHA256, AlgRSAPKCS1SHA384, AlgRSAPKCS1SHA512,
		AlgECDSASHA256, AlgECDSASHA384, AlgECDSASHA512,
		AlgEd25519SHA512, AlgEd25519PHSHA512, AlgSM2DSA, AlgMLDSASHAKE256,
	}
	allMacAlgorithms          = []string{AlgHMACSHA384, AlgHMACSHA256, AlgHMACSHA224, AlgHMACSHA512}
	allKeyAgreementAlgorithms = []string{AlgECDH}
	allMessageTypes           = []string{MessageRaw, MessageDigest, MessageExternalMu}
)

// Specs returns every key spec this package implements.
func Specs() []Spec { return slices.Clone(allSpecs) }

// Valid reports whether spec is a known key spec.
func (s Spec) Valid() bool { return slices.Contains(allSpecs, s) }

// Family predicates.
func (s Spec) isRSA() bool   { return s == RSA2048 || s == RSA3072 || s == RSA4096 }
func (s Spec) isNIST() bool  { return s == ECCNISTP256 || s == ECCNISTP384 || s == ECCNISTP521 }
func (s Spec) isHMAC() bool  { return s == HMAC224 || s == HMAC256 || s == HMAC384 || s == HMAC512 }
func (s Spec) isMLDSA() bool { return s == MLDSA44 || s == MLDSA65 || s == MLDSA87 }
func (s Spec) isMLKEM() bool { return s == MLKEM512 || s == MLKEM768 || s == MLKEM1024 }

// ValidateSpec returns nil for a known spec and AWS's enum ValidationException
// (field "keySpec") otherwise.
func ValidateSpec(spec Spec) error {
	if spec.Valid() {
		return nil
	}
	names := make([]string, len(allSpecs))
	for i, s := range allSpecs {
		names[i] = string(s)
	}
	return errEnum(string(spec), "keySpec", names)
}

// Usages returns the KeyUsage values AWS allows for spec (nil if unknown).
func Usages(spec Spec) []string {
	switch {
	case spec == SymmetricDefault:
		return []string{UsageEncryptDecrypt}
	case spec.isRSA():
		return []string{UsageEncryptDecrypt, UsageSignVerify}
	case spec.isNIST():
		return []string{UsageSignVerify, UsageKeyAgreement}
	case spec == ECCSECGP256K1, spec == ECCNISTEdwards25519, spec.isMLDSA():
		return []string{UsageSignVerify}
	case spec.isHMAC():
		return []string{UsageGenerateVerifyMAC}
	case spec == SM2:
		return []string{UsageEncryptDecrypt, UsageSignVerify, UsageKeyAgreement}
	case spec.isMLKEM():
		return []string{UsageEncapsulateDecapsulate}
	}
	return nil
}

// EncryptionAlgorithms returns the encryption algorithms of spec (nil if it
// cannot encrypt).
func EncryptionAlgorithms(spec Spec) []string {
	switch {
	case spec == SymmetricDefault:
		return []string{AlgSymmetricDefault}
	case spec.isRSA():
		return []string{AlgRSAOAEPSHA1, AlgRSAOAEPSHA256}
	case spec == SM2:
		return []string{AlgSM2PKE}
	}
	return nil
}

// SigningAlgorithms returns the signing algorithms of spec (nil if it cannot
// sign).
func SigningAlgorithms(spec Spec) []string {
	switch {
	case spec.isRSA():
		return []string{AlgRSAPSSSHA256, AlgRSAPSSSHA384, AlgRSAPSSSHA512,
			AlgRSAPKCS1SHA256, AlgRSAPKCS1SHA384, AlgRSAPKCS1SHA512}
	case spec == ECCNISTP256, spec == ECCSECGP256K1:
		return []string{AlgECDSASHA256}
	case spec == ECCNISTP384:
		return []string{AlgECDSASHA384}
	case spec == ECCNISTP521:
		return []string{AlgECDSASHA512}
	case spec == ECCNISTEdwards25519:
		return []string{AlgEd25519SHA512, AlgEd25519PHSHA512}
	case spec == SM2:
		return []string{AlgSM2DSA}
	case spec.isMLDSA():
		return []string{AlgMLDSASHAKE256}
	}
	return nil
}

// MacAlgorithms returns the MAC algorithm of an HMAC spec (nil otherwise).
func MacAlgorithms(spec Spec) []string {
	switch spec {
	case HMAC224:
		return []string{AlgHMACSHA224}
	case HMAC256:
		return []string{AlgHMACSHA256}
	case HMAC384:
		return []string{AlgHMACSHA384}
	case HMAC512:
		return []string{AlgHMACSHA512}
	}
	return nil
}

// KeyAgreementAlgorithms returns ECDH for the NIST curves and SM2 (nil
// otherwise).
func KeyAgreementAlgorithms(spec Spec) []string {
	if spec.isNIST() || spec == SM2 {
		return []string{AlgECDH}
	}
	return nil
}

// EncapsulationAlgorithms returns ML_KEM for the ML-KEM specs (nil otherwise).
func EncapsulationAlgorithms(spec Spec) []string {
	if spec.isMLKEM() {
		return []string{AlgMLKEM}
	}
	return nil
}

// MaxPlaintext returns the largest plaintext Encrypt accepts for spec and
// algorithm: k - 2·hLen - 2 for RSA OAEP, 1024 for SM2PKE, 4096 for
// SYMMETRIC_DEFAULT; 0 for an unsupported combination.
func MaxPlaintext(spec Spec, algorithm string) int {
	switch {
	case spec.isRSA():
		k := rsaBits(spec) / 8
		switch algorithm {
		case AlgRSAOAEPSHA1:
			return k - 2*20 - 2
		case AlgRSAOAEPSHA256:
			return k - 2*32 - 2
		}
	case spec == SM2 && algorithm == AlgSM2PKE:
		return 1024
	case spec == SymmetricDefault && algorithm == AlgSymmetricDefault:
		return 4096
	}
	return 0
}

// DigestLength returns the message length the DIGEST message type requires
// for a signing algorithm (for ML_DSA_SHAKE_256, the EXTERNAL_MU length, 64).
// ED25519_PH_SHA_512 takes a 64-byte SHA-512 digest. It returns 0 for
// ED25519_SHA_512, which accepts only RAW, and for unknown algorithms.
func DigestLength(algorithm string) int {
	switch algorithm {
	case AlgRSAPSSSHA256, AlgRSAPKCS1SHA256, AlgECDSASHA256, AlgSM2DSA:
		return 32
	case AlgRSAPSSSHA384, AlgRSAPKCS1SHA384, AlgECDSASHA384:
		return 48
	case AlgRSAPSSSHA512, AlgRSAPKCS1SHA512, AlgECDSASHA512, AlgEd25519PHSHA512, AlgMLDSASHAKE256:
		return 64
	}
	return 0
}

func rsaBits(spec Spec) int {
	switch spec {
	case RSA2048:
		return 2048
	case RSA3072:
		return 3072
	case RSA4096:
		return 4096
	}
	return 0
}

func hmacKeySize(spec Spec) int {
	switch spec {
	case HMAC224:
		return 28
	case HMAC256:
		return 32
	case HMAC384:
		return 48
	case HMAC512:
		return 64
	}
	return 0
}
