-- id: kms-key-policy-changed
-- title: Key policy changed by a non-service principal
-- severity: medium
-- description: >
--   PutKeyPolicy succeeded for a caller that is not an AWS service. Key policies are the
--   primary access control of a KMS key; changes outside automation deserve a look.
SELECT principalArn AS principal, keyArn AS key, count(*) AS count,
       min(eventTime) AS first_seen, max(eventTime) AS last_seen,
       list(eventID ORDER BY eventTime, eventID) AS event_ids
FROM scope
WHERE eventSource = 'kms.amazonaws.com' AND eventName = 'PutKeyPolicy' AND errorCode IS NULL
  AND userIdentityType IS DISTINCT FROM 'AWSService'
  AND coalesce(userIdentity->>'$.invokedBy', '') NOT LIKE '%.amazonaws.com'
GROUP BY ALL
