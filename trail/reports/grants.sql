-- title: Grants
-- description: >
--   CreateGrant, RetireGrant, RevokeGrant, ListGrants and ListRetirableGrants calls, and
--   every call made with grant tokens, with the grantee, operations and grant ID where recorded.
SELECT eventTime AS time,
       eventName AS operation,
       keyArn AS key,
       principalArn AS principal,
       errorCode AS error,
       requestParameters->>'$.granteePrincipal' AS grantee,
       requestParameters->'$.operations' AS grant_operations,
       coalesce(responseElements->>'$.grantId', requestParameters->>'$.grantId') AS grant_id,
       requestParameters->'$.grantTokens' AS grant_tokens,
       eventID
FROM scope
WHERE eventSource = 'kms.amazonaws.com'
  AND (eventName IN ('CreateGrant', 'RetireGrant', 'RevokeGrant', 'ListGrants', 'ListRetirableGrants')
       OR (contains(record, '"grantTokens"') -- cheap: most records are not parsed
           AND coalesce(json_array_length(requestParameters->'$.grantTokens'), 0) > 0))
ORDER BY time, eventID
