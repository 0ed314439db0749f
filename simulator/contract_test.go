package simulator

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// The contract suite: for every KMS operation kmsim serves, its success path and every modeled
// exception kmsim can produce, each checked as SDK users check it (errors.As into the SDK's typed
// exception) and, where AWS's wording is known, by its message. TestContractCoverage holds the
// table to kmsOperations and to the errors lists of the service model.

// contractModel is the service model whose per-operation errors lists the table must cover.
const contractModel = "../../shared/reference/api-model/kms-2014-11-01.json"

// contractWant is the exception a row expects: its name and the check that asserts it.
type contractWant struct {
	code  string
	check func(t *testing.T, err error) string
}

// expect is the modeled exception T, matched with errors.As.
func expect[T smithy.APIError]() *contractWant {
	return &contractWant{code: reflect.TypeFor[T]().Elem().Name(), check: func(t *testing.T, err error) string {
		t.Helper()
		return wantAPIError[T](t, err)
	}}
}

// expectCode is an exception the SDK does not model (ValidationException, AccessDeniedException, …).
func expectCode(code string) *contractWant {
	return &contractWant{code: code, check: func(t *testing.T, err error) string {
		t.Helper()
		return wantErrorCode(t, err, code)
	}}
}

var (
	wAlreadyExists   = expect[*types.AlreadyExistsException]()
	wCiphertext      = expect[*types.InvalidCiphertextException]()
	wCKSHasCMKs      = expect[*types.CustomKeyStoreHasCMKsException]()
	wCKSInvalidState = expect[*types.CustomKeyStoreInvalidStateException]()
	wCKSNameInUse    = expect[*types.CustomKeyStoreNameInUseException]()
	wCKSNotFound     = expect[*types.CustomKeyStoreNotFoundException]()
	wClusterInUse    = expect[*types.CloudHsmClusterInUseException]()
	wDisabled        = expect[*types.DisabledException]()
	wDryRun          = expect[*types.DryRunOperationException]()
	wExpiredToken    = expect[*types.ExpiredImportTokenException]()
	wGrantToken      = expect[*types.InvalidGrantTokenException]()
	wImportToken     = expect[*types.InvalidImportTokenException]()
	wIncorrectKey    = expect[*types.IncorrectKeyException]()
	wIncorrectMat    = expect[*types.IncorrectKeyMaterialException]()
	wInvalidArn      = expect[*types.InvalidArnException]()
	wInvalidMac      = expect[*types.KMSInvalidMacException]()
	wInvalidSig      = expect[*types.KMSInvalidSignatureException]()
	wInvalidState    = expect[*types.KMSInvalidStateException]()
	wKeyUsage        = expect[*types.InvalidKeyUsageException]()
	wLimit           = expect[*types.LimitExceededException]()
	wMalformed       = expect[*types.MalformedPolicyDocumentException]()
	wMarker          = expect[*types.InvalidMarkerException]()
	wNotFound        = expect[*types.NotFoundException]()
	wTag             = expect[*types.TagException]()
	wUnsupported     = expect[*types.UnsupportedOperationException]()
	wXksURIInUse     = expect[*types.XksProxyUriInUseException]()
	wValidation      = expectCode("ValidationException")
	wAccessDenied    = expectCode("AccessDeniedException")
	wNotAuthorized   = expectCode("NotAuthorizedException")
)

// contractCase is one row: call runs against the operation's shared harness; want nil means success.
type contractCase struct {
	op, name string
	call     func(t *testing.T, h *harness) error
	want     *contractWant
	msg      string // regular expression the whole message must match; "" leaves it unchecked
}

func row(op, name string, call func(*testing.T, *harness) error, want *contractWant, msg string) contractCase {
	return contractCase{op: op, name: name, call: call, want: want, msg: msg}
}

// Messages, as regular expressions.
const (
	reKeyARN       = `arn:aws:kms:us-east-1:111122223333:key/[-0-9a-z]+`
	mNotFound      = `Key '` + reKeyARN + `' does not exist`
	mDisabled      = reKeyARN + ` is disabled\.`
	mPendingDel    = reKeyARN + ` is pending deletion\.`
	mNotPendingDel = reKeyARN + ` is not pending deletion\.`
	mPendingImport = reKeyARN + ` is pending import\.`
	mUnavailable   = reKeyARN + ` is unavailable\. You cannot perform this operation on an unavailable KMS key\.`
	mDryRun        = `The request would have succeeded, but the DryRun option is set\.`
	mGrantToken    = `Invalid grant token\.`
	mMarker        = `Invalid marker\.`
	mQuota         = `The request was rejected because a quota was exceeded\. For more information, see Quotas in the Key Management Service Developer Guide\.`
	mIncorrectKey  = `The key ID in the request does not identify a CMK that can perform this operation\.`
	mStoreNotFound = `Custom key store \S+ does not exist\.`
	mKeyIDLength   = `1 validation error detected: Value '.*' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048`
	mLimitRange    = `1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`
	mNotMultiRgn   = reKeyARN + ` is not a multi-region primary key\.`
	mAliasNotFound = `Alias arn:aws:kms:us-east-1:111122223333:alias/\S+ is not found\.`
	mAliasRefused  = `Key Aliases are not supported for this operation\.`
	mAliasPrefix   = `Alias must start with the prefix "alias/"\. Please see https://docs\.aws\.amazon\.com/kms/latest/developerguide/kms-alias\.html`
)

func mUsage(usage, op string) string {
	return reKeyARN + ` key usage is ` + usage + ` which is not valid for ` + op + `\.`
}

func mOrigin(origin string) string {
	return reKeyARN + ` origin is ` + origin + ` which is not valid for this operation\.`
}

func mAlgorithm(alg, spec string) string {
	return `Algorithm ` + alg + ` is incompatible with key spec ` + spec + `\.`
}

// ---- fixtures -------------------------------------------------------------------------------

// keySetup makes a key for a row and returns its id.
type keySetup func(t *testing.T, h *harness) string

// opts are the members rows vary on operations that take them.
type opts struct {
	tokens []string
	dryRun *bool
	marker string
}

var (
	badToken = opts{tokens: []string{"not-a-grant-token"}}
	dryRun   = opts{dryRun: aws.Bool(true)}
)

// keyFunc calls an operation on a key.
type keyFunc func(c *kms.Client, id string, o opts) error

func on(s keySetup, f keyFunc, o opts) func(*testing.T, *harness) error {
	return func(t *testing.T, h *harness) error { return f(h.kms(adminCreds), s(t, h), o) }
}

var ctSeq atomic.Int64

func ctName(prefix string) string {
	return fmt.Sprintf("%s-%d-%s", prefix, ctSeq.Add(1), hex.EncodeToString(randomBytes(3)))
}

func ctCreate(t *testing.T, h *harness, in *kms.CreateKeyInput) string {
	t.Helper()
	out, err := h.kms(adminCreds).CreateKey(ctx, in)
	must(t, err)
	return *out.KeyMetadata.KeyId
}

func ctSpec(spec types.KeySpec, usage types.KeyUsageType) keySetup {
	return func(t *testing.T, h *harness) string {
		return ctCreate(t, h, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: usage})
	}
}

var (
	ctSym       keySetup = func(t *testing.T, h *harness) string { return ctCreate(t, h, &kms.CreateKeyInput{}) }
	ctHMAC               = ctSpec("HMAC_256", "GENERATE_VERIFY_MAC")
	ctSigner             = ctSpec("ECC_NIST_P256", "SIGN_VERIFY")
	ctAgreement          = ctSpec("ECC_NIST_P256", "KEY_AGREEMENT")
	ctKEM                = ctSpec("ML_KEM_768", "ENCAPSULATE_DECAPSULATE")
	ctExternal  keySetup = func(t *testing.T, h *harness) string {
		return ctCreate(t, h, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
	}
	ctMRK keySetup = func(t *testing.T, h *harness) string {
		return ctCreate(t, h, &kms.CreateKeyInput{MultiRegion: aws.Bool(true)})
	}
	ctMissing keySetup = func(*testing.T, *harness) string {
		return "00000000-0000-4000-8000-" + hex.EncodeToString(randomBytes(6))
	}
	ctLong keySetup = func(*testing.T, *harness) string { return strings.Repeat("a", 2049) }
)

func disabled(s keySetup) keySetup {
	return func(t *testing.T, h *harness) string {
		id := s(t, h)
		_, err := h.kms(adminCreds).DisableKey(ctx, &kms.DisableKeyInput{KeyId: &id})
		must(t, err)
		return id
	}
}

func pendingDeletion(s keySetup) keySetup {
	return func(t *testing.T, h *harness) string {
		id := s(t, h)
		_, err := h.kms(adminCreds).ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)})
		must(t, err)
		return id
	}
}

// withReplica replicates a multi-Region primary key to us-west-2.
func withReplica(s keySetup) keySetup {
	return func(t *testing.T, h *harness) string {
		id := s(t, h)
		_, err := h.kms(adminCreds).ReplicateKey(ctx, &kms.ReplicateKeyInput{KeyId: &id, ReplicaRegion: aws.String("us-west-2")})
		must(t, err)
		return id
	}
}

func ctCluster() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := randomBytes(14)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "cluster-" + string(b)
}

// ctStore creates an AWS_CLOUDHSM custom key store, connected or not.
func ctStore(t *testing.T, h *harness, connected bool) string {
	t.Helper()
	id := createCloudHSMStore(t, h.kms(adminCreds), ctName("store"), ctCluster())
	if connected {
		_, err := h.kms(adminCreds).ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: &id})
		must(t, err)
	}
	return id
}

func ctDisconnect(t *testing.T, h *harness, store string) {
	t.Helper()
	_, err := h.kms(adminCreds).DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: &store})
	must(t, err)
}

// ctStoreKey creates a key in a new connected CloudHSM key store; it returns the key and the store.
func ctStoreKey(t *testing.T, h *harness) (string, string) {
	t.Helper()
	store := ctStore(t, h, true)
	return ctCreate(t, h, &kms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm, CustomKeyStoreId: &store}), store
}

// ctUnavailable is a key in a custom key store that has been disconnected.
var ctUnavailable keySetup = func(t *testing.T, h *harness) string {
	id, store := ctStoreKey(t, h)
	ctDisconnect(t, h, store)
	return id
}

func ctXKSCred() *types.XksProxyAuthenticationCredentialType {
	return &types.XksProxyAuthenticationCredentialType{AccessKeyId: aws.String("ABCDE12345670EXAMPLE"), RawSecretAccessKey: aws.String("DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo=")}
}

func ctXKSInput(endpoint string) *kms.CreateCustomKeyStoreInput {
	return &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String(ctName("xks")), CustomKeyStoreType: types.CustomKeyStoreTypeExternalKeyStore,
		XksProxyConnectivity: types.XksProxyConnectivityTypePublicEndpoint, XksProxyUriEndpoint: aws.String(endpoint),
		XksProxyUriPath: aws.String("/kms/xks/v1"), XksProxyAuthenticationCredential: ctXKSCred()}
}

func ctImportParams(t *testing.T, h *harness, id string) *kms.GetParametersForImportOutput {
	t.Helper()
	out, err := h.kms(adminCreds).GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: &id,
		WrappingAlgorithm: types.AlgorithmSpecRsaesOaepSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
	must(t, err)
	return out
}

func ctImportWith(t *testing.T, h *harness, id string, p *kms.GetParametersForImportOutput, wrapped []byte) error {
	t.Helper()
	_, err := h.kms(adminCreds).ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken,
		EncryptedKeyMaterial: wrapped, ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire})
	return err
}

func ctImport(t *testing.T, h *harness, id string, material []byte) error {
	t.Helper()
	p := ctImportParams(t, h, id)
	return ctImportWith(t, h, id, p, wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, material))
}

var ctImported keySetup = func(t *testing.T, h *harness) string {
	id := ctExternal(t, h)
	must(t, ctImport(t, h, id, randomBytes(32)))
	return id
}

func ctEncrypt(t *testing.T, h *harness, id string) []byte {
	t.Helper()
	out, err := h.kms(adminCreds).Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("contract")})
	must(t, err)
	return out.CiphertextBlob
}

func ctCallerARN(t *testing.T, h *harness, creds aws.Credentials) string {
	t.Helper()
	out, err := h.sts(creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, err)
	return *out.Arn
}

const ctGrantee = "arn:aws:iam::111122223333:role/ContractGrantee"

func ctGrant(t *testing.T, h *harness, id, retiring string) *kms.CreateGrantOutput {
	t.Helper()
	in := &kms.CreateGrantInput{KeyId: &id, GranteePrincipal: aws.String(ctGrantee), Operations: []types.GrantOperation{"Decrypt"}}
	if retiring != "" {
		in.RetiringPrincipal = &retiring
	}
	out, err := h.kms(adminCreds).CreateGrant(ctx, in)
	must(t, err)
	return out
}

func ctPeerPublicKey(t *testing.T) []byte {
	t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	must(t, err)
	der, err := x509.MarshalPKIXPublicKey(priv.PublicKey())
	must(t, err)
	return der
}

// fillKeyQuota fills an account's Region up to the "AWS KMS keys" quota, as TestKeyQuota does.
func fillKeyQuota(h *harness, region string) {
	h.sim.state.mu.Lock()
	defer h.sim.state.mu.Unlock()
	for i := h.sim.state.countKeys(prodAccount, region); i < maxKeysPerRegion; i++ {
		k := &keyRecord{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Account: prodAccount, Region: region, State: stateEnabled}
		h.sim.state.keys[k.index()] = k
	}
}

// ---- row sets shared by many operations ------------------------------------------------------

// keyRows: success on the key good makes, an unknown key, an over-long key id.
func keyRows(op string, good keySetup, f keyFunc) []contractCase {
	rows := []contractCase{
		row(op, "success", on(good, f, opts{}), nil, ""),
		row(op, "NotFoundException/unknown-key", on(ctMissing, f, opts{}), wNotFound, mNotFound),
		row(op, "ValidationException/keyId-too-long", on(ctLong, f, opts{}), wValidation, mKeyIDLength),
	}
	if aliasesRefused[op] {
		rows = append(rows, row(op, "InvalidArnException/alias-name", on(aliasOf(ctSym), f, opts{}), wInvalidArn, mAliasRefused)) // refused before the key is looked at
	}
	return rows
}

