-- title: Key policy changes
-- description: >
--   CreateKey and PutKeyPolicy calls with the policy they set (requestParameters.policy)
--   and the policy the key had before, taken from the latest earlier successful CreateKey or
--   PutKeyPolicy of the same key that recorded one (looked up in all events, not only the scope).
WITH changes AS (
    SELECT eventID, eventTime, eventName, keyArn, principalArn, errorCode,
           requestParameters->>'$.policy' AS policy,
           last_value(CASE WHEN errorCode IS NULL THEN requestParameters->>'$.policy' END IGNORE NULLS) OVER (
               PARTITION BY keyArn ORDER BY eventTime, eventID
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_policy
    FROM events
    WHERE eventSource = 'kms.amazonaws.com' AND eventName IN ('CreateKey', 'PutKeyPolicy')
)
SELECT c.eventTime AS time, c.eventName AS operation, c.keyArn AS key, c.principalArn AS principal,
       c.errorCode AS error, c.policy, CASE WHEN c.keyArn IS NOT NULL THEN c.previous_policy END AS previous_policy,
       c.eventID
FROM changes c
WHERE c.eventID IN (SELECT eventID FROM scope)
ORDER BY time, c.eventID
