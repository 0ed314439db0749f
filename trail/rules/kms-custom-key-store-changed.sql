-- id: kms-custom-key-store-changed
-- title: Custom key store created, connected or updated
-- severity: medium
-- description: >
--   A custom key store (CloudHSM or external) was created, connected or updated. Keys in
--   it are backed by hardware or a proxy outside KMS; a change moves where key material lives.
SELECT principalArn AS principal, requestParameters->>'$.customKeyStoreId' AS key, count(*) AS count,
       min(eventTime) AS first_seen, max(eventTime) AS last_seen,
       list(eventID ORDER BY eventTime, eventID) AS event_ids
FROM scope
WHERE eventSource = 'kms.amazonaws.com'
  AND eventName IN ('CreateCustomKeyStore', 'ConnectCustomKeyStore', 'UpdateCustomKeyStore')
  AND errorCode IS NULL
GROUP BY ALL