// aliasOf names the key s makes by a new alias of it.
func aliasOf(s keySetup) keySetup {
	return func(t *testing.T, h *harness) string {
		id, alias := s(t, h), "alias/"+ctName("contract")
		_, err := h.kms(adminCreds).CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &alias, TargetKeyId: &id})
		must(t, err)
		return alias
	}
}

// cryptoRows: the rows of a cryptographic operation whose key is the only input that matters:
// disabled and pending-deletion keys, a key of the wrong usage, a bad grant token, DryRun.
func cryptoRows(op string, good keySetup, f keyFunc, wrong keySetup, wrongUsage string) []contractCase {
	return append(keyRows(op, good, f),
		row(op, "DisabledException", on(disabled(good), f, opts{}), wDisabled, mDisabled),
		row(op, "KMSInvalidStateException/pending-deletion", on(pendingDeletion(good), f, opts{}), wInvalidState, mPendingDel),
		row(op, "InvalidKeyUsageException/wrong-key-usage", on(wrong, f, opts{}), wKeyUsage, mUsage(wrongUsage, op)),
		row(op, "InvalidGrantTokenException", on(good, f, badToken), wGrantToken, mGrantToken),
		row(op, "DryRunOperationException", on(good, f, dryRun), wDryRun, mDryRun),
	)
}

// markerRows: a marker kmsim never issued, and a limit below the minimum.
func markerRows(op string, f keyFunc, limit func(c *kms.Client, id string) error, good keySetup) []contractCase {
	return []contractCase{
		row(op, "InvalidMarkerException", func(t *testing.T, h *harness) error {
			return f(h.kms(adminCreds), good(t, h), opts{marker: "!!not-a-marker!!"})
		}, wMarker, mMarker),
		row(op, "ValidationException/limit-zero", func(t *testing.T, h *harness) error {
			return limit(h.kms(adminCreds), good(t, h))
		}, wValidation, mLimitRange),
	}
}

// marker is the Marker member of a row's call: nil unless the row sets one.
func marker(o opts) *string {
	if o.marker == "" {
		return nil
	}
	return &o.marker
}

// ---- the table ---------------------------------------------------------------------------------

