-- id: kms-key-disabled-or-deletion
-- title: KMS key disabled or scheduled for deletion
-- severity: high
-- description: >
--   A customer managed key was disabled or scheduled for deletion (CIS AWS Foundations
--   Benchmark 4.7). Data encrypted under it cannot be decrypted while it is disabled, and never
--   again once it is deleted.
SELECT principalArn AS principal, keyArn AS key, count(*) AS count,
       min(eventTime) AS first_seen, max(eventTime) AS last_seen,
       list(eventID ORDER BY eventTime, eventID) AS event_ids
FROM scope
WHERE eventSource = 'kms.amazonaws.com' AND eventName IN ('DisableKey', 'ScheduleKeyDeletion')
  AND errorCode IS NULL
GROUP BY ALL
