-- id: kms-imported-key-material-deleted
-- title: Imported key material deleted
-- severity: high
-- description: >
--   DeleteImportedKeyMaterial succeeded: the key becomes unusable (PendingImport) and
--   everything encrypted under it is unreadable until the same material is imported again.
SELECT principalArn AS principal, keyArn AS key, count(*) AS count,
       min(eventTime) AS first_seen, max(eventTime) AS last_seen,
       list(eventID ORDER BY eventTime, eventID) AS event_ids
FROM scope
WHERE eventSource = 'kms.amazonaws.com' AND eventName = 'DeleteImportedKeyMaterial' AND errorCode IS NULL
GROUP BY ALL
