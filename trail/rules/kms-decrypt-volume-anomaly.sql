-- id: kms-decrypt-volume-anomaly
-- title: Unusual Decrypt volume
-- severity: medium
-- description: >
--   An hour in which a principal's Decrypt calls exceed the mean plus three standard
--   deviations of its own hourly counts (over the hours it called Decrypt, at least 24 of them),
--   with at least 100 calls. event_ids lists the first 100.
WITH hourly AS (
    SELECT principalArn, date_trunc('hour', eventTime) AS hour, count(*) AS n,
           min(eventTime) AS first_seen, max(eventTime) AS last_seen,
           list(eventID ORDER BY eventTime, eventID)[1:100] AS event_ids,
           list_sort(list_distinct(list(keyArn)))[1] AS key
    FROM scope
    WHERE eventSource = 'kms.amazonaws.com' AND eventName = 'Decrypt'
    GROUP BY ALL
),
baseline AS (
    SELECT *, avg(n) OVER (PARTITION BY principalArn) AS mean,
           coalesce(stddev_pop(n) OVER (PARTITION BY principalArn), 0) AS sd,
           count(*) OVER (PARTITION BY principalArn) AS hours
    FROM hourly
)
SELECT principalArn AS principal, key, n AS count, first_seen, last_seen, event_ids
FROM baseline
WHERE hours >= 24 AND n >= 100 AND n > mean + 3 * sd
