package simulator

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// createCloudHSMStore creates an AWS_CLOUDHSM custom key store named name on cluster.
func createCloudHSMStore(t *testing.T, c *kms.Client, name, cluster string) string {
	t.Helper()
	out, err := c.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String(name),
		CloudHsmClusterId: aws.String(cluster), TrustAnchorCertificate: aws.String("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
		KeyStorePassword: aws.String("kmsuser-password")})
	must(t, err)
	return *out.CustomKeyStoreId
}

func TestCustomKeyStoreLifecycle(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	id := createCloudHSMStore(t, c, "ExampleKeyStore", "cluster-234abcdefgh")
	if !strings.HasPrefix(id, "cks-") || len(id) != 21 {
		t.Fatalf("store id %q", id)
	}
	_, err := c.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String("ExampleKeyStore"),
		CloudHsmClusterId: aws.String("cluster-345bcdefghi"), TrustAnchorCertificate: aws.String("x"), KeyStorePassword: aws.String("password1")})
	wantAPIError[*types.CustomKeyStoreNameInUseException](t, err)
	_, err = c.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String("Other"),
		CloudHsmClusterId: aws.String("cluster-234abcdefgh"), TrustAnchorCertificate: aws.String("x"), KeyStorePassword: aws.String("password1")})
	wantAPIError[*types.CloudHsmClusterInUseException](t, err)
	_, err = c.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String("Bad"), CloudHsmClusterId: aws.String("not-a-cluster")})
	wantErrorCode(t, err, "ValidationException")

	state := func() types.ConnectionStateType {
		t.Helper()
		out, err := c.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: aws.String(id)})
		must(t, err)
		if len(out.CustomKeyStores) != 1 || *out.CustomKeyStores[0].CloudHsmClusterId != "cluster-234abcdefgh" {
			t.Fatalf("stores %+v", out.CustomKeyStores)
		}
		return out.CustomKeyStores[0].ConnectionState
	}
	if got := state(); got != types.ConnectionStateTypeDisconnected {
		t.Fatalf("new store is %s", got)
	}
	_, err = c.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	must(t, err)
	if got := state(); got != types.ConnectionStateTypeConnected {
		t.Fatalf("after connect: %s", got)
	}
	_, err = c.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: aws.String(id), KeyStorePassword: aws.String("new-password")})
	wantAPIError[*types.CustomKeyStoreInvalidStateException](t, err)
	_, err = c.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	wantAPIError[*types.CustomKeyStoreInvalidStateException](t, err)
	_, err = c.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: aws.String(id), NewCustomKeyStoreName: aws.String("Renamed")})
	must(t, err)
	_, err = c.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	must(t, err)
	_, err = c.UpdateCustomKeyStore(ctx, &kms.UpdateCustomKeyStoreInput{CustomKeyStoreId: aws.String(id), KeyStorePassword: aws.String("new-password")})
	must(t, err)
	byName, err := c.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreName: aws.String("Renamed")})
	must(t, err)
	if len(byName.CustomKeyStores) != 1 || *byName.CustomKeyStores[0].CustomKeyStoreId != id {
		t.Fatalf("by name %+v", byName.CustomKeyStores)
	}
	_, err = c.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	must(t, err)
	_, err = c.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(id)})
	wantAPIError[*types.CustomKeyStoreNotFoundException](t, err)
	_, err = c.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreName: aws.String("Renamed")})
	wantAPIError[*types.CustomKeyStoreNotFoundException](t, err)
	// The developer's IAM policies do not allow managing key stores.
	_, err = h.kms(developerCreds).DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{})
	wantErrorCode(t, err, "AccessDeniedException")
}

func TestExternalKeyStore(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	cred := &types.XksProxyAuthenticationCredentialType{AccessKeyId: aws.String("ABCDE12345670EXAMPLE"), RawSecretAccessKey: aws.String("DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo=")}
	out, err := c.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String("xks"), CustomKeyStoreType: types.CustomKeyStoreTypeExternalKeyStore,
		XksProxyConnectivity: types.XksProxyConnectivityTypeVpcEndpointService, XksProxyUriEndpoint: aws.String("https://myproxy-private.xks.example.com"),
		XksProxyUriPath: aws.String("/kms/xks/v1"), XksProxyVpcEndpointServiceName: aws.String("com.amazonaws.vpce.us-east-1.vpce-svc-example1"),
		XksProxyAuthenticationCredential: cred})
	must(t, err)
	d, err := c.DescribeCustomKeyStores(ctx, &kms.DescribeCustomKeyStoresInput{CustomKeyStoreId: out.CustomKeyStoreId})
	must(t, err)
	x := d.CustomKeyStores[0].XksProxyConfiguration
	if d.CustomKeyStores[0].CustomKeyStoreType != types.CustomKeyStoreTypeExternalKeyStore || x == nil || *x.UriPath != "/kms/xks/v1" || *x.AccessKeyId != "ABCDE12345670EXAMPLE" {
		t.Fatalf("xks store %+v %+v", d.CustomKeyStores[0], x)
	}
	_, err = c.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String("xks2"), CustomKeyStoreType: types.CustomKeyStoreTypeExternalKeyStore,
		XksProxyConnectivity: types.XksProxyConnectivityTypePublicEndpoint, XksProxyUriEndpoint: aws.String("https://myproxy-private.xks.example.com"),
		XksProxyUriPath: aws.String("/kms/xks/v1"), XksProxyAuthenticationCredential: cred})
	wantAPIError[*types.XksProxyUriInUseException](t, err)
	// The proxy secret never reaches the trail.
	for _, r := range h.records() {
		if strings.Contains(mustJSON(t, r), "DXjSUawnel2fr6SKC7G25") {
			t.Fatalf("trail holds the proxy secret: %s", mustJSON(t, r))
		}
	}
}

