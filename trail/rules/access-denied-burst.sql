-- id: access-denied-burst
-- title: Burst of access denials
-- severity: medium
-- description: >
--   Five or more calls denied within one clock hour for the same principal and source
--   IP address: probing for permissions, or a misconfigured workload.
SELECT principalArn AS principal, any_value(keyArn) AS key, count(*) AS count,
       min(eventTime) AS first_seen, max(eventTime) AS last_seen,
       list(eventID ORDER BY eventTime, eventID) AS event_ids
FROM scope
WHERE errorCode ILIKE '%AccessDenied%' OR errorCode ILIKE '%UnauthorizedOperation%'
GROUP BY principalArn, sourceIPAddress, date_trunc('hour', eventTime)
HAVING count(*) >= 5