func contractCases() []contractCase {
	var rows []contractCase
	add := func(rs ...contractCase) { rows = append(rows, rs...) }

	// CancelKeyDeletion
	cancel := func(c *kms.Client, id string, _ opts) error {
		_, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: &id})
		return err
	}
	add(keyRows("CancelKeyDeletion", pendingDeletion(ctSym), cancel)...)
	add(row("CancelKeyDeletion", "KMSInvalidStateException/not-pending-deletion", on(ctSym, cancel, opts{}), wInvalidState, mNotPendingDel))

	// ConnectCustomKeyStore / DisconnectCustomKeyStore
	connect := func(t *testing.T, h *harness, id string) error {
		_, err := h.kms(adminCreds).ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: &id})
		return err
	}
	disconnect := func(t *testing.T, h *harness, id string) error {
		_, err := h.kms(adminCreds).DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: &id})
		return err
	}
	for op, f := range map[string]func(*testing.T, *harness, string) error{"ConnectCustomKeyStore": connect, "DisconnectCustomKeyStore": disconnect} {
		add(
			row(op, "success", func(t *testing.T, h *harness) error { return f(t, h, ctStore(t, h, op == "DisconnectCustomKeyStore")) }, nil, ""),
			row(op, "CustomKeyStoreNotFoundException", func(t *testing.T, h *harness) error { return f(t, h, "cks-1234567890abcdef0") }, wCKSNotFound, mStoreNotFound),
			row(op, "ValidationException/id-too-long", func(t *testing.T, h *harness) error { return f(t, h, strings.Repeat("c", 65)) }, wValidation,
				`1 validation error detected: Value 'c+' at 'customKeyStoreId' failed to satisfy constraint: Member must have length less than or equal to 64`),
		)
	}

	// CreateAlias
	createAlias := func(s keySetup, name string) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			if name == "" {
				name = "alias/" + ctName("contract")
			}
			_, err := h.kms(adminCreds).CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: aws.String(s(t, h))})
			return err
		}
	}
	add(
		row("CreateAlias", "success", createAlias(ctSym, ""), nil, ""),
		row("CreateAlias", "AlreadyExistsException", func(t *testing.T, h *harness) error {
			name := "alias/" + ctName("taken")
			must(t, createAlias(ctSym, name)(t, h))
			return createAlias(ctSym, name)(t, h)
		}, wAlreadyExists, `An alias with the name arn:aws:kms:us-east-1:111122223333:alias/taken-\S+ already exists`),
		row("CreateAlias", "NotFoundException/unknown-target", createAlias(ctMissing, ""), wNotFound, mNotFound),
		row("CreateAlias", "KMSInvalidStateException/pending-deletion", createAlias(pendingDeletion(ctSym), ""), wInvalidState, mPendingDel),
		row("CreateAlias", "LimitExceededException/aliases-per-key", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			for range maxAliasesPerKey {
				must(t, createAlias(func(*testing.T, *harness) string { return id }, "")(t, h))
			}
			return createAlias(func(*testing.T, *harness) string { return id }, "")(t, h)
		}, wLimit, `The number of aliases for key `+reKeyARN+` exceeds the limit of 50\.`),
		row("CreateAlias", "ValidationException/no-alias-prefix", createAlias(ctSym, "contract-no-prefix"), wValidation, mAliasPrefix),
		row("CreateAlias", "ValidationException/target-is-alias", createAlias(func(*testing.T, *harness) string { return "alias/other" }, ""), wValidation, `Aliases must refer to keys\. Not aliases`),
		row("CreateAlias", "NotAuthorizedException/aws-prefix", createAlias(ctSym, "alias/aws/contract"), wNotAuthorized, `Cannot create alias with prefix 'alias/aws/'`),
	)

	// CreateCustomKeyStore
	createStore := func(in func() *kms.CreateCustomKeyStoreInput) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).CreateCustomKeyStore(ctx, in())
			return err
		}
	}
	cloudHSM := func(name, cluster string) *kms.CreateCustomKeyStoreInput {
		return &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String(name), CloudHsmClusterId: aws.String(cluster),
			TrustAnchorCertificate: aws.String("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"), KeyStorePassword: aws.String("kmsuser-password")}
	}
	add(
		row("CreateCustomKeyStore", "success/cloudhsm", createStore(func() *kms.CreateCustomKeyStoreInput { return cloudHSM(ctName("store"), ctCluster()) }), nil, ""),
		row("CreateCustomKeyStore", "success/external", createStore(func() *kms.CreateCustomKeyStoreInput {
			return ctXKSInput("https://" + ctName("proxy") + ".example.com")
		}), nil, ""),
		row("CreateCustomKeyStore", "CustomKeyStoreNameInUseException", func(t *testing.T, h *harness) error {
			name := ctName("store")
			_, err := h.kms(adminCreds).CreateCustomKeyStore(ctx, cloudHSM(name, ctCluster()))
			must(t, err)
			_, err = h.kms(adminCreds).CreateCustomKeyStore(ctx, cloudHSM(name, ctCluster()))
			return err
		}, wCKSNameInUse, `The custom key store name store-\S+ is already in use\.`),
		row("CreateCustomKeyStore", "CloudHsmClusterInUseException", func(t *testing.T, h *harness) error {
			cluster := ctCluster()
			_, err := h.kms(adminCreds).CreateCustomKeyStore(ctx, cloudHSM(ctName("store"), cluster))
			must(t, err)
			_, err = h.kms(adminCreds).CreateCustomKeyStore(ctx, cloudHSM(ctName("store"), cluster))
			return err
		}, wClusterInUse, `The CloudHSM cluster cluster-\w+ is already associated with custom key store cks-\w+\.`),
		row("CreateCustomKeyStore", "XksProxyUriInUseException", func(t *testing.T, h *harness) error {
			endpoint := "https://" + ctName("proxy") + ".example.com"
			_, err := h.kms(adminCreds).CreateCustomKeyStore(ctx, ctXKSInput(endpoint))
			must(t, err)
			_, err = h.kms(adminCreds).CreateCustomKeyStore(ctx, ctXKSInput(endpoint))
			return err
		}, wXksURIInUse, `The external key store proxy URI https://\S+/kms/xks/v1 is already in use\.`),
		row("CreateCustomKeyStore", "LimitExceededException/stores-per-region", func(t *testing.T, h *harness) error {
			h = newHarness(t) // the quota counts every store of the account and Region
			for range maxCustomKeyStores {
				_, err := h.kms(adminCreds).CreateCustomKeyStore(ctx, cloudHSM(ctName("store"), ctCluster()))
				must(t, err)
			}
			_, err := h.kms(adminCreds).CreateCustomKeyStore(ctx, cloudHSM(ctName("store"), ctCluster()))
			return err
		}, wLimit, mQuota),
		row("CreateCustomKeyStore", "ValidationException/cluster-id-pattern", createStore(func() *kms.CreateCustomKeyStoreInput { return cloudHSM(ctName("store"), "cluster-1111111111111") }), wValidation,
			`1 validation error detected: Value 'cluster-1111111111111' at 'cloudHsmClusterId' failed to satisfy constraint: Member must satisfy regular expression pattern: cluster-\[2-7a-zA-Z\]\{11,16\}`),
	)

	// CreateGrant
	grant := func(c *kms.Client, id string, o opts) error {
		_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &id, GranteePrincipal: aws.String(ctGrantee),
			Operations: []types.GrantOperation{"Decrypt"}, GrantTokens: o.tokens, DryRun: o.dryRun})
		return err
	}
	add(keyRows("CreateGrant", ctSym, grant)...)
	add(
		row("CreateGrant", "DisabledException", on(disabled(ctSym), grant, opts{}), wDisabled, mDisabled),
		row("CreateGrant", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSym), grant, opts{}), wInvalidState, mPendingDel),
		row("CreateGrant", "KMSInvalidStateException/pending-import", on(ctExternal, grant, opts{}), wInvalidState, mPendingImport),
		row("CreateGrant", "InvalidGrantTokenException", on(ctSym, grant, badToken), wGrantToken, mGrantToken),
		row("CreateGrant", "DryRunOperationException", on(ctSym, grant, dryRun), wDryRun, mDryRun),
		row("CreateGrant", "LimitExceededException/grants-per-grantee", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			for range maxGrantsPerGranteePerKey {
				must(t, grant(h.kms(adminCreds), id, opts{}))
			}
			return grant(h.kms(adminCreds), id, opts{})
		}, wLimit, mQuota),
		row("CreateGrant", "ValidationException/operation-not-valid-for-key", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			_, err := h.kms(adminCreds).CreateGrant(ctx, &kms.CreateGrantInput{KeyId: &id, GranteePrincipal: aws.String(ctGrantee), Operations: []types.GrantOperation{"Sign"}})
			return err
		}, wValidation, `Grant operations \[Sign\] are not valid for a KMS key with KeySpec SYMMETRIC_DEFAULT and KeyUsage ENCRYPT_DECRYPT\.`),
	)

	// CreateKey
	createKey := func(in func(t *testing.T, h *harness) *kms.CreateKeyInput) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).CreateKey(ctx, in(t, h))
			return err
		}
	}
	fixed := func(in *kms.CreateKeyInput) func(*testing.T, *harness) *kms.CreateKeyInput {
		return func(*testing.T, *harness) *kms.CreateKeyInput { return in }
	}
	add(
		row("CreateKey", "success", createKey(fixed(&kms.CreateKeyInput{})), nil, ""),
		row("CreateKey", "success/custom-key-store", createKey(func(t *testing.T, h *harness) *kms.CreateKeyInput {
			return &kms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm, CustomKeyStoreId: aws.String(ctStore(t, h, true))}
		}), nil, ""),
		row("CreateKey", "MalformedPolicyDocumentException/not-json", createKey(fixed(&kms.CreateKeyInput{Policy: aws.String("{not json")})), wMalformed, ""),
		row("CreateKey", "MalformedPolicyDocumentException/lockout", createKey(fixed(&kms.CreateKeyInput{Policy: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}]}`)})),
			wMalformed, `The new key policy will not allow you to update the key policy in the future\.`),
		row("CreateKey", "success/external-asymmetric", createKey(fixed(&kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY"})), nil, ""),
		row("CreateKey", "UnsupportedOperationException/external-ed25519", createKey(fixed(&kms.CreateKeyInput{Origin: types.OriginTypeExternal, KeySpec: "ECC_NIST_EDWARDS25519", KeyUsage: "SIGN_VERIFY"})), wUnsupported,
			`KeySpec ECC_NIST_EDWARDS25519 is not supported for KMS keys with imported key material \(Origin EXTERNAL\)\.`),
		row("CreateKey", "UnsupportedOperationException/custom-key-store-asymmetric", createKey(func(t *testing.T, h *harness) *kms.CreateKeyInput {
			return &kms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm, CustomKeyStoreId: aws.String(ctStore(t, h, true)), KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY"}
		}), wUnsupported, `KeySpec ECC_NIST_P256 is not supported for KMS keys in a custom key store\.`),
		row("CreateKey", "TagException/reserved-prefix", createKey(fixed(&kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("aws:owner"), TagValue: aws.String("x")}}})), wTag, `Tags beginning with aws: are reserved`),
		row("CreateKey", "TagException/duplicate-keys", createKey(fixed(&kms.CreateKeyInput{Tags: []types.Tag{{TagKey: aws.String("a"), TagValue: aws.String("1")}, {TagKey: aws.String("a"), TagValue: aws.String("2")}}})), wTag, `Duplicate tag keys`),
		row("CreateKey", "CustomKeyStoreNotFoundException", createKey(fixed(&kms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm, CustomKeyStoreId: aws.String("cks-1234567890abcdef0")})), wCKSNotFound, mStoreNotFound),
		row("CreateKey", "CustomKeyStoreInvalidStateException/disconnected", createKey(func(t *testing.T, h *harness) *kms.CreateKeyInput {
			return &kms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm, CustomKeyStoreId: aws.String(ctStore(t, h, false))}
		}), wCKSInvalidState, `Custom key store cks-\w+ is not connected\. Its connection state is DISCONNECTED\.`),
		row("CreateKey", "LimitExceededException/keys-per-region", func(t *testing.T, h *harness) error {
			h = newHarness(t) // filling the quota would slow every other row
			fillKeyQuota(h, "us-east-1")
			_, err := h.kms(adminCreds).CreateKey(ctx, &kms.CreateKeyInput{})
			return err
		}, wLimit, mQuota),
		row("CreateKey", "ValidationException/usage-incompatible-with-spec", createKey(fixed(&kms.CreateKeyInput{KeyUsage: "SIGN_VERIFY"})), wValidation,
			`KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT`),
		row("CreateKey", "ValidationException/key-spec-enum", createKey(fixed(&kms.CreateKeyInput{KeySpec: "AES_512", KeyUsage: "ENCRYPT_DECRYPT"})), wValidation,
			`1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.*\]`),
	)

	// Decrypt
	decrypt := func(prep keySetup, keyID keySetup, after func(*testing.T, *harness, string), o opts) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			id := prep(t, h)
			blob := ctEncrypt(t, h, id)
			if after != nil {
				after(t, h, id)
			}
			in := &kms.DecryptInput{CiphertextBlob: blob, GrantTokens: o.tokens, DryRun: o.dryRun}
			if keyID != nil {
				in.KeyId = aws.String(keyID(t, h))
			}
			_, err := h.kms(adminCreds).Decrypt(ctx, in)
			return err
		}
	}
	disable := func(t *testing.T, h *harness, id string) {
		disabled(func(*testing.T, *harness) string { return id })(t, h)
	}
	schedule := func(t *testing.T, h *harness, id string) {
		pendingDeletion(func(*testing.T, *harness) string { return id })(t, h)
	}
	add(
		row("Decrypt", "success", decrypt(ctSym, nil, nil, opts{}), nil, ""),
		row("Decrypt", "NotFoundException/unknown-key-id", decrypt(ctSym, ctMissing, nil, opts{}), wNotFound, mNotFound),
		row("Decrypt", "InvalidCiphertextException", func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: randomBytes(128)})
			return err
		}, wCiphertext, ""),
		row("Decrypt", "IncorrectKeyException", decrypt(ctSym, ctSym, nil, opts{}), wIncorrectKey, mIncorrectKey),
		row("Decrypt", "InvalidKeyUsageException/wrong-key-usage", decrypt(ctSym, ctHMAC, nil, opts{}), wKeyUsage, mUsage("GENERATE_VERIFY_MAC", "Decrypt")),
		row("Decrypt", "DisabledException", decrypt(ctSym, nil, disable, opts{}), wDisabled, mDisabled),
		row("Decrypt", "KMSInvalidStateException/pending-deletion", decrypt(ctSym, nil, schedule, opts{}), wInvalidState, mPendingDel),
		row("Decrypt", "KMSInvalidStateException/unavailable", func(t *testing.T, h *harness) error {
			id, store := ctStoreKey(t, h)
			blob := ctEncrypt(t, h, id)
			ctDisconnect(t, h, store)
			_, err := h.kms(adminCreds).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: blob})
			return err
		}, wInvalidState, mUnavailable),
		row("Decrypt", "InvalidGrantTokenException", decrypt(ctSym, nil, nil, badToken), wGrantToken, mGrantToken),
		row("Decrypt", "AccessDeniedException/explicit-deny", func(t *testing.T, h *harness) error {
			dev := h.kms(developerCreds)
			enc, err := dev.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(explicitDenyKey), Plaintext: []byte("contract")})
			must(t, err)
			_, err = dev.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
			return err
		}, wAccessDenied, `User: arn:aws:iam::111122223333:user/developer is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/`+explicitDenyKey+` with an explicit deny in a resource-based policy`),
		row("Decrypt", "DryRunOperationException", decrypt(ctSym, nil, nil, dryRun), wDryRun, mDryRun),
		row("Decrypt", "DryRunOperationException/ignore-ciphertext", func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(ctSym(t, h)), DryRun: aws.Bool(true), DryRunModifiers: []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}})
			return err
		}, wDryRun, mDryRun),
		row("Decrypt", "AccessDeniedException/ignore-ciphertext", func(t *testing.T, h *harness) error {
			_, err := h.kms(developerCreds).Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(ctSym(t, h)), DryRun: aws.Bool(true), DryRunModifiers: []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}})
			return err
		}, wAccessDenied, ""),
		row("Decrypt", "ValidationException/algorithm-enum", func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ctEncrypt(t, h, ctSym(t, h)), EncryptionAlgorithm: "BOGUS"})
			return err
		}, wValidation, `1 validation error detected: Value 'BOGUS' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: \[SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE\]`),
	)

	// DeleteAlias
	deleteAlias := func(name func(*testing.T, *harness) string) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(name(t, h))})
			return err
		}
	}
	add(
		row("DeleteAlias", "success", deleteAlias(func(t *testing.T, h *harness) string {
			name := "alias/" + ctName("doomed")
			must(t, createAlias(ctSym, name)(t, h))
			return name
		}), nil, ""),
		row("DeleteAlias", "NotFoundException", deleteAlias(func(*testing.T, *harness) string { return "alias/" + ctName("missing") }), wNotFound, mAliasNotFound),
		row("DeleteAlias", "ValidationException/no-alias-prefix", deleteAlias(func(*testing.T, *harness) string { return "no-prefix" }), wValidation, mAliasPrefix),
	)

	// DeleteCustomKeyStore
	deleteStore := func(store func(*testing.T, *harness) string) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(store(t, h))})
			return err
		}
	}
	add(
		row("DeleteCustomKeyStore", "success", deleteStore(func(t *testing.T, h *harness) string { return ctStore(t, h, false) }), nil, ""),
		row("DeleteCustomKeyStore", "CustomKeyStoreNotFoundException", deleteStore(func(*testing.T, *harness) string { return "cks-1234567890abcdef0" }), wCKSNotFound, mStoreNotFound),
		row("DeleteCustomKeyStore", "ValidationException/id-too-long", deleteStore(func(*testing.T, *harness) string { return strings.Repeat("c", 65) }), wValidation,
			`1 validation error detected: Value 'c+' at 'customKeyStoreId' failed to satisfy constraint: Member must have length less than or equal to 64`),
		row("DeleteCustomKeyStore", "CustomKeyStoreInvalidStateException/connected", deleteStore(func(t *testing.T, h *harness) string { return ctStore(t, h, true) }), wCKSInvalidState,
			`Custom key store cks-\w+ must be disconnected before it can be deleted\. Its connection state is CONNECTED\.`),
		row("DeleteCustomKeyStore", "CustomKeyStoreHasCMKsException", deleteStore(func(t *testing.T, h *harness) string {
			_, store := ctStoreKey(t, h)
			ctDisconnect(t, h, store)
			return store
		}), wCKSHasCMKs, `Custom key store cks-\w+ contains KMS keys\. Delete them before deleting the custom key store\.`),
	)

	// DeleteImportedKeyMaterial
	deleteMaterial := func(c *kms.Client, id string, _ opts) error {
		_, err := c.DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: &id})
		return err
	}
	add(keyRows("DeleteImportedKeyMaterial", ctImported, deleteMaterial)...)
	add(row("DeleteImportedKeyMaterial", "UnsupportedOperationException/origin-aws-kms", on(ctSym, deleteMaterial, opts{}), wUnsupported, mOrigin("AWS_KMS")))

	// DeriveSharedSecret
	derive := func(c *kms.Client, id string, o opts) error {
		priv, _ := ecdh.P256().GenerateKey(rand.Reader)
		der, _ := x509.MarshalPKIXPublicKey(priv.PublicKey())
		_, err := c.DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: &id, KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh,
			PublicKey: der, GrantTokens: o.tokens, DryRun: o.dryRun})
		return err
	}
	add(cryptoRows("DeriveSharedSecret", ctAgreement, derive, ctSym, "ENCRYPT_DECRYPT")...)
	add(
		row("DeriveSharedSecret", "ValidationException/bad-public-key", func(t *testing.T, h *harness) error {
			id := ctAgreement(t, h)
			_, err := h.kms(adminCreds).DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: &id, KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh, PublicKey: []byte("not a key")})
			return err
		}, wValidation, ""),
		row("DeriveSharedSecret", "UnsupportedOperationException/recipient", func(t *testing.T, h *harness) error {
			id := ctAgreement(t, h)
			_, err := h.kms(adminCreds).DeriveSharedSecret(ctx, &kms.DeriveSharedSecretInput{KeyId: &id, KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh,
				PublicKey: ctPeerPublicKey(t), Recipient: &types.RecipientInfo{AttestationDocument: []byte("doc"), KeyEncryptionAlgorithm: types.KeyEncryptionMechanismRsaesOaepSha256}})
			return err
		}, wUnsupported, `kmsim does not support Recipient: it cannot verify Nitro Enclaves attestation documents\.`),
	)

	// DescribeCustomKeyStores
	describeStores := func(in func(t *testing.T, h *harness) *kms.DescribeCustomKeyStoresInput) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).DescribeCustomKeyStores(ctx, in(t, h))
			return err
		}
	}
	add(
		row("DescribeCustomKeyStores", "success", describeStores(func(t *testing.T, h *harness) *kms.DescribeCustomKeyStoresInput {
			return &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: aws.String(ctStore(t, h, false))}
		}), nil, ""),
		row("DescribeCustomKeyStores", "CustomKeyStoreNotFoundException/id", describeStores(func(*testing.T, *harness) *kms.DescribeCustomKeyStoresInput {
			return &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: aws.String("cks-1234567890abcdef0")}
		}), wCKSNotFound, mStoreNotFound),
		row("DescribeCustomKeyStores", "CustomKeyStoreNotFoundException/name", describeStores(func(*testing.T, *harness) *kms.DescribeCustomKeyStoresInput {
			return &kms.DescribeCustomKeyStoresInput{CustomKeyStoreName: aws.String("NoSuchStore")}
		}), wCKSNotFound, `Custom key store NoSuchStore does not exist\.`),
		row("DescribeCustomKeyStores", "InvalidMarkerException", describeStores(func(*testing.T, *harness) *kms.DescribeCustomKeyStoresInput {
			return &kms.DescribeCustomKeyStoresInput{Marker: aws.String("!!not-a-marker!!")}
		}), wMarker, mMarker),
		row("DescribeCustomKeyStores", "ValidationException/limit-zero", describeStores(func(*testing.T, *harness) *kms.DescribeCustomKeyStoresInput {
			return &kms.DescribeCustomKeyStoresInput{Limit: aws.Int32(0)}
		}), wValidation, mLimitRange),
	)

	// DescribeKey
	describeKey := func(c *kms.Client, id string, o opts) error {
		_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &id, GrantTokens: o.tokens})
		return err
	}
	add(keyRows("DescribeKey", ctSym, describeKey)...)
	add(
		row("DescribeKey", "NotFoundException/unknown-alias", on(func(*testing.T, *harness) string { return "alias/" + ctName("missing") }, describeKey, opts{}), wNotFound, mAliasNotFound),
		row("DescribeKey", "NotFoundException/malformed-arn", on(func(*testing.T, *harness) string { return "arn:aws:kms:us-east-1:1234:key/x" }, describeKey, opts{}), wNotFound, `Invalid arn arn:aws:kms:us-east-1:1234:key/x`),
		row("DescribeKey", "InvalidGrantTokenException", on(ctSym, describeKey, badToken), wGrantToken, mGrantToken),
	)

	// DisableKey / EnableKey
	disableKey := func(c *kms.Client, id string, _ opts) error {
		_, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &id})
		return err
	}
	enableKey := func(c *kms.Client, id string, _ opts) error {
		_, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &id})
		return err
	}
	add(keyRows("DisableKey", ctSym, disableKey)...)
	add(
		row("DisableKey", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSym), disableKey, opts{}), wInvalidState, mPendingDel),
		row("DisableKey", "KMSInvalidStateException/pending-import", on(ctExternal, disableKey, opts{}), wInvalidState, mPendingImport),
	)
	add(keyRows("EnableKey", disabled(ctSym), enableKey)...)
	add(
		row("EnableKey", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSym), enableKey, opts{}), wInvalidState, mPendingDel),
		row("EnableKey", "KMSInvalidStateException/pending-import", on(ctExternal, enableKey, opts{}), wInvalidState, mPendingImport),
	)

	// DisableKeyRotation / EnableKeyRotation
	disableRotation := func(c *kms.Client, id string, _ opts) error {
		_, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: &id})
		return err
	}
	enableRotation := func(c *kms.Client, id string, _ opts) error {
		_, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id})
		return err
	}
	for op, f := range map[string]keyFunc{"DisableKeyRotation": disableRotation, "EnableKeyRotation": enableRotation} {
		add(keyRows(op, ctSym, f)...)
		add(
			row(op, "DisabledException", on(disabled(ctSym), f, opts{}), wDisabled, mDisabled),
			row(op, "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSym), f, opts{}), wInvalidState, mPendingDel),
			row(op, "UnsupportedOperationException/hmac-key", on(ctHMAC, f, opts{}), wUnsupported, reKeyARN+` key spec HMAC_256 is not valid for this operation\.`),
			row(op, "UnsupportedOperationException/pending-import", on(ctExternal, f, opts{}), wUnsupported, mOrigin("EXTERNAL")),
			row(op, "UnsupportedOperationException/custom-key-store", on(ctUnavailable, f, opts{}), wUnsupported, mOrigin("AWS_CLOUDHSM")),
			row(op, "UnsupportedOperationException/replica", func(t *testing.T, h *harness) error {
				id := withReplica(ctMRK)(t, h)
				return f(h.kmsIn("us-west-2"), id, opts{})
			}, wUnsupported, `arn:aws:kms:us-west-2:111122223333:key/mrk-\w+ is a multi-Region replica key: rotation is managed on its primary key in us-east-1\.`),
		)
	}
	add(row("EnableKeyRotation", "ValidationException/rotation-period", func(t *testing.T, h *harness) error {
		id := ctSym(t, h)
		_, err := h.kms(adminCreds).EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: aws.Int32(10)})
		return err
	}, wValidation, `1 validation error detected: Value '10' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90`))

	// Encapsulate / Decapsulate
	encapsulate := func(c *kms.Client, id string, o opts) error {
		_, err := c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: &id, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, GrantTokens: o.tokens, DryRun: o.dryRun})
		return err
	}
	add(cryptoRows("Encapsulate", ctKEM, encapsulate, ctSym, "ENCRYPT_DECRYPT")...)
	decapsulate := func(prep keySetup, after func(*testing.T, *harness, string), o opts) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			id := prep(t, h)
			c := h.kms(adminCreds)
			blob := randomBytes(1088) // an ML-KEM-768 ciphertext's length, for keys that cannot encapsulate
			if enc, err := c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: &id, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem}); err == nil {
				blob = enc.SharedSecretCiphertextBlob
			}
			if after != nil {
				after(t, h, id)
			}
			_, err := c.Decapsulate(ctx, &kms.DecapsulateInput{KeyId: &id, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem,
				SharedSecretCiphertextBlob: blob, GrantTokens: o.tokens, DryRun: o.dryRun})
			return err
		}
	}
	add(
		row("Decapsulate", "success", decapsulate(ctKEM, nil, opts{}), nil, ""),
		row("Decapsulate", "NotFoundException/unknown-key", decapsulate(ctMissing, nil, opts{}), wNotFound, mNotFound),
		row("Decapsulate", "ValidationException/keyId-too-long", decapsulate(ctLong, nil, opts{}), wValidation, mKeyIDLength),
		row("Decapsulate", "DisabledException", decapsulate(ctKEM, disable, opts{}), wDisabled, mDisabled),
		row("Decapsulate", "KMSInvalidStateException/pending-deletion", decapsulate(ctKEM, schedule, opts{}), wInvalidState, mPendingDel),
		row("Decapsulate", "InvalidKeyUsageException/wrong-key-usage", decapsulate(ctSym, nil, opts{}), wKeyUsage, mUsage("ENCRYPT_DECRYPT", "Decapsulate")),
		row("Decapsulate", "InvalidGrantTokenException", decapsulate(ctKEM, nil, badToken), wGrantToken, mGrantToken),
		row("Decapsulate", "DryRunOperationException", decapsulate(ctKEM, nil, dryRun), wDryRun, mDryRun),
		row("Decapsulate", "InvalidCiphertextException/truncated", func(t *testing.T, h *harness) error {
			id := ctKEM(t, h)
			_, err := h.kms(adminCreds).Decapsulate(ctx, &kms.DecapsulateInput{KeyId: &id, EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, SharedSecretCiphertextBlob: randomBytes(17)})
			return err
		}, wCiphertext, ""),
	)

	// Encrypt
	encrypt := func(c *kms.Client, id string, o opts) error {
		_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("contract"), GrantTokens: o.tokens, DryRun: o.dryRun})
		return err
	}
	add(cryptoRows("Encrypt", ctSym, encrypt, ctHMAC, "GENERATE_VERIFY_MAC")...)
	add(
		row("Encrypt", "KMSInvalidStateException/pending-import", on(ctExternal, encrypt, opts{}), wInvalidState, mPendingImport),
		row("Encrypt", "KMSInvalidStateException/unavailable", on(ctUnavailable, encrypt, opts{}), wInvalidState, mUnavailable),
		row("Encrypt", "InvalidKeyUsageException/algorithm", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			_, err := h.kms(adminCreds).Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: []byte("x"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
			return err
		}, wKeyUsage, mAlgorithm("RSAES_OAEP_SHA_256", "SYMMETRIC_DEFAULT")),
		row("Encrypt", "ValidationException/plaintext-too-long", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			_, err := h.kms(adminCreds).Encrypt(ctx, &kms.EncryptInput{KeyId: &id, Plaintext: make([]byte, 4097)})
			return err
		}, wValidation, `1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096`),
		row("Encrypt", "AccessDeniedException/no-identity-policy", func(t *testing.T, h *harness) error {
			return encrypt(h.kms(developerCreds), appDataKey, opts{})
		}, wAccessDenied, `User: arn:aws:iam::111122223333:user/developer is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:us-east-1:111122223333:key/`+appDataKey+` because no identity-based policy allows the kms:Encrypt action`),
	)

	// GenerateDataKey / GenerateDataKeyWithoutPlaintext
	dataKeyOps := map[string]func(c *kms.Client, in *kms.GenerateDataKeyInput) error{
		"GenerateDataKey": func(c *kms.Client, in *kms.GenerateDataKeyInput) error {
			_, err := c.GenerateDataKey(ctx, in)
			return err
		},
		"GenerateDataKeyWithoutPlaintext": func(c *kms.Client, in *kms.GenerateDataKeyInput) error {
			_, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: in.KeyId, KeySpec: in.KeySpec,
				NumberOfBytes: in.NumberOfBytes, GrantTokens: in.GrantTokens, DryRun: in.DryRun})
			return err
		},
	}
	for op, call := range dataKeyOps {
		f := func(c *kms.Client, id string, o opts) error {
			return call(c, &kms.GenerateDataKeyInput{KeyId: &id, KeySpec: types.DataKeySpecAes256, GrantTokens: o.tokens, DryRun: o.dryRun})
		}
		add(cryptoRows(op, ctSym, f, ctHMAC, "GENERATE_VERIFY_MAC")...)
		add(
			row(op, "KMSInvalidStateException/pending-import", on(ctExternal, f, opts{}), wInvalidState, mPendingImport),
			row(op, "KMSInvalidStateException/unavailable", on(ctUnavailable, f, opts{}), wInvalidState, mUnavailable),
			row(op, "ValidationException/neither-size-nor-spec", func(t *testing.T, h *harness) error {
				return call(h.kms(adminCreds), &kms.GenerateDataKeyInput{KeyId: aws.String(ctSym(t, h))})
			}, wValidation, `Please specify either number of bytes or key spec\.`),
			row(op, "ValidationException/number-of-bytes", func(t *testing.T, h *harness) error {
				return call(h.kms(adminCreds), &kms.GenerateDataKeyInput{KeyId: aws.String(ctSym(t, h)), NumberOfBytes: aws.Int32(2000)})
			}, wValidation, `1 validation error detected: Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024`),
		)
	}

	// GenerateDataKeyPair / GenerateDataKeyPairWithoutPlaintext
	pairOps := map[string]func(c *kms.Client, in *kms.GenerateDataKeyPairInput) error{
		"GenerateDataKeyPair": func(c *kms.Client, in *kms.GenerateDataKeyPairInput) error {
			_, err := c.GenerateDataKeyPair(ctx, in)
			return err
		},
		"GenerateDataKeyPairWithoutPlaintext": func(c *kms.Client, in *kms.GenerateDataKeyPairInput) error {
			_, err := c.GenerateDataKeyPairWithoutPlaintext(ctx, &kms.GenerateDataKeyPairWithoutPlaintextInput{KeyId: in.KeyId, KeyPairSpec: in.KeyPairSpec,
				GrantTokens: in.GrantTokens, DryRun: in.DryRun})
			return err
		},
	}
	for op, call := range pairOps {
		f := func(c *kms.Client, id string, o opts) error {
			return call(c, &kms.GenerateDataKeyPairInput{KeyId: &id, KeyPairSpec: types.DataKeyPairSpecEccNistP256, GrantTokens: o.tokens, DryRun: o.dryRun})
		}
		add(cryptoRows(op, ctSym, f, ctHMAC, "GENERATE_VERIFY_MAC")...)
		add(
			row(op, "KMSInvalidStateException/pending-import", on(ctExternal, f, opts{}), wInvalidState, mPendingImport),
			row(op, "KMSInvalidStateException/unavailable", on(ctUnavailable, f, opts{}), wInvalidState, mUnavailable),
			row(op, "ValidationException/sm2-outside-china", func(t *testing.T, h *harness) error {
				return call(h.kms(adminCreds), &kms.GenerateDataKeyPairInput{KeyId: aws.String(ctSym(t, h)), KeyPairSpec: types.DataKeyPairSpecSm2})
			}, wValidation, `KeySpec SM2 is not supported in this region\.`),
		)
	}
	add(row("GenerateDataKeyPair", "UnsupportedOperationException/recipient", func(t *testing.T, h *harness) error {
		id := ctSym(t, h)
		_, err := h.kms(adminCreds).GenerateDataKeyPair(ctx, &kms.GenerateDataKeyPairInput{KeyId: &id, KeyPairSpec: types.DataKeyPairSpecEccNistP256,
			Recipient: &types.RecipientInfo{AttestationDocument: []byte("doc"), KeyEncryptionAlgorithm: types.KeyEncryptionMechanismRsaesOaepSha256}})
		return err
	}, wUnsupported, `kmsim does not support Recipient: it cannot verify Nitro Enclaves attestation documents\.`))
	recipient := &types.RecipientInfo{AttestationDocument: []byte("doc"), KeyEncryptionAlgorithm: types.KeyEncryptionMechanismRsaesOaepSha256}
	add(
		row("Decrypt", "UnsupportedOperationException/recipient", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			_, err := h.kms(adminCreds).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ctEncrypt(t, h, id), Recipient: recipient})
			return err
		}, wUnsupported, `kmsim does not support Recipient: it cannot verify Nitro Enclaves attestation documents\.`),
		row("GenerateDataKey", "UnsupportedOperationException/recipient", func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(ctSym(t, h)), NumberOfBytes: aws.Int32(32), Recipient: recipient})
			return err
		}, wUnsupported, `kmsim does not support Recipient: it cannot verify Nitro Enclaves attestation documents\.`),
		row("GenerateRandom", "UnsupportedOperationException/recipient", func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32), Recipient: recipient})
			return err
		}, wUnsupported, `kmsim does not support Recipient: it cannot verify Nitro Enclaves attestation documents\.`),
	)
	// The SDK's GenerateDataKeyPairWithoutPlaintextInput has no Recipient member; a custom key store
	// key is AWS's other cause, and kmsim does not refuse it (see notProducible).

	// GenerateMac / VerifyMac
	generateMac := func(c *kms.Client, id string, o opts) error {
		_, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: &id, Message: []byte("contract"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256, GrantTokens: o.tokens, DryRun: o.dryRun})
		return err
	}
	add(cryptoRows("GenerateMac", ctHMAC, generateMac, ctSym, "ENCRYPT_DECRYPT")...)
	add(row("GenerateMac", "InvalidKeyUsageException/algorithm", func(t *testing.T, h *harness) error {
		id := ctHMAC(t, h)
		_, err := h.kms(adminCreds).GenerateMac(ctx, &kms.GenerateMacInput{KeyId: &id, Message: []byte("m"), MacAlgorithm: types.MacAlgorithmSpecHmacSha512})
		return err
	}, wKeyUsage, mAlgorithm("HMAC_SHA_512", "HMAC_256")))

	verifyMac := func(prep keySetup, after func(*testing.T, *harness, string), tamper bool, o opts) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			id := prep(t, h)
			c := h.kms(adminCreds)
			mac := randomBytes(32)
			if out, err := c.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: &id, Message: []byte("contract"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256}); err == nil {
				mac = out.Mac
			}
			if tamper {
				mac = append([]byte{mac[0] ^ 1}, mac[1:]...)
			}
			if after != nil {
				after(t, h, id)
			}
			_, err := c.VerifyMac(ctx, &kms.VerifyMacInput{KeyId: &id, Message: []byte("contract"), MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Mac: mac,
				GrantTokens: o.tokens, DryRun: o.dryRun})
			return err
		}
	}
	add(
		row("VerifyMac", "success", verifyMac(ctHMAC, nil, false, opts{}), nil, ""),
		row("VerifyMac", "NotFoundException/unknown-key", verifyMac(ctMissing, nil, false, opts{}), wNotFound, mNotFound),
		row("VerifyMac", "ValidationException/keyId-too-long", verifyMac(ctLong, nil, false, opts{}), wValidation, mKeyIDLength),
		row("VerifyMac", "DisabledException", verifyMac(ctHMAC, disable, false, opts{}), wDisabled, mDisabled),
		row("VerifyMac", "KMSInvalidStateException/pending-deletion", verifyMac(ctHMAC, schedule, false, opts{}), wInvalidState, mPendingDel),
		row("VerifyMac", "InvalidKeyUsageException/wrong-key-usage", verifyMac(ctSym, nil, false, opts{}), wKeyUsage, mUsage("ENCRYPT_DECRYPT", "VerifyMac")),
		row("VerifyMac", "InvalidGrantTokenException", verifyMac(ctHMAC, nil, false, badToken), wGrantToken, mGrantToken),
		row("VerifyMac", "DryRunOperationException", verifyMac(ctHMAC, nil, false, dryRun), wDryRun, mDryRun),
		row("VerifyMac", "KMSInvalidMacException", verifyMac(ctHMAC, nil, true, opts{}), wInvalidMac, ""),
	)

	// GenerateRandom
	random := func(in *kms.GenerateRandomInput) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).GenerateRandom(ctx, in)
			return err
		}
	}
	add(
		row("GenerateRandom", "success", random(&kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32)}), nil, ""),
		row("GenerateRandom", "CustomKeyStoreNotFoundException", random(&kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32), CustomKeyStoreId: aws.String("cks-1234567890abcdef0")}), wCKSNotFound, ""),
		row("GenerateRandom", "ValidationException/number-of-bytes", random(&kms.GenerateRandomInput{NumberOfBytes: aws.Int32(2000)}), wValidation,
			`1 validation error detected: Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024`),
		row("GenerateRandom", "success/connected-cloudhsm-store", func(t *testing.T, h *harness) error {
			store := ctStore(t, h, true)
			_, err := h.kms(adminCreds).GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32), CustomKeyStoreId: &store})
			return err
		}, nil, ""),
		row("GenerateRandom", "CustomKeyStoreInvalidStateException/disconnected", func(t *testing.T, h *harness) error {
			store := ctStore(t, h, false)
			_, err := h.kms(adminCreds).GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32), CustomKeyStoreId: &store})
			return err
		}, wCKSInvalidState, ""),
		row("GenerateRandom", "UnsupportedOperationException/external-key-store", func(t *testing.T, h *harness) error {
			out, err := h.kms(adminCreds).CreateCustomKeyStore(ctx, ctXKSInput("https://"+ctName("proxy")+".example.com"))
			must(t, err)
			_, err = h.kms(adminCreds).GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(32), CustomKeyStoreId: out.CustomKeyStoreId})
			return err
		}, wUnsupported, ""),
	)

	// GetKeyLastUsage
	lastUsage := func(c *kms.Client, id string, _ opts) error {
		_, err := c.GetKeyLastUsage(ctx, &kms.GetKeyLastUsageInput{KeyId: &id})
		return err
	}
	add(keyRows("GetKeyLastUsage", ctSym, lastUsage)...)

	// GetKeyPolicy / PutKeyPolicy
	getPolicy := func(name string) keyFunc {
		return func(c *kms.Client, id string, _ opts) error {
			_, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: &id, PolicyName: aws.String(name)})
			return err
		}
	}
	add(keyRows("GetKeyPolicy", ctSym, getPolicy("default"))...)
	add(
		row("GetKeyPolicy", "NotFoundException/policy-name", on(ctSym, getPolicy("other"), opts{}), wNotFound, `No such policy exists`),
		row("GetKeyPolicy", "ValidationException/policy-name-pattern", on(ctSym, getPolicy("bad-name"), opts{}), wValidation,
			`1 validation error detected: Value 'bad-name' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\]\+`),
	)
	const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	putPolicy := func(name, policy string) keyFunc {
		return func(c *kms.Client, id string, _ opts) error {
			_, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, PolicyName: aws.String(name), Policy: aws.String(policy)})
			return err
		}
	}
	add(keyRows("PutKeyPolicy", ctSym, putPolicy("default", adminPolicy))...)
	add(
		row("PutKeyPolicy", "MalformedPolicyDocumentException/not-json", on(ctSym, putPolicy("default", "{not json"), opts{}), wMalformed, ""),
		row("PutKeyPolicy", "MalformedPolicyDocumentException/lockout", on(ctSym, putPolicy("default",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}]}`), opts{}),
			wMalformed, `The new key policy will not allow you to update the key policy in the future\.`),
		row("PutKeyPolicy", "NotFoundException/policy-name", on(ctSym, putPolicy("other", adminPolicy), opts{}), wNotFound, `No such policy exists`),
		row("PutKeyPolicy", "LimitExceededException/policy-size", on(ctSym, putPolicy("default", adminPolicy[:len(adminPolicy)-2]+`,"Sid":"`+strings.Repeat("x", maxPolicySize)+`"}]}`), opts{}), wLimit, mQuota),
	)

	// GetKeyRotationStatus / ListKeyRotations
	rotationStatus := func(c *kms.Client, id string, _ opts) error {
		_, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: &id})
		return err
	}
	listRotations := func(c *kms.Client, id string, o opts) error {
		_, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, Marker: marker(o)})
		return err
	}
	for op, f := range map[string]keyFunc{"GetKeyRotationStatus": rotationStatus, "ListKeyRotations": listRotations} {
		add(keyRows(op, ctSym, f)...)
		add(
			row(op, "UnsupportedOperationException/hmac-key", on(ctHMAC, f, opts{}), wUnsupported, reKeyARN+` key spec HMAC_256 is not valid for this operation\.`),
			row(op, "UnsupportedOperationException/custom-key-store", on(ctUnavailable, f, opts{}), wUnsupported, mOrigin("AWS_CLOUDHSM")),
		)
	}
	add(
		row("GetKeyRotationStatus", "UnsupportedOperationException/pending-import", on(ctExternal, rotationStatus, opts{}), wUnsupported, mOrigin("EXTERNAL")),
		row("ListKeyRotations", "success/pending-import", on(ctExternal, listRotations, opts{}), nil, ""),
		row("ListKeyRotations", "UnsupportedOperationException/external-asymmetric", on(ctExternalSigner, listRotations, opts{}), wUnsupported, mOrigin("EXTERNAL")),
	)
	add(markerRows("ListKeyRotations", listRotations, func(c *kms.Client, id string) error {
		_, err := c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, Limit: aws.Int32(0)})
		return err
	}, ctSym)...)

	// GetParametersForImport
	params := func(alg types.AlgorithmSpec) keyFunc {
		return func(c *kms.Client, id string, _ opts) error {
			_, err := c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: &id, WrappingAlgorithm: alg, WrappingKeySpec: types.WrappingKeySpecRsa2048})
			return err
		}
	}
	add(keyRows("GetParametersForImport", ctExternal, params(types.AlgorithmSpecRsaesOaepSha256))...)
	add(
		row("GetParametersForImport", "UnsupportedOperationException/origin-aws-kms", on(ctSym, params(types.AlgorithmSpecRsaesOaepSha256), opts{}), wUnsupported, mOrigin("AWS_KMS")),
		row("GetParametersForImport", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctExternal), params(types.AlgorithmSpecRsaesOaepSha256), opts{}), wInvalidState, mPendingDel),
		row("GetParametersForImport", "ValidationException/rsa-aes-key-wrap-in-china", func(t *testing.T, h *harness) error {
			c := h.kmsIn("cn-north-1")
			out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternal})
			must(t, err)
			_, err = c.GetParametersForImport(ctx, &kms.GetParametersForImportInput{KeyId: out.KeyMetadata.KeyId, WrappingAlgorithm: types.AlgorithmSpecRsaAesKeyWrapSha256, WrappingKeySpec: types.WrappingKeySpecRsa2048})
			return err
		}, wValidation, `Wrapping algorithm RSA_AES_KEY_WRAP_SHA_256 is not supported in this region\.`),
		row("GetParametersForImport", "ValidationException/pkcs1-v1_5", on(ctExternal, params(types.AlgorithmSpecRsaesPkcs1V15), opts{}), wValidation,
			`The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported\.`),
	)

	// GetPublicKey
	publicKey := func(c *kms.Client, id string, o opts) error {
		_, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: &id, GrantTokens: o.tokens})
		return err
	}
	add(keyRows("GetPublicKey", ctSigner, publicKey)...)
	add(
		row("GetPublicKey", "DisabledException", on(disabled(ctSigner), publicKey, opts{}), wDisabled, mDisabled),
		row("GetPublicKey", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSigner), publicKey, opts{}), wInvalidState, mPendingDel),
		row("GetPublicKey", "UnsupportedOperationException/symmetric-key", on(ctSym, publicKey, opts{}), wUnsupported, `GetPublicKey is not supported for key spec SYMMETRIC_DEFAULT\.`),
		row("GetPublicKey", "InvalidGrantTokenException", on(ctSigner, publicKey, badToken), wGrantToken, mGrantToken),
	)

	// ImportKeyMaterial
	importRow := func(prep keySetup, material func() []byte) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error { return ctImport(t, h, prep(t, h), material()) }
	}
	key32 := func() []byte { return randomBytes(32) }
	rawImport := func(in func(t *testing.T, h *harness, id string) *kms.ImportKeyMaterialInput, prep keySetup) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			id := prep(t, h)
			_, err := h.kms(adminCreds).ImportKeyMaterial(ctx, in(t, h, id))
			return err
		}
	}
	add(
		row("ImportKeyMaterial", "success", importRow(ctExternal, key32), nil, ""),
		row("ImportKeyMaterial", "success/reimport-same-material", func(t *testing.T, h *harness) error {
			id, material := ctExternal(t, h), randomBytes(32)
			must(t, ctImport(t, h, id, material))
			return ctImport(t, h, id, material)
		}, nil, ""),
		row("ImportKeyMaterial", "InvalidArnException/alias-name", rawImport(func(t *testing.T, h *harness, id string) *kms.ImportKeyMaterialInput {
			return &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: randomBytes(64), EncryptedKeyMaterial: randomBytes(256), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}
		}, aliasOf(ctExternal)), wInvalidArn, mAliasRefused),
		row("ImportKeyMaterial", "NotFoundException/unknown-key", rawImport(func(t *testing.T, h *harness, id string) *kms.ImportKeyMaterialInput {
			return &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: randomBytes(64), EncryptedKeyMaterial: randomBytes(256), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}
		}, ctMissing), wNotFound, mNotFound),
		row("ImportKeyMaterial", "UnsupportedOperationException/origin-aws-kms", rawImport(func(t *testing.T, h *harness, id string) *kms.ImportKeyMaterialInput {
			return &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: randomBytes(64), EncryptedKeyMaterial: randomBytes(256), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}
		}, ctSym), wUnsupported, mOrigin("AWS_KMS")),
		row("ImportKeyMaterial", "KMSInvalidStateException/pending-deletion", func(t *testing.T, h *harness) error {
			id := ctExternal(t, h)
			p := ctImportParams(t, h, id)
			schedule(t, h, id)
			return ctImportWith(t, h, id, p, wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, randomBytes(32)))
		}, wInvalidState, mPendingDel),
		row("ImportKeyMaterial", "InvalidImportTokenException", rawImport(func(t *testing.T, h *harness, id string) *kms.ImportKeyMaterialInput {
			return &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: randomBytes(64), EncryptedKeyMaterial: randomBytes(256), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire}
		}, ctExternal), wImportToken, `The import token is invalid for the specified KMS key\.`),
		row("ImportKeyMaterial", "InvalidImportTokenException/other-keys-token", func(t *testing.T, h *harness) error {
			id, other := ctExternal(t, h), ctExternal(t, h)
			p := ctImportParams(t, h, other)
			return ctImportWith(t, h, id, p, wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, randomBytes(32)))
		}, wImportToken, `The import token is invalid for the specified KMS key\.`),
		row("ImportKeyMaterial", "ExpiredImportTokenException", func(t *testing.T, h *harness) error {
			h = newHarness(t) // the clock moves
			id := ctExternal(t, h)
			p := ctImportParams(t, h, id)
			must(t, h.sim.Advance(ctx, 25*time.Hour))
			return ctImportWith(t, h, id, p, wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, randomBytes(32)))
		}, wExpiredToken, `The import token has expired\. Call GetParametersForImport to get a new one\.`),
		row("ImportKeyMaterial", "InvalidCiphertextException/garbage-wrapped-material", func(t *testing.T, h *harness) error {
			id := ctExternal(t, h)
			return ctImportWith(t, h, id, ctImportParams(t, h, id), randomBytes(256))
		}, wCiphertext, `The key material could not be unwrapped with the wrapping key of the import token\.`),
		row("ImportKeyMaterial", "IncorrectKeyMaterialException/wrong-length", importRow(ctExternal, func() []byte { return randomBytes(16) }), wIncorrectMat,
			`The key material is not valid for a SYMMETRIC_DEFAULT KMS key: it must be 256 bits\.`),
		row("ImportKeyMaterial", "IncorrectKeyMaterialException/different-material", importRow(ctImported, key32), wIncorrectMat,
			`The key material in the request is different from the key material that was previously imported into this KMS key\.`),
		row("ImportKeyMaterial", "ValidationException/expires-without-valid-to", rawImport(func(t *testing.T, h *harness, id string) *kms.ImportKeyMaterialInput {
			return &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: randomBytes(64), EncryptedKeyMaterial: randomBytes(256)}
		}, ctExternal), wValidation, `A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES`),
		row("ImportKeyMaterial", "success/asymmetric", func(t *testing.T, h *harness) error {
			ctImportedSigner(t, h)
			return nil
		}, nil, ""),
		row("ImportKeyMaterial", "success/new-material-pending-rotation", func(t *testing.T, h *harness) error {
			return ctImportAs(t, h, ctImported(t, h), randomBytes(32), types.ImportTypeNewKeyMaterial, "")
		}, nil, ""),
		row("ImportKeyMaterial", "KMSInvalidStateException/material-pending-rotation", func(t *testing.T, h *harness) error {
			id := ctImported(t, h)
			must(t, ctImportAs(t, h, id, randomBytes(32), types.ImportTypeNewKeyMaterial, ""))
			return ctImportAs(t, h, id, randomBytes(32), types.ImportTypeNewKeyMaterial, "")
		}, wInvalidState, `New key material \(id: [a-f0-9]{64}\) cannot be imported into KMS key [-0-9a-f]+, because another key material \(id: [a-f0-9]{64}\) is pending rotation\.`),
		row("ImportKeyMaterial", "IncorrectKeyMaterialException/material-id-mismatch", func(t *testing.T, h *harness) error {
			id, material := ctExternal(t, h), randomBytes(32)
			must(t, ctImport(t, h, id, material))
			return ctImportAs(t, h, id, material, types.ImportTypeExistingKeyMaterial, strings.Repeat("ab", 32))
		}, wIncorrectMat, `The key material in the request does not match the key material ID (ab)+\.`),
		row("ImportKeyMaterial", "IncorrectKeyMaterialException/already-associated", func(t *testing.T, h *harness) error {
			id, material := ctExternal(t, h), randomBytes(32)
			must(t, ctImport(t, h, id, material))
			return ctImportAs(t, h, id, material, types.ImportTypeNewKeyMaterial, "")
		}, wIncorrectMat, `The key material \(id: [a-f0-9]{64}\) is already associated with KMS key [-0-9a-f]+\. Use the EXISTING_KEY_MATERIAL import type to import it again\.`),
		row("ImportKeyMaterial", "IncorrectKeyMaterialException/wrong-curve", func(t *testing.T, h *harness) error {
			return importInto(t, h.kms(adminCreds), ctExternalSigner(t, h), types.AlgorithmSpecRsaAesKeyWrapSha256, types.WrappingKeySpecRsa2048, newLocalKey(t, "ECC_NIST_P384").pkcs8)
		}, wIncorrectMat, `The key material is not valid for a ECC_NIST_P256 KMS key\.`),
		row("ImportKeyMaterial", "ValidationException/new-material-with-id", func(t *testing.T, h *harness) error {
			return ctImportAs(t, h, ctExternal(t, h), randomBytes(32), types.ImportTypeNewKeyMaterial, strings.Repeat("ab", 32))
		}, wValidation, `You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL\.`),
		row("ImportKeyMaterial", "ValidationException/key-material-id-pattern", func(t *testing.T, h *harness) error {
			return ctImportAs(t, h, ctExternal(t, h), randomBytes(32), "", strings.Repeat("AB", 32))
		}, wValidation, `1 validation error detected: Value '(AB)+' at 'keyMaterialId' failed to satisfy constraint: Member must satisfy regular expression pattern: \^\[a-f0-9\]\+\$`),
		row("ImportKeyMaterial", "ValidationException/asymmetric-import-type", func(t *testing.T, h *harness) error {
			id := ctExternalSigner(t, h)
			p := ctImportParams(t, h, id)
			_, err := h.kms(adminCreds).ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken, EncryptedKeyMaterial: randomBytes(256),
				ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire, ImportType: types.ImportTypeExistingKeyMaterial})
			return err
		}, wValidation, `ImportType, KeyMaterialId and KeyMaterialDescription are supported only for symmetric encryption KMS keys\.`),
	)
	deleteByID := func(prep func(t *testing.T, h *harness) (string, string)) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			id, materialID := prep(t, h)
			_, err := h.kms(adminCreds).DeleteImportedKeyMaterial(ctx, &kms.DeleteImportedKeyMaterialInput{KeyId: &id, KeyMaterialId: &materialID})
			return err
		}
	}
	add(
		row("DeleteImportedKeyMaterial", "success/pending-material-by-id", deleteByID(func(t *testing.T, h *harness) (string, string) {
			id := ctImported(t, h)
			p := ctImportParams(t, h, id)
			out, err := h.kms(adminCreds).ImportKeyMaterial(ctx, &kms.ImportKeyMaterialInput{KeyId: &id, ImportToken: p.ImportToken,
				EncryptedKeyMaterial: wrapForImport(t, p, types.AlgorithmSpecRsaesOaepSha256, randomBytes(32)), ExpirationModel: types.ExpirationModelTypeKeyMaterialDoesNotExpire,
				ImportType: types.ImportTypeNewKeyMaterial})
			must(t, err)
			return id, *out.KeyMaterialId
		}), nil, ""),
		row("DeleteImportedKeyMaterial", "success/asymmetric", on(ctImportedSigner, deleteMaterial, opts{}), nil, ""),
		row("DeleteImportedKeyMaterial", "NotFoundException/unknown-material-id", deleteByID(func(t *testing.T, h *harness) (string, string) {
			return ctImported(t, h), strings.Repeat("0", 64)
		}), wNotFound, `Key material 0{64} is not associated with `+reKeyARN+`\.`),
		row("DeleteImportedKeyMaterial", "ValidationException/key-material-id-length", deleteByID(func(t *testing.T, h *harness) (string, string) {
			return ctImported(t, h), "abc"
		}), wValidation, `1 validation error detected: Value 'abc' at 'keyMaterialId' failed to satisfy constraint: Member must have length greater than or equal to 64`),
		row("ListKeyRotations", "success/all-key-material", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			_, err := h.kms(adminCreds).ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, IncludeKeyMaterial: types.IncludeKeyMaterialAllKeyMaterial})
			return err
		}, nil, ""),
		row("ListKeyRotations", "ValidationException/include-key-material", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			_, err := h.kms(adminCreds).ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: &id, IncludeKeyMaterial: "SOME"})
			return err
		}, wValidation, `1 validation error detected: Value 'SOME' at 'includeKeyMaterial' failed to satisfy constraint: Member must satisfy enum value set: \[ALL_KEY_MATERIAL, ROTATIONS_ONLY\]`),
	)

	// ListAliases
	listAliases := func(c *kms.Client, id string, o opts) error {
		in := &kms.ListAliasesInput{Marker: marker(o)}
		if id != "" {
			in.KeyId = &id
		}
		_, err := c.ListAliases(ctx, in)
		return err
	}
	none := func(*testing.T, *harness) string { return "" }
	add(
		row("ListAliases", "success", on(none, listAliases, opts{}), nil, ""),
		row("ListAliases", "success/by-key", on(ctSym, listAliases, opts{}), nil, ""),
		row("ListAliases", "InvalidArnException/alias-name", on(aliasOf(ctSym), listAliases, opts{}), wInvalidArn, mAliasRefused),
		row("ListAliases", "NotFoundException/unknown-key", on(ctMissing, listAliases, opts{}), wNotFound, mNotFound),
	)
	add(markerRows("ListAliases", listAliases, func(c *kms.Client, _ string) error {
		_, err := c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(0)})
		return err
	}, none)...)

	// ListGrants
	listGrants := func(c *kms.Client, id string, o opts) error {
		_, err := c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &id, Marker: marker(o)})
		return err
	}
	add(keyRows("ListGrants", ctSym, listGrants)...)
	add(markerRows("ListGrants", listGrants, func(c *kms.Client, id string) error {
		_, err := c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: &id, Limit: aws.Int32(0)})
		return err
	}, ctSym)...)

	// ListKeyPolicies
	listPolicies := func(c *kms.Client, id string, o opts) error {
		_, err := c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: &id, Marker: marker(o)})
		return err
	}
	add(keyRows("ListKeyPolicies", ctSym, listPolicies)...)
	add(markerRows("ListKeyPolicies", listPolicies, func(c *kms.Client, id string) error {
		_, err := c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: &id, Limit: aws.Int32(0)})
		return err
	}, ctSym)...)

	// ListKeys
	listKeys := func(c *kms.Client, _ string, o opts) error {
		_, err := c.ListKeys(ctx, &kms.ListKeysInput{Marker: marker(o)})
		return err
	}
	add(row("ListKeys", "success", on(none, listKeys, opts{}), nil, ""))
	add(markerRows("ListKeys", listKeys, func(c *kms.Client, _ string) error {
		_, err := c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(0)})
		return err
	}, none)...)

	// ListResourceTags
	listTags := func(c *kms.Client, id string, o opts) error {
		_, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &id, Marker: marker(o)})
		return err
	}
	add(keyRows("ListResourceTags", ctSym, listTags)...)
	add(markerRows("ListResourceTags", listTags, func(c *kms.Client, id string) error {
		_, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: &id, Limit: aws.Int32(0)})
		return err
	}, ctSym)...)

	// ListRetirableGrants
	listRetirable := func(c *kms.Client, _ string, o opts) error {
		_, err := c.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(ctGrantee), Marker: marker(o)})
		return err
	}
	add(row("ListRetirableGrants", "success", on(none, listRetirable, opts{}), nil, ""))
	add(markerRows("ListRetirableGrants", listRetirable, func(c *kms.Client, _ string) error {
		_, err := c.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String(ctGrantee), Limit: aws.Int32(0)})
		return err
	}, none)...)

	// ReEncrypt
	reEncrypt := func(src keySetup, srcAfter func(*testing.T, *harness, string), sourceKeyID keySetup, dst keySetup, o opts) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			id := src(t, h)
			blob := ctEncrypt(t, h, id)
			if srcAfter != nil {
				srcAfter(t, h, id)
			}
			in := &kms.ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: aws.String(dst(t, h)), GrantTokens: o.tokens, DryRun: o.dryRun}
			if sourceKeyID != nil {
				in.SourceKeyId = aws.String(sourceKeyID(t, h))
			}
			_, err := h.kms(adminCreds).ReEncrypt(ctx, in)
			return err
		}
	}
	add(
		row("ReEncrypt", "success", reEncrypt(ctSym, nil, nil, ctSym, opts{}), nil, ""),
		row("ReEncrypt", "NotFoundException/unknown-destination", reEncrypt(ctSym, nil, nil, ctMissing, opts{}), wNotFound, mNotFound),
		row("ReEncrypt", "InvalidCiphertextException", func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: randomBytes(128), DestinationKeyId: aws.String(ctSym(t, h))})
			return err
		}, wCiphertext, ""),
		row("ReEncrypt", "IncorrectKeyException", reEncrypt(ctSym, nil, ctSym, ctSym, opts{}), wIncorrectKey, mIncorrectKey),
		row("ReEncrypt", "DisabledException/source", reEncrypt(ctSym, disable, nil, ctSym, opts{}), wDisabled, mDisabled),
		row("ReEncrypt", "DisabledException/destination", reEncrypt(ctSym, nil, nil, disabled(ctSym), opts{}), wDisabled, mDisabled),
		row("ReEncrypt", "KMSInvalidStateException/destination-pending-deletion", reEncrypt(ctSym, nil, nil, pendingDeletion(ctSym), opts{}), wInvalidState, mPendingDel),
		row("ReEncrypt", "KMSInvalidStateException/source-unavailable", func(t *testing.T, h *harness) error {
			id, store := ctStoreKey(t, h)
			blob := ctEncrypt(t, h, id)
			ctDisconnect(t, h, store)
			_, err := h.kms(adminCreds).ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: blob, DestinationKeyId: aws.String(ctSym(t, h))})
			return err
		}, wInvalidState, mUnavailable),
		row("ReEncrypt", "InvalidKeyUsageException/destination", reEncrypt(ctSym, nil, nil, ctHMAC, opts{}), wKeyUsage, mUsage("GENERATE_VERIFY_MAC", "ReEncrypt")),
		row("ReEncrypt", "InvalidGrantTokenException", reEncrypt(ctSym, nil, nil, ctSym, badToken), wGrantToken, mGrantToken),
		row("ReEncrypt", "DryRunOperationException", reEncrypt(ctSym, nil, nil, ctSym, dryRun), wDryRun, mDryRun),
		row("ReEncrypt", "DryRunOperationException/ignore-ciphertext", func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).ReEncrypt(ctx, &kms.ReEncryptInput{SourceKeyId: aws.String(ctSym(t, h)), DestinationKeyId: aws.String(ctSym(t, h)),
				DryRun: aws.Bool(true), DryRunModifiers: []types.DryRunModifierType{types.DryRunModifierTypeIgnoreCiphertext}})
			return err
		}, wDryRun, mDryRun),
		row("ReEncrypt", "ValidationException/algorithm-enum", func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: ctEncrypt(t, h, ctSym(t, h)), DestinationKeyId: aws.String(ctSym(t, h)), DestinationEncryptionAlgorithm: "BOGUS"})
			return err
		}, wValidation, `1 validation error detected: Value 'BOGUS' at 'destinationEncryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: \[SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE\]`),
	)

	// ReplicateKey
	replicate := func(region string, in func(*kms.ReplicateKeyInput)) keyFunc {
		return func(c *kms.Client, id string, _ opts) error {
			r := &kms.ReplicateKeyInput{KeyId: &id, ReplicaRegion: aws.String(region)}
			if in != nil {
				in(r)
			}
			_, err := c.ReplicateKey(ctx, r)
			return err
		}
	}
	add(keyRows("ReplicateKey", ctMRK, replicate("us-west-2", nil))...)
	add(
		row("ReplicateKey", "AlreadyExistsException", on(withReplica(ctMRK), replicate("us-west-2", nil), opts{}), wAlreadyExists,
			`The multi-Region key `+reKeyARN+` already has a replica in us-west-2\.`),
		row("ReplicateKey", "DisabledException", on(disabled(ctMRK), replicate("us-west-2", nil), opts{}), wDisabled, mDisabled),
		row("ReplicateKey", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctMRK), replicate("us-west-2", nil), opts{}), wInvalidState, mPendingDel),
		row("ReplicateKey", "UnsupportedOperationException/single-region-key", on(ctSym, replicate("us-west-2", nil), opts{}), wUnsupported, mNotMultiRgn),
		row("ReplicateKey", "MalformedPolicyDocumentException", on(ctMRK, replicate("us-west-2", func(r *kms.ReplicateKeyInput) { r.Policy = aws.String("{not json") }), opts{}), wMalformed, ""),
		row("ReplicateKey", "TagException", on(ctMRK, replicate("us-west-2", func(r *kms.ReplicateKeyInput) {
			r.Tags = []types.Tag{{TagKey: aws.String("aws:owner"), TagValue: aws.String("x")}}
		}), opts{}), wTag, `Tags beginning with aws: are reserved`),
		row("ReplicateKey", "ValidationException/same-region", on(ctMRK, replicate("us-east-1", nil), opts{}), wValidation,
			`ReplicaRegion us-east-1 is not a valid Region for a replica of `+reKeyARN+`\.`),
		row("ReplicateKey", "LimitExceededException/keys-in-replica-region", func(t *testing.T, h *harness) error {
			h = newHarness(t)
			id := ctMRK(t, h)
			fillKeyQuota(h, "us-west-2")
			return replicate("us-west-2", nil)(h.kms(adminCreds), id, opts{})
		}, wLimit, mQuota),
	)

	// RetireGrant
	retire := func(in func(t *testing.T, h *harness) *kms.RetireGrantInput, creds func(h *harness) aws.Credentials) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			_, err := h.kms(creds(h)).RetireGrant(ctx, in(t, h))
			return err
		}
	}
	asAdmin := func(*harness) aws.Credentials { return adminCreds }
	retirable := func(t *testing.T, h *harness) *kms.CreateGrantOutput {
		return ctGrant(t, h, ctSym(t, h), ctCallerARN(t, h, adminCreds))
	}
	add(
		row("RetireGrant", "success/by-token", retire(func(t *testing.T, h *harness) *kms.RetireGrantInput {
			return &kms.RetireGrantInput{GrantToken: retirable(t, h).GrantToken}
		}, asAdmin), nil, ""),
		row("RetireGrant", "success/by-key-and-grant-id", retire(func(t *testing.T, h *harness) *kms.RetireGrantInput {
			id := ctSym(t, h)
			g := ctGrant(t, h, id, ctCallerARN(t, h, adminCreds))
			return &kms.RetireGrantInput{KeyId: &id, GrantId: g.GrantId}
		}, asAdmin), nil, ""),
		row("RetireGrant", "InvalidGrantTokenException", retire(func(*testing.T, *harness) *kms.RetireGrantInput {
			return &kms.RetireGrantInput{GrantToken: aws.String("not-a-grant-token")}
		}, asAdmin), wGrantToken, mGrantToken),
		row("RetireGrant", "NotFoundException/unknown-grant", retire(func(t *testing.T, h *harness) *kms.RetireGrantInput {
			return &kms.RetireGrantInput{KeyId: aws.String(ctSym(t, h)), GrantId: aws.String("0000000000000000000000000000000000000000000000000000000000000000")}
		}, asAdmin), wNotFound, `Grant ID 0+ not found`),
		row("RetireGrant", "NotFoundException/unknown-key", retire(func(t *testing.T, h *harness) *kms.RetireGrantInput {
			return &kms.RetireGrantInput{KeyId: aws.String(ctMissing(t, h)), GrantId: aws.String("0000000000000000000000000000000000000000000000000000000000000000")}
		}, asAdmin), wNotFound, mNotFound),
		row("RetireGrant", "InvalidArnException/alias-name", retire(func(t *testing.T, h *harness) *kms.RetireGrantInput {
			return &kms.RetireGrantInput{KeyId: aws.String(aliasOf(ctSym)(t, h)), GrantId: aws.String("0000000000000000000000000000000000000000000000000000000000000000")}
		}, asAdmin), wInvalidArn, mAliasRefused),
		row("RetireGrant", "DryRunOperationException", retire(func(t *testing.T, h *harness) *kms.RetireGrantInput {
			return &kms.RetireGrantInput{GrantToken: retirable(t, h).GrantToken, DryRun: aws.Bool(true)}
		}, asAdmin), wDryRun, mDryRun),
		row("RetireGrant", "ValidationException/no-grant-named", retire(func(*testing.T, *harness) *kms.RetireGrantInput {
			return &kms.RetireGrantInput{}
		}, asAdmin), wValidation, `Either GrantToken, or both KeyId and GrantId must be specified\.`),
		row("RetireGrant", "AccessDeniedException/not-retiring-principal", retire(func(t *testing.T, h *harness) *kms.RetireGrantInput {
			return &kms.RetireGrantInput{GrantToken: ctGrant(t, h, ctSym(t, h), "").GrantToken}
		}, asAdmin), wAccessDenied, `User: \S+ is not authorized to perform: kms:RetireGrant on resource: `+reKeyARN+` because no resource-based policy allows the kms:RetireGrant action`),
	)

	// RevokeGrant
	revokeRow := func(key keySetup, grantID func(t *testing.T, h *harness, id string) string, o opts) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			id := key(t, h)
			gid := "0000000000000000000000000000000000000000000000000000000000000000"
			if grantID != nil {
				gid = grantID(t, h, id)
			}
			_, err := h.kms(adminCreds).RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: &id, GrantId: &gid, DryRun: o.dryRun})
			return err
		}
	}
	realGrant := func(t *testing.T, h *harness, id string) string { return *ctGrant(t, h, id, "").GrantId }
	add(
		row("RevokeGrant", "success", revokeRow(ctSym, realGrant, opts{}), nil, ""),
		row("RevokeGrant", "InvalidArnException/alias-name", revokeRow(aliasOf(ctSym), nil, opts{}), wInvalidArn, mAliasRefused),
		row("RevokeGrant", "NotFoundException/unknown-key", revokeRow(ctMissing, nil, opts{}), wNotFound, mNotFound),
		row("RevokeGrant", "NotFoundException/unknown-grant", revokeRow(ctSym, nil, opts{}), wNotFound, `Grant ID 0+ not found`),
		row("RevokeGrant", "DryRunOperationException", revokeRow(ctSym, realGrant, dryRun), wDryRun, mDryRun),
		row("RevokeGrant", "ValidationException/grant-id-too-long", revokeRow(ctSym, func(*testing.T, *harness, string) string { return strings.Repeat("0", 129) }, opts{}), wValidation,
			`1 validation error detected: Value '0+' at 'grantId' failed to satisfy constraint: Member must have length less than or equal to 128`),
	)

	// RotateKeyOnDemand
	rotate := func(c *kms.Client, id string, _ opts) error {
		_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: &id})
		return err
	}
	add(keyRows("RotateKeyOnDemand", ctSym, rotate)...)
	add(
		row("RotateKeyOnDemand", "DisabledException", on(disabled(ctSym), rotate, opts{}), wDisabled, mDisabled),
		row("RotateKeyOnDemand", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSym), rotate, opts{}), wInvalidState, mPendingDel),
		row("RotateKeyOnDemand", "UnsupportedOperationException/hmac-key", on(ctHMAC, rotate, opts{}), wUnsupported, reKeyARN+` key spec HMAC_256 is not valid for this operation\.`),
		row("RotateKeyOnDemand", "KMSInvalidStateException/pending-import", on(ctExternal, rotate, opts{}), wInvalidState, mPendingImport),
		row("RotateKeyOnDemand", "KMSInvalidStateException/no-pending-material", on(ctImported, rotate, opts{}), wInvalidState,
			`No available key material pending rotation for the key: `+reKeyARN+`\.`),
		row("RotateKeyOnDemand", "success/imported-pending-material", func(t *testing.T, h *harness) error {
			id := ctImported(t, h)
			must(t, ctImportAs(t, h, id, randomBytes(32), types.ImportTypeNewKeyMaterial, ""))
			return rotate(h.kms(adminCreds), id, opts{})
		}, nil, ""),
		row("RotateKeyOnDemand", "UnsupportedOperationException/external-asymmetric", on(ctImportedSigner, rotate, opts{}), wUnsupported, mOrigin("EXTERNAL")),
		row("RotateKeyOnDemand", "LimitExceededException/on-demand-rotations", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			for range maxOnDemandRotations {
				must(t, rotate(h.kms(adminCreds), id, opts{}))
			}
			return rotate(h.kms(adminCreds), id, opts{})
		}, wLimit, `The on-demand rotations limit has been reached for the given keyId\. No more on-demand rotations can be performed for this key: `+reKeyARN),
	)

	// ScheduleKeyDeletion
	scheduleDeletion := func(days int32) keyFunc {
		return func(c *kms.Client, id string, _ opts) error {
			_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(days)})
			return err
		}
	}
	add(keyRows("ScheduleKeyDeletion", ctSym, scheduleDeletion(7))...)
	add(
		row("ScheduleKeyDeletion", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSym), scheduleDeletion(7), opts{}), wInvalidState, mPendingDel),
		row("ScheduleKeyDeletion", "ValidationException/window-below-7", on(ctSym, scheduleDeletion(3), opts{}), wValidation, `PendingWindowInDays value must be between 7 and 30\.`),
		row("ScheduleKeyDeletion", "ValidationException/window-range", on(ctSym, scheduleDeletion(400), opts{}), wValidation,
			`1 validation error detected: Value '400' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365`),
	)

	// Sign / Verify
	sign := func(c *kms.Client, id string, o opts) error {
		_, err := c.Sign(ctx, &kms.SignInput{KeyId: &id, Message: []byte("contract"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, GrantTokens: o.tokens, DryRun: o.dryRun})
		return err
	}
	add(cryptoRows("Sign", ctSigner, sign, ctSym, "ENCRYPT_DECRYPT")...)
	add(
		row("Sign", "InvalidKeyUsageException/algorithm", func(t *testing.T, h *harness) error {
			id := ctSigner(t, h)
			_, err := h.kms(adminCreds).Sign(ctx, &kms.SignInput{KeyId: &id, Message: []byte("m"), SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha256})
			return err
		}, wKeyUsage, mAlgorithm("RSASSA_PSS_SHA_256", "ECC_NIST_P256")),
		row("Sign", "ValidationException/digest-length", func(t *testing.T, h *harness) error {
			id := ctSigner(t, h)
			_, err := h.kms(adminCreds).Sign(ctx, &kms.SignInput{KeyId: &id, Message: []byte("short"), MessageType: types.MessageTypeDigest, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
			return err
		}, wValidation, `Digest is invalid length for algorithm ECDSA_SHA_256\.`),
	)
	verify := func(prep keySetup, after func(*testing.T, *harness, string), tamper bool, o opts) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			id := prep(t, h)
			c := h.kms(adminCreds)
			sig := randomBytes(64)
			if out, err := c.Sign(ctx, &kms.SignInput{KeyId: &id, Message: []byte("contract"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}); err == nil {
				sig = out.Signature
			}
			msg := []byte("contract")
			if tamper {
				msg = []byte("tampered")
			}
			if after != nil {
				after(t, h, id)
			}
			_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: &id, Message: msg, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
				GrantTokens: o.tokens, DryRun: o.dryRun})
			return err
		}
	}
	add(
		row("Verify", "success", verify(ctSigner, nil, false, opts{}), nil, ""),
		row("Verify", "NotFoundException/unknown-key", verify(ctMissing, nil, false, opts{}), wNotFound, mNotFound),
		row("Verify", "ValidationException/keyId-too-long", verify(ctLong, nil, false, opts{}), wValidation, mKeyIDLength),
		row("Verify", "DisabledException", verify(ctSigner, disable, false, opts{}), wDisabled, mDisabled),
		row("Verify", "KMSInvalidStateException/pending-deletion", verify(ctSigner, schedule, false, opts{}), wInvalidState, mPendingDel),
		row("Verify", "InvalidKeyUsageException/wrong-key-usage", verify(ctSym, nil, false, opts{}), wKeyUsage, mUsage("ENCRYPT_DECRYPT", "Verify")),
		row("Verify", "InvalidGrantTokenException", verify(ctSigner, nil, false, badToken), wGrantToken, mGrantToken),
		row("Verify", "DryRunOperationException", verify(ctSigner, nil, false, dryRun), wDryRun, mDryRun),
		row("Verify", "KMSInvalidSignatureException", verify(ctSigner, nil, true, opts{}), wInvalidSig, ""),
	)

	// TagResource / UntagResource
	tag := func(tags ...types.Tag) keyFunc {
		return func(c *kms.Client, id string, _ opts) error {
			_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: tags})
			return err
		}
	}
	one := types.Tag{TagKey: aws.String("team"), TagValue: aws.String("contract")}
	add(keyRows("TagResource", ctSym, tag(one))...)
	var fifty []types.Tag
	for i := range 50 {
		fifty = append(fifty, types.Tag{TagKey: aws.String(fmt.Sprintf("k%02d", i)), TagValue: aws.String("v")})
	}
	add(
		row("TagResource", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSym), tag(one), opts{}), wInvalidState, mPendingDel),
		row("TagResource", "TagException/reserved-prefix", on(ctSym, tag(types.Tag{TagKey: aws.String("aws:team"), TagValue: aws.String("x")}), opts{}), wTag, `Tags beginning with aws: are reserved`),
		row("TagResource", "TagException/too-many-tags", func(t *testing.T, h *harness) error {
			id := ctSym(t, h)
			must(t, tag(fifty...)(h.kms(adminCreds), id, opts{}))
			return tag(one)(h.kms(adminCreds), id, opts{})
		}, wTag, `Too many tags`),
		row("TagResource", "ValidationException/tag-key-too-long", on(ctSym, tag(types.Tag{TagKey: aws.String(strings.Repeat("k", 129)), TagValue: aws.String("v")}), opts{}), wValidation,
			`1 validation error detected: Value 'k+' at 'tags\.1\.member\.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`),
	)
	untag := func(keys ...string) keyFunc {
		return func(c *kms.Client, id string, _ opts) error {
			_, err := c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: &id, TagKeys: keys})
			return err
		}
	}
	add(keyRows("UntagResource", ctSym, untag("team"))...)
	add(
		row("UntagResource", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSym), untag("team"), opts{}), wInvalidState, mPendingDel),
		row("UntagResource", "ValidationException/empty-tag-key", on(ctSym, untag(""), opts{}), wValidation,
			`1 validation error detected: Value '' at 'tagKeys\.1\.member' failed to satisfy constraint: Member must have length greater than or equal to 1`),
	)

	// UpdateAlias
	updateAlias := func(current keySetup, alias func(t *testing.T, h *harness, current string) string, target keySetup) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			name := alias(t, h, current(t, h))
			_, err := h.kms(adminCreds).UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: &name, TargetKeyId: aws.String(target(t, h))})
			return err
		}
	}
	newAlias := func(t *testing.T, h *harness, id string) string {
		name := "alias/" + ctName("moving")
		must(t, createAlias(func(*testing.T, *harness) string { return id }, name)(t, h))
		return name
	}
	missingAlias := func(*testing.T, *harness, string) string { return "alias/" + ctName("missing") }
	add(
		row("UpdateAlias", "success", updateAlias(ctSym, newAlias, ctSym), nil, ""),
		row("UpdateAlias", "NotFoundException/unknown-alias", updateAlias(ctSym, missingAlias, ctSym), wNotFound, mAliasNotFound),
		row("UpdateAlias", "NotFoundException/unknown-target", updateAlias(ctSym, newAlias, ctMissing), wNotFound, mNotFound),
		row("UpdateAlias", "KMSInvalidStateException/target-pending-deletion", updateAlias(ctSym, newAlias, pendingDeletion(ctSym)), wInvalidState, mPendingDel),
		row("UpdateAlias", "ValidationException/different-key-type", updateAlias(ctSym, newAlias, ctHMAC), wValidation,
			`Alias arn:aws:kms:us-east-1:111122223333:alias/moving-\S+ cannot be changed from a key with key spec SYMMETRIC_DEFAULT and key usage ENCRYPT_DECRYPT to a key with key spec HMAC_256 and key usage GENERATE_VERIFY_MAC\. The current and new KMS key must be the same type and have the same key usage\.`),
		row("UpdateAlias", "NotAuthorizedException/aws-prefix", updateAlias(ctSym, func(*testing.T, *harness, string) string { return "alias/aws/contract" }, ctSym), wNotAuthorized,
			`Cannot update alias with prefix 'alias/aws/'`),
	)

	// UpdateCustomKeyStore
	updateStore := func(in func(t *testing.T, h *harness) *kms.UpdateCustomKeyStoreInput) func(*testing.T, *harness) error {
		return func(t *testing.T, h *harness) error {
			_, err := h.kms(adminCreds).UpdateCustomKeyStore(ctx, in(t, h))
			return err
		}
	}
	add(
		row("UpdateCustomKeyStore", "success/rename", updateStore(func(t *testing.T, h *harness) *kms.UpdateCustomKeyStoreInput {
			return &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: aws.String(ctStore(t, h, true)), NewCustomKeyStoreName: aws.String(ctName("renamed"))}
		}), nil, ""),
		row("UpdateCustomKeyStore", "CustomKeyStoreNotFoundException", updateStore(func(*testing.T, *harness) *kms.UpdateCustomKeyStoreInput {
			return &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: aws.String("cks-1234567890abcdef0"), NewCustomKeyStoreName: aws.String("x")}
		}), wCKSNotFound, mStoreNotFound),
		row("UpdateCustomKeyStore", "CustomKeyStoreNameInUseException", updateStore(func(t *testing.T, h *harness) *kms.UpdateCustomKeyStoreInput {
			first, second := ctStore(t, h, false), ctStore(t, h, false)
			d, err := h.kms(adminCreds).DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: &first})
			must(t, err)
			return &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: &second, NewCustomKeyStoreName: d.CustomKeyStores[0].CustomKeyStoreName}
		}), wCKSNameInUse, `The custom key store name store-\S+ is already in use\.`),
		row("UpdateCustomKeyStore", "CustomKeyStoreInvalidStateException/connected", updateStore(func(t *testing.T, h *harness) *kms.UpdateCustomKeyStoreInput {
			return &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: aws.String(ctStore(t, h, true)), KeyStorePassword: aws.String("new-password")}
		}), wCKSInvalidState, `Custom key store cks-\w+ must be disconnected to update its settings\. Its connection state is CONNECTED\.`),
		row("UpdateCustomKeyStore", "XksProxyUriInUseException", updateStore(func(t *testing.T, h *harness) *kms.UpdateCustomKeyStoreInput {
			endpoint := "https://" + ctName("proxy") + ".example.com"
			_, err := h.kms(adminCreds).CreateCustomKeyStore(ctx, ctXKSInput(endpoint))
			must(t, err)
			other, err := h.kms(adminCreds).CreateCustomKeyStore(ctx, ctXKSInput("https://"+ctName("proxy")+".example.com"))
			must(t, err)
			return &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: other.CustomKeyStoreId, XksProxyUriEndpoint: &endpoint}
		}), wXksURIInUse, `The external key store proxy URI https://\S+/kms/xks/v1 is already in use\.`),
		row("UpdateCustomKeyStore", "ValidationException/settings-of-other-type", updateStore(func(t *testing.T, h *harness) *kms.UpdateCustomKeyStoreInput {
			return &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: aws.String(ctStore(t, h, false)), XksProxyUriPath: aws.String("/kms/xks/v1")}
		}), wValidation, `The settings in the request do not apply to a custom key store of type AWS_CLOUDHSM\.`),
	)

	// UpdateKeyDescription
	describe := func(desc string) keyFunc {
		return func(c *kms.Client, id string, _ opts) error {
			_, err := c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: &id, Description: &desc})
			return err
		}
	}
	add(keyRows("UpdateKeyDescription", ctSym, describe("contract"))...)
	add(
		row("UpdateKeyDescription", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctSym), describe("contract"), opts{}), wInvalidState, mPendingDel),
		row("UpdateKeyDescription", "ValidationException/description-too-long", on(ctSym, describe(strings.Repeat("d", 8193)), opts{}), wValidation,
			`1 validation error detected: Value 'd+' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192`),
	)

	// UpdatePrimaryRegion
	primaryRegion := func(region string) keyFunc {
		return func(c *kms.Client, id string, _ opts) error {
			_, err := c.UpdatePrimaryRegion(ctx, &kms.UpdatePrimaryRegionInput{KeyId: &id, PrimaryRegion: aws.String(region)})
			return err
		}
	}
	add(keyRows("UpdatePrimaryRegion", withReplica(ctMRK), primaryRegion("us-west-2"))...)
	add(
		row("UpdatePrimaryRegion", "DisabledException", on(disabled(withReplica(ctMRK)), primaryRegion("us-west-2"), opts{}), wDisabled, mDisabled),
		row("UpdatePrimaryRegion", "KMSInvalidStateException/pending-deletion", on(pendingDeletion(ctMRK), primaryRegion("us-west-2"), opts{}), wInvalidState, mPendingDel),
		row("UpdatePrimaryRegion", "UnsupportedOperationException/single-region-key", on(ctSym, primaryRegion("us-west-2"), opts{}), wUnsupported, mNotMultiRgn),
		row("UpdatePrimaryRegion", "NotFoundException/no-replica-in-region", on(ctMRK, primaryRegion("eu-west-1"), opts{}), wNotFound,
			`Key 'arn:aws:kms:eu-west-1:111122223333:key/mrk-\w+' does not exist`),
		row("UpdatePrimaryRegion", "ValidationException/region-pattern", on(ctMRK, primaryRegion("moon"), opts{}), wValidation,
			`1 validation error detected: Value 'moon' at 'primaryRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: \^\(\[a-z\]\+-\)\{2,3\}\\d\+\$`),
	)

	return rows
}

