-- id: kms-key-policy-public
-- title: Key policy opens the key to everyone
-- severity: critical
-- description: >
--   CreateKey or PutKeyPolicy set a policy with an Allow statement whose principal is "*"
--   (or {"AWS": "*"}): anyone in any account may use the key unless a condition narrows it.
WITH statements AS (
    SELECT eventID, eventTime, principalArn, keyArn, unnest(
        CASE json_type(json(requestParameters->>'$.policy'), '$.Statement')
            WHEN 'ARRAY' THEN from_json(json(requestParameters->>'$.policy')->'$.Statement', '["JSON"]')
            ELSE [json(requestParameters->>'$.policy')->'$.Statement'] END) AS st
    FROM scope
    WHERE eventSource = 'kms.amazonaws.com' AND eventName IN ('CreateKey', 'PutKeyPolicy')
      AND errorCode IS NULL AND json_valid(requestParameters->>'$.policy')
),
principals AS (
    SELECT *, CASE json_type(st, '$.Principal')
                  WHEN 'VARCHAR' THEN [st->>'$.Principal']
                  WHEN 'OBJECT' THEN CASE json_type(st, '$.Principal.AWS')
                      WHEN 'ARRAY' THEN from_json(st->'$.Principal.AWS', '["VARCHAR"]')
                      WHEN 'VARCHAR' THEN [st->>'$.Principal.AWS'] END
              END AS aws
    FROM statements
    WHERE st->>'$.Effect' = 'Allow'
)
SELECT principalArn AS principal, keyArn AS key, count(DISTINCT eventID) AS count,
       min(eventTime) AS first_seen, max(eventTime) AS last_seen,
       list(DISTINCT eventID ORDER BY eventID) AS event_ids
FROM principals
WHERE list_contains(aws, '*')
GROUP BY ALL
