package simulator

import "fmt"

// keyStates are the key states of the guide's key state table, in its column order.
var keyStates = [...]string{"Enabled", "Disabled", "PendingDeletion", "PendingReplicaDeletion", "PendingImport", "Unavailable", "Creating", "Updating"}

// stateOutcome is one cell of the key state table: the operation proceeds (ok), or fails with
// the exception of the guide's footnote.
type stateOutcome int

const (
	ok                 stateOutcome = iota
	failDisabled                    // footnote 1: DisabledException: <key ARN> is disabled.
	failPendingDelete               // footnote 3: KMSInvalidStateException: <key ARN> is pending deletion.
	failNotPendingDel               // footnote 4: KMSInvalidStateException: <key ARN> is not pending deletion.
	failPendingImport               // footnote 5: KMSInvalidStateException: <key ARN> is pending import.
	failOriginExternal              // footnote 6: UnsupportedOperationException: origin is EXTERNAL
	failUnavailable                 // footnote 11: KMSInvalidStateException: <key ARN> is unavailable.
	failCreating                    // footnote 14: KMSInvalidStateException: <key ARN> is creating.
	failUpdating                    // footnote 15: KMSInvalidStateException: <key ARN> is updating.
	failCustomStore                 // footnotes 7, 9: UnsupportedOperationException for keys in a custom key store
	notApplicable                   // N/A: the key type cannot be in this state
)

// Short names keep the table below readable: one row per operation, one column per key state.
const (
	ok_ = ok
	dis = failDisabled
	pdl = failPendingDelete
	npd = failNotPendingDel
	pim = failPendingImport
	ext = failOriginExternal
	una = failUnavailable
	cre = failCreating
	upd = failUpdating
	cks = failCustomStore
	n_a = notApplicable
)