// notProducible explains each modeled error the table has no row for: "Operation/Exception", or
// "*/Exception" for every operation that lists it.
var notProducible = map[string]string{
	"*/KMSInternalException":                                    "an internal fault: kmsim returns it only for corrupt state, which no API call can cause",
	"*/DependencyTimeoutException":                              "kmsim has no dependency that can time out",
	"*/KeyUnavailableException":                                 "kmsim reports keys in a disconnected custom key store as KMSInvalidStateException (Unavailable), as the key state table does",
	"*/CloudHsmClusterNotActiveException":                       "kmsim simulates the CloudHSM cluster: it is always active",
	"*/CloudHsmClusterInvalidConfigurationException":            "kmsim simulates the CloudHSM cluster: its configuration is always valid",
	"*/CloudHsmClusterNotFoundException":                        "kmsim simulates the CloudHSM cluster: any well-formed cluster id exists",
	"*/IncorrectTrustAnchorException":                           "kmsim does not check the trust anchor certificate against a cluster",
	"*/XksProxyUriEndpointInUseException":                       "kmsim reports a reused proxy endpoint+path as XksProxyUriInUseException and allows the same endpoint with another path",
	"*/XksProxyUriUnreachableException":                         "kmsim never contacts an external key store proxy",
	"*/XksProxyIncorrectAuthenticationCredentialException":      "kmsim never contacts an external key store proxy",
	"*/XksProxyVpcEndpointServiceInUseException":                "kmsim does not track VPC endpoint services across stores",
	"*/XksProxyVpcEndpointServiceNotFoundException":             "kmsim does not look up VPC endpoint services",
	"*/XksProxyVpcEndpointServiceInvalidConfigurationException": "kmsim does not look up VPC endpoint services",
	"*/XksProxyInvalidResponseException":                        "kmsim never contacts an external key store proxy",
	"*/XksProxyInvalidConfigurationException":                   "kmsim never contacts an external key store proxy",
	"*/XksKeyInvalidConfigurationException":                     "kmsim never contacts an external key store proxy to check the external key",
	"*/XksKeyAlreadyInUseException":                             "kmsim does not track external key ids across KMS keys",
	"*/XksKeyNotFoundException":                                 "kmsim never contacts an external key store proxy to find the external key",
	"*/InvalidGrantIdException":                                 "kmsim reports an unknown grant id as NotFoundException (\"Grant ID … not found\"); no recording of AWS shows another answer",
	"CreateKey/InvalidArnException":                             "kmsim reports an invalid ARN in a new key policy as MalformedPolicyDocumentException (rows above); no recording of AWS shows another answer",
	"ListRetirableGrants/InvalidArnException":                   "kmsim takes any retiring principal and lists its grants (none for an unknown one); no recording of AWS shows another answer",
	"DescribeKey/InvalidArnException":                           "DescribeKey takes aliases; a malformed or other-Region ARN is NotFoundException (\"Invalid arn …\"), as AWS answers (recorded)",
	"GetPublicKey/InvalidArnException":                          "GetPublicKey takes aliases; a malformed or other-Region ARN is NotFoundException (\"Invalid arn …\"), as AWS answers (recorded)",

	"ConnectCustomKeyStore/CustomKeyStoreInvalidStateException":         "kmsim's stores are CONNECTED or DISCONNECTED and connecting either succeeds",
	"DisconnectCustomKeyStore/CustomKeyStoreInvalidStateException":      "kmsim's stores are CONNECTED or DISCONNECTED and disconnecting either succeeds",
	"CreateAlias/InvalidAliasNameException":                             "kmsim reports a bad alias name as ValidationException and a reserved alias/aws/ name as NotAuthorizedException (rows above)",
	"DeleteAlias/KMSInvalidStateException":                              "DeleteAlias succeeds in every key state (key state table)",
	"DeleteImportedKeyMaterial/KMSInvalidStateException":                "only the Creating and Updating states refuse it, and no kmsim key can be in them",
	"EnableKey/LimitExceededException":                                  "kmsim has no quota on enabled keys",
	"GenerateDataKeyPairWithoutPlaintext/UnsupportedOperationException": "the SDK's input has no Recipient member and kmsim accepts keys in custom key stores, so nothing raises it",
	"GetKeyPolicy/KMSInvalidStateException":                             "GetKeyPolicy succeeds in every key state (key state table)",
	"GetKeyRotationStatus/KMSInvalidStateException":                     "the key state table refuses it only with UnsupportedOperationException (EXTERNAL origin, custom key store)",
	"GetPublicKey/InvalidKeyUsageException":                             "kmsim returns the public key of an asymmetric key of any usage, as AWS does; symmetric keys get UnsupportedOperationException",
	"ListGrants/KMSInvalidStateException":                               "ListGrants succeeds in every key state (key state table)",
	"ListKeyPolicies/KMSInvalidStateException":                          "ListKeyPolicies succeeds in every key state (key state table)",
	"ListKeyRotations/KMSInvalidStateException":                         "the key state table refuses it only with UnsupportedOperationException (EXTERNAL origin, custom key store)",
	"ListRetirableGrants/NotFoundException":                             "kmsim does not resolve the retiring principal: an unknown principal simply has no grants",
	"PutKeyPolicy/UnsupportedOperationException":                        "kmsim supports only the default policy name and reports others as NotFoundException",
	"PutKeyPolicy/KMSInvalidStateException":                             "PutKeyPolicy succeeds in every key state (key state table)",
	"RetireGrant/KMSInvalidStateException":                              "RetireGrant succeeds in every key state (key state table)",
	"RevokeGrant/KMSInvalidStateException":                              "RevokeGrant succeeds in every key state (key state table)",
	"RotateKeyOnDemand/ConflictException":                               "kmsim rotates synchronously, so no rotation is ever in progress",
	"TagResource/LimitExceededException":                                "kmsim reports the 50-tags-per-key quota as TagException (\"Too many tags\", row above)",
	"UntagResource/TagException":                                        "kmsim accepts any tag key to remove, including absent and aws: keys",
	"UpdateAlias/LimitExceededException":                                "retargeting an alias cannot exceed the aliases-per-key quota in kmsim",
	"UpdateCustomKeyStore/CloudHsmClusterNotRelatedException":           "kmsim does not relate CloudHSM clusters to one another (backup lineage)",
}