// TestKeysInCustomKeyStore: a key in a custom key store is usable while the store is connected
// and Unavailable while it is not; the store cannot be deleted while it holds keys.
func TestKeysInCustomKeyStore(t *testing.T) {
	h := newHarness(t)
	c := h.kms(adminCreds)
	store := createCloudHSMStore(t, c, "hsm", "cluster-234abcdefgh")
	_, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm, CustomKeyStoreId: aws.String(store)})
	if msg := wantAPIError[*types.CustomKeyStoreInvalidStateException](t, err); !strings.Contains(msg, "is not connected") {
		t.Fatalf("message %q", msg)
	}
	_, err = c.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(store)})
	must(t, err)
	key, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeAwsCloudhsm, CustomKeyStoreId: aws.String(store)})
	must(t, err)
	md := key.KeyMetadata
	if md.Origin != types.OriginTypeAwsCloudhsm || *md.CustomKeyStoreId != store || *md.CloudHsmClusterId != "cluster-234abcdefgh" {
		t.Fatalf("metadata %+v", md)
	}
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: md.KeyId, Plaintext: []byte("in the HSM")})
	must(t, err)
	_, err = c.DisconnectCustomKeyStore(ctx, &kms.DisconnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(store)})
	must(t, err)
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	must(t, err)
	if d.KeyMetadata.KeyState != types.KeyStateUnavailable {
		t.Fatalf("key in a disconnected store is %s", d.KeyMetadata.KeyState)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if msg := wantAPIError[*types.KMSInvalidStateException](t, err); msg != *md.Arn+" is unavailable. You cannot perform this operation on an unavailable KMS key." {
		t.Fatalf("message %q", msg)
	}
	_, err = c.DeleteCustomKeyStore(ctx, &kms.DeleteCustomKeyStoreInput{CustomKeyStoreId: aws.String(store)})
	wantAPIError[*types.CustomKeyStoreHasCMKsException](t, err)
	_, err = c.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: aws.String(store)})
	must(t, err)
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	must(t, err)
	if string(dec.Plaintext) != "in the HSM" {
		t.Fatalf("plaintext %q", dec.Plaintext)
	}
	// External key stores need the external key's id.
	xks, err := c.CreateCustomKeyStore(ctx, &kms.CreateCustomKeyStoreInput{CustomKeyStoreName: aws.String("xks"), CustomKeyStoreType: types.CustomKeyStoreTypeExternalKeyStore,
		XksProxyConnectivity: types.XksProxyConnectivityTypePublicEndpoint, XksProxyUriEndpoint: aws.String("https://xks.example.com"), XksProxyUriPath: aws.String("/kms/xks/v1"),
		XksProxyAuthenticationCredential: &types.XksProxyAuthenticationCredentialType{AccessKeyId: aws.String("ABCDE12345670EXAMPLE"), RawSecretAccessKey: aws.String("DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo=")}})
	must(t, err)
	_, err = c.ConnectCustomKeyStore(ctx, &kms.ConnectCustomKeyStoreInput{CustomKeyStoreId: xks.CustomKeyStoreId})
	must(t, err)
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternalKeyStore, CustomKeyStoreId: xks.CustomKeyStoreId})
	wantErrorCode(t, err, "ValidationException")
	xk, err := c.CreateKey(ctx, &kms.CreateKeyInput{Origin: types.OriginTypeExternalKeyStore, CustomKeyStoreId: xks.CustomKeyStoreId, XksKeyId: aws.String("ext-key-1")})
	must(t, err)
	if xk.KeyMetadata.XksKeyConfiguration == nil || *xk.KeyMetadata.XksKeyConfiguration.Id != "ext-key-1" {
		t.Fatalf("xks key %+v", xk.KeyMetadata)
	}
}
