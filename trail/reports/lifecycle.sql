-- title: Key lifecycle
-- description: >
--   Calls that change whether and how a key can be used: disabling, enabling, scheduling
--   and cancelling deletion, deletion, rotation settings and rotations, imported key material.
SELECT eventTime AS time,
       eventName AS operation,
       keyArn AS key,
       principalArn AS principal,
       errorCode AS error,
       requestParameters AS parameters,
       eventID
FROM scope
WHERE eventSource = 'kms.amazonaws.com'
  AND eventName IN ('DisableKey', 'EnableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'DeleteKey',
                    'EnableKeyRotation', 'DisableKeyRotation', 'RotateKey', 'RotateKeyOnDemand',
                    'ImportKeyMaterial', 'DeleteImportedKeyMaterial', 'DeleteExpiredKeyMaterial')
ORDER BY time, eventID
