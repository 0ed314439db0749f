-- title: Cross-account key use
-- description: >
--   Calls whose caller's account (userIdentity.accountId) differs from the account in
--   the key's ARN, grouped by principal, key and operation.
SELECT principalArn AS principal,
       callerAccountId AS caller_account,
       keyArn AS key,
       keyAccountId AS key_account,
       eventName AS operation,
       count(*) AS calls,
       count(*) FILTER (WHERE errorCode IS NOT NULL) AS errors,
       min(eventTime) AS first_seen,
       max(eventTime) AS last_seen
FROM scope
WHERE eventSource = 'kms.amazonaws.com'
  AND callerAccountId IS NOT NULL AND keyAccountId IS NOT NULL AND callerAccountId <> keyAccountId
GROUP BY ALL
ORDER BY key, principal, operation