// keyStateTable is the guide's key state table (Managing keys > Key states of AWS KMS keys).
// Conditional cells (footnotes 7–10, 12) are ok here: the operation's own checks — key type,
// origin, custom key store — decide them. TestKeyStateTable checks every cell against
// ../shared/reference/key-states.json.
var keyStateTable = map[string][len(keyStates)]stateOutcome{
	//                                      Enabled Disabled PendDel PendRepl PendImp Unavail Creating Updating
	"CancelKeyDeletion":                   {npd, npd, ok_, ok_, npd, npd, npd, npd},
	"CreateAlias":                         {ok_, ok_, pdl, pdl, ok_, ok_, ok_, ok_},
	"CreateGrant":                         {ok_, dis, pdl, pdl, pim, ok_, cre, ok_},
	"Decrypt":                             {ok_, dis, pdl, pdl, pim, una, cre, ok_},
	"DeleteAlias":                         {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"DeleteImportedKeyMaterial":           {ok_, ok_, ok_, ok_, ok_, n_a, cre, upd},
	"DescribeKey":                         {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"DisableKey":                          {ok_, ok_, pdl, pdl, pim, ok_, cre, upd},
	"DisableKeyRotation":                  {ok_, dis, pdl, pdl, ext, cks, cre, ok_},
	"EnableKey":                           {ok_, ok_, pdl, pdl, pim, ok_, cre, upd},
	"EnableKeyRotation":                   {ok_, dis, pdl, pdl, ext, cks, cre, ok_},
	"Encrypt":                             {ok_, dis, pdl, pdl, pim, una, cre, ok_},
	"GenerateDataKey":                     {ok_, dis, pdl, pdl, pim, una, cre, ok_},
	"GenerateDataKeyPair":                 {ok_, dis, pdl, pdl, pim, una, cre, ok_},
	"GenerateDataKeyPairWithoutPlaintext": {ok_, dis, pdl, pdl, pim, una, cre, ok_},
	"GenerateDataKeyWithoutPlaintext":     {ok_, dis, pdl, pdl, pim, una, cre, ok_},
	"GenerateMac":                         {ok_, dis, pdl, pdl, n_a, n_a, cre, ok_},
	"GetKeyPolicy":                        {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"GetKeyRotationStatus":                {ok_, ok_, ok_, ok_, ext, cks, ok_, ok_},
	"GetParametersForImport":              {ok_, ok_, pdl, pdl, ok_, cks, cre, upd},
	"GetPublicKey":                        {ok_, dis, pdl, pdl, n_a, n_a, cre, ok_},
	"ImportKeyMaterial":                   {ok_, ok_, pdl, pdl, ok_, cks, cre, ok_},
	"ListAliases":                         {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"ListGrants":                          {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"ListKeyPolicies":                     {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"ListKeyRotations":                    {ok_, ok_, ok_, ok_, ext, cks, ok_, ok_},
	"ListResourceTags":                    {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"PutKeyPolicy":                        {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"ReEncrypt":                           {ok_, dis, pdl, pdl, pim, una, cre, ok_},
	"ReplicateKey":                        {ok_, dis, pdl, pdl, pim, n_a, cre, upd},
	"RetireGrant":                         {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"RevokeGrant":                         {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"RotateKeyOnDemand":                   {ok_, dis, pdl, pdl, ext, cks, cre, ok_},
	"ScheduleKeyDeletion":                 {ok_, ok_, pdl, pdl, ok_, ok_, ok_, upd},
	"Sign":                                {ok_, dis, pdl, pdl, n_a, n_a, cre, ok_},
	"TagResource":                         {ok_, ok_, pdl, pdl, ok_, ok_, ok_, ok_},
	"UntagResource":                       {ok_, ok_, pdl, pdl, ok_, ok_, ok_, ok_},
	"UpdateAlias":                         {ok_, ok_, ok_, ok_, ok_, ok_, ok_, ok_},
	"UpdateKeyDescription":                {ok_, ok_, pdl, pdl, ok_, ok_, ok_, ok_},
	"UpdatePrimaryRegion":                 {ok_, dis, pdl, pdl, pim, n_a, cre, ok_},
	"Verify":                              {ok_, dis, pdl, pdl, n_a, n_a, cre, ok_},
	"VerifyMac":                           {ok_, dis, pdl, pdl, n_a, n_a, cre, ok_},
	// Operations newer than the guide's table behave like the cryptographic operations above.
	"DeriveSharedSecret": {ok_, dis, pdl, pdl, n_a, n_a, cre, ok_},
	"Encapsulate":        {ok_, dis, pdl, pdl, n_a, n_a, cre, ok_},
	"Decapsulate":        {ok_, dis, pdl, pdl, n_a, n_a, cre, ok_},
}

// opsNewerThanGuide are the rows of keyStateTable the guide's table does not have.
var opsNewerThanGuide = []string{"DeriveSharedSecret", "Encapsulate", "Decapsulate"}

// checkKeyState applies the key state table to operation op on key k.
func checkKeyState(op string, k *keyRecord) error {
	row, found := keyStateTable[op]
	if !found {
		return nil
	}
	col := -1
	for i, s := range keyStates {
		if s == k.State {
			col = i
		}
	}
	if col < 0 {
		return fmt.Errorf("key %s has unknown state %q", k.ID, k.State)
	}
	arn := k.ARN()
	switch row[col] {
	case failDisabled:
		return errDisabled(arn)
	case failPendingDelete:
		if k.State == "PendingReplicaDeletion" {
			return errInvalidState("%s is pending replica deletion.", arn)
		}
		return errInvalidState("%s is pending deletion.", arn)
	case failNotPendingDel:
		return errInvalidState("%s is not pending deletion.", arn)
	case failPendingImport:
		return errInvalidState("%s is pending import.", arn)
	case failOriginExternal:
		return apiError("UnsupportedOperationException", "%s origin is EXTERNAL which is not valid for this operation.", arn)
	case failUnavailable, notApplicable:
		return errInvalidState("%s is unavailable. You cannot perform this operation on an unavailable KMS key.", arn)
	case failCustomStore:
		return apiError("UnsupportedOperationException", "%s origin is %s which is not valid for this operation.", arn, k.Origin)
	case failCreating:
		return errInvalidState("%s is creating.", arn)
	case failUpdating:
		return errInvalidState("%s is updating.", arn)
	}
	return nil
}

// outcomeExceptions names the exception of each failing outcome, for the table's test.
var outcomeExceptions = map[stateOutcome]string{
	failDisabled: "DisabledException", failPendingDelete: "KMSInvalidStateException", failNotPendingDel: "KMSInvalidStateException",
	failPendingImport: "KMSInvalidStateException", failOriginExternal: "UnsupportedOperationException",
	failUnavailable: "KMSInvalidStateException", failCustomStore: "UnsupportedOperationException", failCreating: "KMSInvalidStateException", failUpdating: "KMSInvalidStateException",
}