// TestContractCoverage holds the table to kmsOperations (every operation has a success row) and to
// the service model (every modeled error of every operation has a row or a reason in notProducible).
func TestContractCoverage(t *testing.T) {
	success := map[string]bool{}
	covered := map[string]bool{} // "Op/Exception"
	for _, c := range contractCases() {
		if _, ok := kmsOperations[c.op]; !ok {
			t.Errorf("row %s/%s: %s is not a kmsim operation", c.op, c.name, c.op)
		}
		if c.want == nil {
			success[c.op] = true
			continue
		}
		covered[c.op+"/"+c.want.code] = true
	}
	var missing []string
	for op := range kmsOperations {
		if !success[op] {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations without a success row: %s", strings.Join(missing, ", "))
	}

	raw, err := os.ReadFile(contractModel)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("service model %s not present", contractModel)
	}
	must(t, err)
	var model struct {
		Operations map[string]struct {
			Errors []struct{ Shape string }
		}
	}
	must(t, json.Unmarshal(raw, &model))
	modeled := map[string]bool{}
	var gaps []string
	for op, o := range model.Operations {
		if _, ok := kmsOperations[op]; !ok {
			t.Errorf("the model's operation %s is not in kmsOperations", op)
			continue
		}
		for _, e := range o.Errors {
			id := op + "/" + e.Shape
			modeled[id] = true
			reason, explained := notProducible[id]
			if !explained {
				reason, explained = notProducible["*/"+e.Shape]
			}
			switch {
			case covered[id] && explained && notProducible[id] != "":
				t.Errorf("%s has rows but notProducible says: %s", id, reason)
			case !covered[id] && (!explained || reason == ""):
				gaps = append(gaps, id)
			}
		}
	}
	sort.Strings(gaps)
	if len(gaps) > 0 {
		t.Errorf("modeled errors with no row and no reason in notProducible:\n  %s", strings.Join(gaps, "\n  "))
	}
	for id, reason := range notProducible {
		if !strings.HasPrefix(id, "*/") && !modeled[id] && reason != "" {
			t.Errorf("notProducible[%q]: the model does not list this error for the operation", id)
		}
	}
}

// TestContract runs the table: one harness per operation, one subtest per row.
func TestContract(t *testing.T) {
	byOp := map[string][]contractCase{}
	for _, c := range contractCases() {
		byOp[c.op] = append(byOp[c.op], c)
	}
	ops := make([]string, 0, len(byOp))
	for op := range byOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		t.Run(op, func(t *testing.T) {
			h := newHarness(t)
			for _, c := range byOp[op] {
				t.Run(c.name, func(t *testing.T) {
					err := c.call(t, h)
					if c.want == nil {
						if err != nil {
							t.Fatalf("want success, got %v", err)
						}
						return
					}
					msg := c.want.check(t, err)
					if c.msg != "" && !regexp.MustCompile(`^(?:`+c.msg+`)$`).MatchString(msg) {
						t.Fatalf("%s message %q does not match %q", c.want.code, msg, c.msg)
					}
				})
			}
		})
	}
}
