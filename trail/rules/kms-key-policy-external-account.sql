-- id: kms-key-policy-external-account
-- title: Key policy grants access to another account
-- severity: high
-- description: >
--   CreateKey or PutKeyPolicy set a policy with an Allow statement naming an AWS
--   principal (an account ID or an IAM ARN) in an account other than the key's.
WITH statements AS (
    SELECT eventID, eventTime, principalArn, keyArn,
           coalesce(keyAccountId, recipientAccountId, callerAccountId) AS key_account, unnest(
        CASE json_type(json(requestParameters->>'$.policy'), '$.Statement')
            WHEN 'ARRAY' THEN from_json(json(requestParameters->>'$.policy')->'$.Statement', '["JSON"]')
            ELSE [json(requestParameters->>'$.policy')->'$.Statement'] END) AS st
    FROM scope
    WHERE eventSource = 'kms.amazonaws.com' AND eventName IN ('CreateKey', 'PutKeyPolicy')
      AND errorCode IS NULL AND json_valid(requestParameters->>'$.policy')
),
principals AS (
    SELECT *, unnest(CASE json_type(st, '$.Principal.AWS')
                  WHEN 'ARRAY' THEN from_json(st->'$.Principal.AWS', '["VARCHAR"]')
                  WHEN 'VARCHAR' THEN [st->>'$.Principal.AWS'] END) AS aws
    FROM statements
    WHERE st->>'$.Effect' = 'Allow'
)
SELECT principalArn AS principal, keyArn AS key, count(DISTINCT eventID) AS count,
       min(eventTime) AS first_seen, max(eventTime) AS last_seen,
       list(DISTINCT eventID ORDER BY eventID) AS event_ids
FROM principals
WHERE coalesce(nullif(regexp_extract(aws, '^arn:aws[a-z-]*:iam::([0-9]{12}):', 1), ''),
               nullif(regexp_extract(aws, '^([0-9]{12})$', 1), '')) <> key_account
GROUP BY ALL
