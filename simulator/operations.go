package simulator

// kmsOperations is the KMS dispatch table: X-Amz-Target operation name → typed handler.
var kmsOperations = map[string]operation{
	"CancelKeyDeletion":               kmsOp(false, (*Server).cancelKeyDeletion),
	"CreateAlias":                     kmsOp(false, (*Server).createAlias),
	"CreateKey":                       kmsOp(false, (*Server).createKey),
	"Decrypt":                         kmsOp(true, (*Server).decrypt),
	"DeleteAlias":                     kmsOp(false, (*Server).deleteAlias),
	"DescribeKey":                     kmsOp(true, (*Server).describeKey),
	"DisableKey":                      kmsOp(false, (*Server).disableKey),
	"DisableKeyRotation":              kmsOp(false, (*Server).disableKeyRotation),
	"EnableKey":                       kmsOp(false, (*Server).enableKey),
	"EnableKeyRotation":               kmsOp(false, (*Server).enableKeyRotation),
	"Encrypt":                         kmsOp(true, (*Server).encrypt),
	"GenerateDataKey":                 kmsOp(true, (*Server).generateDataKey),
	"GenerateDataKeyWithoutPlaintext": kmsOp(true, (*Server).generateDataKeyWithoutPlaintext),
	"GetKeyPolicy":                    kmsOp(true, (*Server).getKeyPolicy),
	"GetKeyRotationStatus":            kmsOp(true, (*Server).getKeyRotationStatus),
	"ListAliases":                     kmsOp(true, (*Server).listAliases),
	"ListKeyPolicies":                 kmsOp(true, (*Server).listKeyPolicies),
	"ListKeyRotations":                kmsOp(true, (*Server).listKeyRotations),
	"ListKeys":                        kmsOp(true, (*Server).listKeys),
	"PutKeyPolicy":                    kmsOp(false, (*Server).putKeyPolicy),
	"RotateKeyOnDemand":               kmsOp(false, (*Server).rotateKeyOnDemand),
	"ScheduleKeyDeletion":             kmsOp(false, (*Server).scheduleKeyDeletion),
	"UpdateKeyDescription":            kmsOp(false, (*Server).updateKeyDescription),
}
