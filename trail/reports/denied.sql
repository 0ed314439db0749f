-- title: Denied and failed calls
-- description: >
--   AccessDenied and other errors by principal, key and operation; access denials first,
--   then by count.
SELECT errorCode AS error,
       principalArn AS principal,
       keyArn AS key,
       eventSource AS service,
       eventName AS operation,
       count(*) AS count,
       min(eventTime) AS first_seen,
       max(eventTime) AS last_seen,
       any_value(errorMessage) AS example_message
FROM scope
WHERE errorCode IS NOT NULL
GROUP BY errorCode, principalArn, keyArn, eventSource, eventName
ORDER BY (error ILIKE '%AccessDenied%' OR error ILIKE '%Unauthorized%') DESC, count DESC, error, principal, key, operation
